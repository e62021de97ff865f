import { request, type Dispatcher } from 'undici';
import { EgressRefused, type EgressPolicy } from './addresses.js';

export interface EgressFetchOptions {
  policy: EgressPolicy;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The body is read up to this many bytes; one more and the request fails (EgressFailed 'too_large'). */
  maxBytes: number;
  /** The whole exchange (resolution, every hop, the body) must finish within this. */
  timeoutMs: number;
  /** Redirects followed (each target checked like the first URL); 0 = a redirect is returned as is. */
  maxRedirects: number;
}

export interface EgressResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

export type EgressFailure = 'too_large' | 'timeout' | 'too_many_redirects' | 'network';

/** A permitted request that did not complete within its limits, or at all. */
export class EgressFailed extends Error {
  override name = 'EgressFailed';
  constructor(
    readonly code: EgressFailure,
    message: string,
  ) {
    super(message);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin. */
const ORIGIN_BOUND = ['authorization', 'cookie', 'proxy-authorization'];

interface GuardParts {
  check(url: URL, policy: EgressPolicy): Promise<void>;
  dispatcher(policy: EgressPolicy): Dispatcher;
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) out.append(name, v);
    else if (value !== undefined) out.append(name, value);
  }
  return out;
}

/** Drops a body unread (undici reports destroying an unfinished body as an error event: ignored here). */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** The refusal behind an undici error (a connect-time refusal arrives as the cause), if any. */
function refusalIn(err: unknown): EgressRefused | undefined {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof EgressRefused) return e;
  }
  return undefined;
}

/** `work`, or `onAbort()` as soon as the signal aborts (name resolution cannot be cancelled). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

export async function boundedFetch(guard: GuardParts, input: string | URL, options: EgressFetchOptions): Promise<EgressResponse> {
  const { policy, maxBytes, timeoutMs, maxRedirects } = options;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const timedOut = () => new EgressFailed('timeout', `no complete answer within ${timeoutMs} ms`);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new EgressRefused('not a valid absolute URL', 'url');
  }
  let method = (options.method ?? 'GET').toUpperCase();
  let body = options.body;
  const headers = { ...options.headers };
  try {
    for (let hop = 0; ; hop++) {
      await untilAborted(guard.check(url, policy), controller.signal, timedOut);
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, { method: method as Dispatcher.HttpMethod, headers, body, signal: controller.signal, dispatcher: guard.dispatcher(policy) });
      } catch (err) {
        if (controller.signal.aborted) throw timedOut();
        const refusal = refusalIn(err);
        if (refusal) throw refusal;
        throw new EgressFailed('network', `${url.host} could not be reached: ${(err as Error).message}`);
      }
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode) && typeof location === 'string' && maxRedirects > 0) {
        discard(response.body);
        if (hop >= maxRedirects) throw new EgressFailed('too_many_redirects', `more than ${maxRedirects} redirects`);
        const next = new URL(location, url);
        if (next.origin !== url.origin) for (const name of Object.keys(headers)) if (ORIGIN_BOUND.includes(name.toLowerCase())) delete headers[name];
        if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(response.body);
        throw new EgressFailed('too_large', `the answer declares ${declared} bytes, more than the limit of ${maxBytes}`);
      }
      const chunks: Buffer[] = [];
      let received = 0;
      try {
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          received += chunk.length;
          if (received > maxBytes) {
            discard(response.body);
            throw new EgressFailed('too_large', `the answer is larger than the limit of ${maxBytes} bytes`);
          }
          chunks.push(chunk);
        }
      } catch (err) {
        if (err instanceof EgressFailed) throw err;
        if (controller.signal.aborted) throw timedOut();
        throw new EgressFailed('network', `the answer from ${url.host} broke off: ${(err as Error).message}`);
      }
      return { status: response.statusCode, headers: toHeaders(response.headers), body: Buffer.concat(chunks), url: url.href };
    }
  } finally {
    clearTimeout(timer);
  }
}
