import { createPublicKey, KeyObject, sign } from 'node:crypto';
import { ExternalSigningKey } from 'oidc-provider';
import type { PlatformTokenKeys } from './signing.js';

/**
 * oidc-provider's keystore holds this one key: its `kid` and signature follow the platform's
 * active key at the moment of signing, so a rotation needs no new provider.
 */
export class PlatformSigningKey extends ExternalSigningKey {
  constructor(private readonly keys: PlatformTokenKeys) {
    super();
  }

  override get alg(): string {
    return 'ES256';
  }

  override get kid(): string {
    return this.keys.active().kid;
  }

  override set kid(_value: string) {
    // the kid is always the active platform key's
  }

  override keyObject(): KeyObject {
    return createPublicKey(KeyObject.from(this.keys.active().privateKey));
  }

  override async sign(data: Buffer): Promise<Buffer> {
    return sign('sha256', data, { key: KeyObject.from(this.keys.active().privateKey), dsaEncoding: 'ieee-p1363' });
  }
}
