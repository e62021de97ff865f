import { Client, SUPPORTED_PROTOCOL_VERSIONS, type ClientCapabilities, type Transport } from '@modelcontextprotocol/client';
import type { UpstreamConnectOptions } from '../contracts.js';

export const UPSTREAM_CLIENT_INFO = { name: 'mcp-online-platform', version: '0.1.0' } as const;

/** The stateless revision; the SDK has it opt-in. Offered first, so an upstream that has it gets it. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';
export const UPSTREAM_PROTOCOL_VERSIONS = [MODERN_PROTOCOL_VERSION, ...SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v !== MODERN_PROTOCOL_VERSION)];
/** The 2025-era revisions, newest first. */
export const LEGACY_PROTOCOL_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS.filter(isLegacyVersion);

/** Whether a protocol revision is of the 2025 era (`initialize`, sessions); revisions are dates, so they compare as strings. */
export function isLegacyVersion(version: string | undefined): version is string {
  return typeof version === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(version) && version < MODERN_PROTOCOL_VERSION;
}

/**
 * What the platform accepts of an upstream that negotiated 2026-07-28 but answers without the
 * `resultType` discriminator the revision requires: the answer is read as `complete` (the
 * 2025-era meaning of its absence) instead of failing every call. Reported once per client.
 */
export function tolerateMissingResultType(client: Client, transport: Transport, onDeviation: () => void): void {
  const deliver = transport.onmessage;
  if (!deliver || client.getNegotiatedProtocolVersion() !== MODERN_PROTOCOL_VERSION) return;
  let reported = false;
  transport.onmessage = (message, extra) => {
    const result = (message as { result?: unknown }).result;
    if (result && typeof result === 'object' && !Array.isArray(result) && !('resultType' in result)) {
      (result as Record<string, unknown>).resultType = 'complete';
      if (!reported) {
        reported = true;
        onDeviation();
      }
    }
    deliver.call(transport, message, extra);
  };
}

/**
 * The SDK client the platform uses towards an upstream. Negotiation is `auto`: the client probes
 * with `server/discover` and speaks 2026-07-28 to servers that offer it, the newest 2025 revision
 * otherwise (initialize handshake). A pooled client is configured again for every lease, after
 * it is connected: capabilities can then no longer change, so `registerCapabilities` is ignored
 * once connected instead of throwing, while request/notification handlers are replaced.
 */
export class UpstreamClient extends Client {
  /** Whether a lease asked for server→client capabilities (sampling, ...). */
  wantsCapabilities = false;

  /**
   * `legacyVersion`: the 2025-era revision the downstream client speaks, offered first with a plain
   * `initialize` (the other 2025 revisions after it); absent: 2026-07-28 first through
   * `server/discover`, the newest 2025 revision as the fallback.
   */
  constructor(probeTimeoutMs: number, readonly legacyVersion?: string) {
    super(
      UPSTREAM_CLIENT_INFO,
      legacyVersion === undefined
        ? { capabilities: {}, supportedProtocolVersions: UPSTREAM_PROTOCOL_VERSIONS, versionNegotiation: { mode: 'auto', probe: { timeoutMs: probeTimeoutMs } } }
        : { capabilities: {}, supportedProtocolVersions: [legacyVersion, ...LEGACY_PROTOCOL_VERSIONS.filter((v) => v !== legacyVersion)] },
    );
  }

  override registerCapabilities(capabilities: ClientCapabilities): void {
    if (Object.keys(capabilities).length) this.wantsCapabilities = true;
    if (this.transport) return;
    super.registerCapabilities(capabilities);
  }
}

export function configure(client: Client, options: UpstreamConnectOptions | undefined): void {
  options?.configureClient?.(client);
}

/** Resolves `signal`'s abort as a rejection racing `work`. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined, onAbort: () => Error): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
