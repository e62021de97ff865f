import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Envelope encryption for secrets at rest.
 *
 * Each sealed value gets its own random data key (DEK). The value is encrypted with the DEK
 * (AES-256-GCM), and the DEK is wrapped with the master key (AES-256-GCM). The output names the
 * master key's ID, so that several master keys can be held at once and rotated:
 *
 *   v1.<kid>.<wrapped dek>.<iv>.<ciphertext+tag>      (base64url parts)
 *
 * The caller's `context` is bound as additional authenticated data: a sealed value copied onto
 * another row (another user, another service) fails to open.
 */

export interface MasterKey {
  id: string;
  key: Buffer;
}

export class VaultError extends Error {
  override name = 'VaultError';
}

const VERSION = 'v1';
const KID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export class Vault {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly active: MasterKey,
    previous: MasterKey[] = [],
  ) {
    for (const k of [active, ...previous]) {
      if (k.key.length !== 32) throw new VaultError(`master key ${k.id} must be 32 bytes`);
      this.keys.set(k.id, k.key);
    }
  }

  get activeKeyId(): string {
    return this.active.id;
  }

  seal(plaintext: string | Buffer, context: string): string {
    const dek = randomBytes(32);
    const wrappedDek = encrypt(this.active.key, dek, `dek:${this.active.id}`);
    const wrapped = Buffer.concat([wrappedDek.iv, wrappedDek.data]);
    const body = encrypt(dek, Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, 'utf8'), context);
    dek.fill(0);
    return [VERSION, this.active.id, b64(wrapped), b64(body.iv), b64(body.data)].join('.');
  }

  open(sealed: string, context: string): Buffer {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new VaultError('not a sealed value');
    const [, kid, wrappedB64, ivB64, dataB64] = parts as [string, string, string, string, string];
    const master = this.keys.get(kid);
    if (!master) throw new VaultError(`sealed under unknown master key "${kid}"`);
    try {
      const wrapped = unb64(wrappedB64);
      const dek = decrypt(master, { iv: wrapped.subarray(0, 12), data: wrapped.subarray(12) }, `dek:${kid}`);
      const out = decrypt(dek, { iv: unb64(ivB64), data: unb64(dataB64) }, context);
      dek.fill(0);
      return out;
    } catch {
      throw new VaultError('sealed value failed authentication (wrong key, context or tampered data)');
    }
  }

  openString(sealed: string, context: string): string {
    return this.open(sealed, context).toString('utf8');
  }

  /** The master key ID a sealed value was written under, without opening it. */
  static keyIdOf(sealed: string): string | undefined {
    const parts = sealed.split('.');
    return parts[0] === VERSION ? parts[1] : undefined;
  }

  /** Opens under whichever key sealed it and seals again under the active key. */
  reseal(sealed: string, context: string): string {
    if (Vault.keyIdOf(sealed) === this.active.id) return sealed;
    return this.seal(this.open(sealed, context), context);
  }
}

function encrypt(key: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; data: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, data };
}

function decrypt(key: Buffer, sealed: { iv: Buffer; data: Buffer }, aad: string): Buffer {
  if (sealed.iv.length !== 12 || sealed.data.length < 16) throw new VaultError('truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.data.subarray(sealed.data.length - 16));
  return Buffer.concat([decipher.update(sealed.data.subarray(0, sealed.data.length - 16)), decipher.final()]);
}

const b64 = (b: Buffer) => b.toString('base64url');
/**
 * Strict: only the canonical spelling of the bytes. Node's decoder also reads '+' '/' as '-' '_',
 * skips characters it does not know and ignores what follows the last full group, so without this a
 * sealed value had many spellings that open alike, and anything keyed by the string (an ended MCP
 * session's revocation) could be sidestepped by re-spelling it.
 */
const unb64 = (s: string) => {
  const bytes = Buffer.from(s, 'base64url');
  if (!/^[A-Za-z0-9_-]*$/.test(s) || bytes.toString('base64url') !== s) throw new VaultError('not canonical base64url');
  return bytes;
};

/**
 * Parses a master key setting: `<kid>:<base64 of 32 bytes>`, or just the base64 (the kid is then
 * derived from the key's hash, so that the same key always gets the same ID).
 */
export function parseMasterKey(raw: string, variable: string): MasterKey {
  const trimmed = raw.trim();
  const colon = trimmed.indexOf(':');
  const [id, material] = colon > 0 ? [trimmed.slice(0, colon), trimmed.slice(colon + 1)] : [undefined, trimmed];
  if (id !== undefined && !KID_PATTERN.test(id)) {
    throw new VaultError(`${variable}: key ID must match ${KID_PATTERN}`);
  }
  const key = Buffer.from(material, /^[0-9a-fA-F]{64}$/.test(material) ? 'hex' : 'base64');
  if (key.length !== 32) {
    throw new VaultError(`${variable}: must be 32 random bytes, as base64 or hex (generate one with: openssl rand -base64 32)`);
  }
  return { id: id ?? `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}`, key };
}

export interface VaultSettings {
  encryptionKey?: string | undefined;
  previousKeys?: string | undefined;
  dataDir: string;
  embedded: boolean;
}

export interface VaultLoadResult {
  vault: Vault;
  /** Set when the master key was generated or read from DATA_DIR rather than the environment. */
  generatedKeyPath?: string;
  createdKey: boolean;
}

/**
 * Builds the vault from PLATFORM_ENCRYPTION_KEY (+ PLATFORM_ENCRYPTION_KEYS_PREVIOUS). Without
 * one, a key is generated once into DATA_DIR/master.key (mode 0600) and reused afterwards.
 */
export async function loadVault(settings: VaultSettings): Promise<VaultLoadResult> {
  const previous = (settings.previousKeys ?? '')
    .split(',')
    .filter((s) => s.trim())
    .map((s) => parseMasterKey(s, 'PLATFORM_ENCRYPTION_KEYS_PREVIOUS'));
  if (settings.encryptionKey) {
    return { vault: new Vault(parseMasterKey(settings.encryptionKey, 'PLATFORM_ENCRYPTION_KEY'), previous), createdKey: false };
  }
  const file = path.resolve(settings.dataDir, 'master.key');
  let createdKey = false;
  let raw: string;
  try {
    raw = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(settings.dataDir, { recursive: true, mode: 0o700 });
    raw = randomBytes(32).toString('base64');
    await writeFile(file, `${raw}\n`, { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
      raw = (await readFile(file, 'utf8')).trim(); // another process won the race
    });
    createdKey = true;
  }
  await chmod(file, 0o600);
  return { vault: new Vault(parseMasterKey(raw, `${file}`), previous), generatedKeyPath: file, createdKey };
}
