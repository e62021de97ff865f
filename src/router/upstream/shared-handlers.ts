import type { Client } from '@modelcontextprotocol/client';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import type { UpstreamConnectOptions } from '../contracts.js';

/**
 * Server→client request handlers (sampling, elicitation, roots) on a Client that several leases
 * share (a pooled stdio child). Each lease's relay registers its own handler, which can only answer
 * while that relay has a downstream request in flight. Replacing the handler per lease ("last lease
 * wins") sends a child's request to whichever relay registered last — often an idle one (a GET
 * stream's, or a forwarded session's warm-up). Instead, every live lease's handler is kept and a
 * dispatcher asks them newest first, skipping those with no request in flight.
 */
type Handler = (request: unknown, extra: unknown) => Promise<unknown>;

const NOT_IN_FLIGHT = 'No client request is in flight';
const lists = new WeakMap<Client, Map<string, Handler[]>>();

export class LeaseHandlers {
  private readonly mine: Array<{ list: Handler[]; handler: Handler }> = [];

  /** `options` with `configureClient` routed through this lease's share of the client's handlers. */
  wrap(options: UpstreamConnectOptions | undefined): UpstreamConnectOptions | undefined {
    const configure = options?.configureClient;
    if (!configure) return options;
    return { ...options, configureClient: (client) => this.apply(client, configure) };
  }

  private apply(client: Client, configure: (client: Client) => void): void {
    const captured = new Map<string, Handler>();
    const view = new Proxy(client, {
      get(target, prop) {
        if (prop === 'setRequestHandler') return (method: string, handler: Handler) => captured.set(method, handler);
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    configure(view);
    let byMethod = lists.get(client);
    if (!byMethod) lists.set(client, (byMethod = new Map()));
    for (const [method, handler] of captured) {
      let list = byMethod.get(method);
      if (!list) {
        const handlers: Handler[] = [];
        const dispatch = async (request: unknown, extra: unknown) => {
          for (const h of [...handlers].reverse()) {
            try {
              return await h(request, extra);
            } catch (err) {
              if (err instanceof Error && err.message.includes(NOT_IN_FLIGHT)) continue;
              throw err;
            }
          }
          throw new ProtocolError(ProtocolErrorCode.InternalError, `${NOT_IN_FLIGHT} to relay this request to`);
        };
        // Throws (as before) when the client did not declare the capability; then nothing is recorded.
        (client.setRequestHandler as (method: string, handler: Handler) => void).call(client, method, dispatch);
        byMethod.set(method, (list = handlers));
      }
      list.push(handler);
      this.mine.push({ list, handler });
    }
  }

  /** The lease is released: its handlers leave the client. */
  release(): void {
    for (const { list, handler } of this.mine.splice(0)) {
      const i = list.lastIndexOf(handler);
      if (i >= 0) list.splice(i, 1);
    }
  }
}
