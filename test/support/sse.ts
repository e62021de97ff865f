/**
 * TEST-ONLY raw Streamable HTTP helpers (2025-era), for tests that must see SSE event IDs and
 * drop/resume streams themselves, which the SDK client does internally.
 */

export interface SseEvent {
  id?: string;
  data?: { method?: string; id?: unknown; params?: Record<string, unknown> };
}

export interface SseStream {
  /** Every event received so far. */
  readonly events: SseEvent[];
  /** The next not yet consumed event matching `match` (waits for it). */
  next(match: (e: SseEvent) => boolean): Promise<SseEvent>;
  close(): void;
}

const PROTOCOL = '2025-11-25';

function headers(token: string, sessionId?: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL } : {}),
  };
}

/** initialize + notifications/initialized; returns the session ID. */
export async function rawInitialize(url: string, token: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: headers(token),
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  const sid = res.headers.get('mcp-session-id');
  await res.text();
  if (res.status !== 200 || !sid) throw new Error(`initialize failed: ${res.status}`);
  const ack = await fetch(url, { method: 'POST', headers: headers(token, sid), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  await ack.text();
  return sid;
}

/** POSTs one message and reads the whole answer. */
export async function rawPost(url: string, token: string, sessionId: string, message: unknown): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: headers(token, sessionId), body: JSON.stringify(message) });
  const body = await res.text();
  if (res.status >= 400) throw new Error(`POST failed: ${res.status} ${body}`);
  return body;
}

/** Opens the session's GET stream (resuming after `lastEventId` when given). */
export async function openSse(url: string, token: string, sessionId: string, lastEventId?: string): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { ...headers(token, sessionId), accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: abort.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`GET failed: ${res.status} ${await res.text()}`);
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let cursor = 0;
  let ended = false;
  void (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event: SseEvent = {};
          let data = '';
          for (const line of frame.split('\n')) {
            if (line.startsWith('id:')) event.id = line.slice(3).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
          }
          if (data) event.data = JSON.parse(data) as SseEvent['data'];
          if (event.id !== undefined || event.data !== undefined) events.push(event);
          for (const w of [...waiters]) w();
        }
      }
    } catch {
      // aborted
    }
    ended = true;
    for (const w of [...waiters]) w();
  })();
  return {
    events,
    async next(match) {
      for (;;) {
        while (cursor < events.length) {
          const e = events[cursor++]!;
          if (match(e)) return e;
        }
        if (ended) throw new Error('stream ended');
        await new Promise<void>((resolve) => {
          const w = () => {
            waiters.delete(w);
            resolve();
          };
          waiters.add(w);
        });
      }
    },
    close() {
      abort.abort();
    },
  };
}
