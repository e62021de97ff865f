/**
 * What the platform holds for a client that does not read its answer (docs/router.md, "A client
 * that does not read").
 *
 * The SDK's server transport writes a stream's events into a web `ReadableStream` as they come
 * (it does not wait for the reader), and the Node adapter stops reading that stream while the
 * client's socket is full. A client that opens an SSE answer and never reads it would so make the
 * platform keep every event the upstream sends. `boundStream` reads the SDK's stream as it is
 * written and counts what the client has not taken yet: past `maxBytes` (with a new chunk
 * arriving), the client is cut off (`onStalled`: the caller logs it and closes the connection,
 * which ends the exchange and cancels the upstream request) and nothing more is kept.
 *
 * The fast path writes to the Node response itself and checks the same budget
 * (`writableLength`) after each notification it writes (answer-writer.ts).
 */
export interface StreamBudget {
  /** The most bytes held for one client's stream that it has not read. */
  maxBytes: number;
  /** The client is cut off: `bufferedBytes` were waiting for it. */
  onStalled: (bufferedBytes: number) => void;
}

/** Why a stream was cut off. */
export class ClientStalled extends Error {
  override name = 'ClientStalled';
  constructor(readonly bufferedBytes: number) {
    super(`the client did not read its stream (${bufferedBytes} bytes waiting)`);
  }
}

/** `response` with its SSE body under the budget; any other answer as it is. */
export function boundStream(response: Response, budget: StreamBudget): Response {
  if (!response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) return response;
  const reader = response.body.getReader();
  let stopped = false;
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        void (async () => {
          try {
            for (;;) {
              const { value, done } = await reader.read();
              if (stopped) return;
              if (done) return controller.close();
              // desiredSize below zero: more than maxBytes already wait for the client.
              const waiting = budget.maxBytes - (controller.desiredSize ?? 0);
              if (waiting > budget.maxBytes) {
                stopped = true;
                const stalled = new ClientStalled(waiting);
                controller.error(stalled);
                await reader.cancel(stalled).catch(() => undefined);
                budget.onStalled(waiting);
                return;
              }
              controller.enqueue(value);
            }
          } catch (err) {
            if (stopped) return;
            stopped = true;
            controller.error(err);
          }
        })();
      },
      cancel(reason) {
        stopped = true;
        return reader.cancel(reason);
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: budget.maxBytes }),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
