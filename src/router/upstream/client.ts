import { Client, SUPPORTED_PROTOCOL_VERSIONS, type ClientCapabilities } from '@modelcontextprotocol/client';
import type { UpstreamConnectOptions } from '../contracts.js';

export const UPSTREAM_CLIENT_INFO = { name: 'mcp-online-platform', version: '0.1.0' } as const;

/** The stateless revision; the SDK has it opt-in. Offered first, so an upstream that has it gets it. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';
export const UPSTREAM_PROTOCOL_VERSIONS = [MODERN_PROTOCOL_VERSION, ...SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v !== MODERN_PROTOCOL_VERSION)];

/**
 * The SDK client the platform uses towards an upstream. Negotiation is `auto`: the client probes
 * with `server/discover` and speaks 2026-07-28 to servers that offer it, the newest 2025 revision
 * otherwise (initialize handshake). A pooled client is configured again for every lease, after
 * it is connected: capabilities can then no longer change, so `registerCapabilities` is ignored
 * once connected instead of throwing, while request/notification handlers are replaced.
 */
export class UpstreamClient extends Client {
  /** Whether a lease asked for server→client capabilities (sampling, ...); such a client is never pooled. */
  wantsCapabilities = false;

  constructor(probeTimeoutMs: number) {
    super(UPSTREAM_CLIENT_INFO, {
      capabilities: {},
      supportedProtocolVersions: UPSTREAM_PROTOCOL_VERSIONS,
      versionNegotiation: { mode: 'auto', probe: { timeoutMs: probeTimeoutMs } },
    });
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
