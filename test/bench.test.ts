import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkCheck } from '../bench/check.js';
import { Generator } from '../bench/generator.js';
import { startProcess, stop, type Started } from '../bench/procs.js';
import { baseHeaders, EXPECT, handshake, legacyCall, modernCall } from '../bench/wire.js';

/**
 * The MCP benchmark's own machinery (bench/, run by `npm run bench`, not here): the echo upstream,
 * the load generator as a child process, and its error detection. Counts only, never timing.
 */
describe('MCP benchmark harness', () => {
  let echo: (Started & { value: string }) | undefined;
  let gen: Generator | undefined;
  let url = '';

  beforeAll(async () => {
    echo = await startProcess(process.execPath, [path.resolve(import.meta.dirname, '..', 'bench', 'echo-server.ts'), 'http', '0'], {
      name: 'echo server',
      env: { PATH: process.env.PATH ?? '' },
      ready: (out) => /listening (\d+)/.exec(out)?.[1],
    });
    url = `http://127.0.0.1:${echo.value}/mcp`;
    gen = await Generator.start();
  });

  afterAll(async () => {
    await gen?.stop();
    if (echo) await stop(echo.child);
  });

  it('the echo server answers the real SDK client in both eras', async () => {
    expect(await sdkCheck(url, 'echo', '2026')).toContain('2026-07-28');
    expect(await sdkCheck(url, 'echo', '2025')).toContain('2025-11-25');
  });

  it('a paced run sends exactly rate × duration calls, all answered correctly, and reports its own CPU', async () => {
    const r = await gen!.run({ kind: 'rate', call: modernCall(url, 'echo'), rate: 100, durationS: 0.4, connections: 8, drainS: 60 });
    expect(r).toMatchObject({ done: 40, errors: 0, errorSamples: [] });
    expect(r.generatorCores).toBeGreaterThan(0);
    expect(r.latency.p50).toBeLessThanOrEqual(r.latency.p99);
  });

  it('counts wrong answers as errors (a JSON-RPC error for an unknown tool, with status 200)', async () => {
    const r = await gen!.run({ kind: 'rate', call: modernCall(url, 'no-such-tool'), rate: 100, durationS: 0.2, connections: 4, drainS: 60 });
    expect(r.done).toBe(20);
    expect(r.errors).toBe(20);
    expect(r.errorSamples[0]).toContain('error');
  });

  it('closed loop and concurrent 2025 calls carry distinct JSON-RPC ids, and session setups complete', async () => {
    const call = legacyCall(url, 'echo');
    expect(call.body).toContain('"__ID__"');
    const max = await gen!.run({ kind: 'max', call, connections: 4, durationS: 2 });
    expect(max.done).toBeGreaterThan(0);
    expect(max.errors).toBe(0);
    const setup = await gen!.run({
      kind: 'setup',
      url,
      headers: baseHeaders(),
      bodies: { initialize: handshake.initialize, initialized: handshake.initialized, list: handshake.list, call: handshake.call('echo') },
      expect: EXPECT,
      concurrency: 2,
      durationS: 0.5,
      deleteAfter: false,
    });
    expect(setup.done).toBeGreaterThan(0);
    expect(setup.errors).toBe(0);
  });
});
