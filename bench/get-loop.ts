/**
 * A closed loop of keep-alive HTTP GETs from this process (the small in-process benchmarks:
 * bench/logging.ts --rest, bench/tracing.ts): `concurrency` workers share `requests` calls.
 */
import http from 'node:http';

export interface LoopResult {
  rps: number;
  p50: number;
  p99: number;
}

export interface GetLoop {
  run(requests: number, urlOf: (i: number) => string, headers?: Record<string, string>): Promise<LoopResult>;
  /** Closes the kept-alive sockets (so the process can exit). */
  close(): void;
}

export function getLoop(concurrency: number): GetLoop {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const get = (url: string, headers: Record<string, string>): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.get(url, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
      });
      req.on('error', reject);
    });
  const run: GetLoop['run'] = async (requests, urlOf, headers = {}) => {
    const latencies: number[] = [];
    let next = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) latencies.push(await get(urlOf(next++), headers));
      }),
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
    return { rps: requests / seconds, p50: q(0.5), p99: q(0.99) };
  };
  return { run, close: () => agent.destroy() };
}
