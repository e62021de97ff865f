/**
 * Benchmark helper (not a test): what a process's resident memory is made of, sampled while a
 * benchmark runs against it (issue 11 §5, "Memory under load").
 *
 *   npx tsx bench/rss-watch.ts (--pid N | --cwd DIR) [--url http://127.0.0.1:PORT | --url auto] [--interval-ms 250] [--out file.json]
 *
 * `--cwd DIR` waits for the `dist/main.js serve` process whose working directory is DIR (the one
 * `npm run bench` starts from that checkout) and follows the newest one. Every sample reads VmRSS;
 * a sample that is the highest RSS so far also reads /proc/<pid>/smaps and, with `--url`, the
 * main thread's V8 heap spaces from /metrics, so the breakdown printed at the end (Ctrl-C, or
 * when the process exits) is the one at the peak. smaps is grouped into:
 * - file: mapped files (the node binary, shared libraries);
 * - wasm: WebAssembly memories (PGlite's heap): accessible pages followed by the GBs of guard
 *   region V8 reserves; only touched pages are resident;
 * - arenas: anonymous regions at 64 MB-aligned addresses of at most 64 MB (glibc's per-thread
 *   malloc arenas: the worker's, libuv's pool, V8's background threads);
 * - brk: [heap], glibc's main arena;
 * - V8 pages: anonymous mappings of at most 1 MB, mostly V8's 256 KB heap pages of both isolates
 *   (the main thread's and PGlite's worker);
 * - other anon: larger anonymous mappings (large objects, large malloc chunks, code space, stacks).
 */
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    pid: { type: 'string' },
    cwd: { type: 'string' },
    url: { type: 'string' },
    'interval-ms': { type: 'string', default: '250' },
    out: { type: 'string' },
  },
});
const INTERVAL = Number(values['interval-ms']);
const ARENA = 64 * 1024 * 1024;

export interface Breakdown {
  rssKb: number;
  fileKb: number;
  wasmKb: number;
  arenasKb: number;
  brkKb: number;
  /** Anonymous mappings of at most 1 MB: V8's heap pages (256 KB each) of both isolates, mostly. */
  v8PagesKb: number;
  otherAnonKb: number;
  /** Largest "other anon" mappings, for a look at what they are. */
  largestOther: Array<{ start: string; sizeKb: number; rssKb: number }>;
}

export function smapsBreakdown(pid: number): Breakdown | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  interface Mapping { start: bigint; size: bigint; perms: string; name: string; rssKb: number }
  const maps: Mapping[] = [];
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const start = BigInt(`0x${head[1]}`);
      maps.push({ start, size: BigInt(`0x${head[2]}`) - start, perms: head[3]!, name: head[4]!, rssKb: 0 });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && maps.length) maps[maps.length - 1]!.rssKb = Number(rss[1]);
  }
  const b: Breakdown = { rssKb: 0, fileKb: 0, wasmKb: 0, arenasKb: 0, brkKb: 0, v8PagesKb: 0, otherAnonKb: 0, largestOther: [] };
  const others: Breakdown['largestOther'] = [];
  const GB = 1n << 30n;
  maps.forEach((m, i) => {
    const kb = m.rssKb;
    b.rssKb += kb;
    const next = maps[i + 1];
    if (m.name.startsWith('/')) b.fileKb += kb;
    else if (m.name === '[heap]') b.brkKb += kb;
    else if (m.name !== '') b.otherAnonKb += kb; // [stack], [vvar], …
    // A WebAssembly memory: its accessible pages followed by the guard region V8 reserves (GBs).
    else if (next && next.start === m.start + m.size && next.perms.startsWith('---') && next.size > GB) b.wasmKb += kb;
    else if (m.start % BigInt(ARENA) === 0n && m.size <= BigInt(ARENA)) b.arenasKb += kb;
    else if (m.size <= 1024n * 1024n) b.v8PagesKb += kb;
    else {
      b.otherAnonKb += kb;
      others.push({ start: m.start.toString(16), sizeKb: Number(m.size / 1024n), rssKb: kb });
    }
  });
  b.largestOther = others.sort((x, y) => y.rssKb - x.rssKb).slice(0, 8);
  return b;
}

export async function heapSpaces(url: string): Promise<Record<string, { usedMb: number; totalMb: number }> | undefined> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const out: Record<string, { usedMb: number; totalMb: number }> = {};
    for (const m of text.matchAll(/^nodejs_heap_space_size_(used|total)_bytes\{space="([^"]+)"\} ([0-9.e+]+)/gm)) {
      const s = (out[m[2]!] ??= { usedMb: 0, totalMb: 0 });
      s[m[1] === 'used' ? 'usedMb' : 'totalMb'] = Math.round(Number(m[3]) / 1e5) / 10;
    }
    const ext = /^nodejs_external_memory_bytes(?:\{[^}]*\})? ([0-9.e+]+)/m.exec(text);
    if (ext) out.external = { usedMb: Math.round(Number(ext[1]) / 1e5) / 10, totalMb: 0 };
    return Object.keys(out).length ? out : undefined;
  } catch {
    return undefined;
  }
}

function statusKb(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** TCP ports `pid` listens on (from its socket inodes and /proc/net/tcp). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '0A' && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(':')[1]!, 16));
  }
  return ports;
}

/** The platform's URL: the first port `pid` listens on that answers /metrics. */
async function metricsUrl(pid: number): Promise<string | undefined> {
  for (const port of listeningPorts(pid)) {
    const url = `http://127.0.0.1:${port}`;
    if ((await heapSpaces(url)) !== undefined) return url;
  }
  return undefined;
}

/** The newest `dist/main.js serve` process whose working directory is `dir`. */
function findServe(dir: string): number | undefined {
  let best: number | undefined;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (!cmd.some((a) => a.endsWith(path.join('dist', 'main.js'))) || !cmd.includes('serve')) continue;
      if (readlinkSync(`/proc/${e}/cwd`) !== dir) continue;
      if (best === undefined || Number(e) > best) best = Number(e);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return best;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = values.cwd ? path.resolve(values.cwd) : undefined;
  let pid = values.pid ? Number(values.pid) : undefined;
  while (pid === undefined && dir) {
    pid = findServe(dir);
    if (pid === undefined) await new Promise((r) => setTimeout(r, 200));
  }
  if (pid === undefined) throw new Error('give --pid or --cwd');
  console.error(`watching pid ${pid}`);
  let url = values.url === 'auto' ? undefined : values.url;
  const t0 = Date.now();
  let peak: { atS: number; rssKb: number; breakdown?: Breakdown; heap?: Awaited<ReturnType<typeof heapSpaces>> } = { atS: 0, rssKb: 0 };
  const series: Array<[number, number]> = [];
  const finish = () => {
    const hwm = statusKb(pid, 'VmHWM');
    const report = { pid, vmHwmKb: hwm, peak, series };
    if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 1));
    const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
    console.log(`peak RSS ${mb(peak.rssKb)} at ${peak.atS.toFixed(1)} s (VmHWM ${hwm ? mb(hwm) : 'gone'})`);
    if (peak.breakdown) {
      const b = peak.breakdown;
      console.log(`  file ${mb(b.fileKb)}, wasm ${mb(b.wasmKb)}, arenas ${mb(b.arenasKb)}, brk ${mb(b.brkKb)}, ≤ 1 MB anon (V8 pages) ${mb(b.v8PagesKb)}, other anon ${mb(b.otherAnonKb)}`);
      console.log(`  largest other: ${b.largestOther.map((o) => `${o.start} ${mb(o.sizeKb)}/${mb(o.rssKb)}`).join(', ')}`);
    }
    if (peak.heap) console.log(`  main heap: ${JSON.stringify(peak.heap)}`);
  };
  process.on('SIGINT', () => {
    finish();
    process.exit(0);
  });
  let lastHeapAt = 0;
  for (;;) {
    const rss = statusKb(pid, 'VmRSS');
    if (rss === undefined) break;
    const at = (Date.now() - t0) / 1000;
    series.push([Math.round(at * 10) / 10, rss]);
    if (rss > peak.rssKb) {
      const breakdown = smapsBreakdown(pid);
      // /metrics at most once a second: it costs the platform a request.
      if (values.url === 'auto' && url === undefined) url = await metricsUrl(pid);
      const heap = url && Date.now() - lastHeapAt > 1000 ? ((lastHeapAt = Date.now()), await heapSpaces(url)) : peak.heap;
      peak = { atS: at, rssKb: Math.max(rss, breakdown?.rssKb ?? 0), breakdown, heap };
    }
    await new Promise((r) => setTimeout(r, INTERVAL));
  }
  finish();
}
