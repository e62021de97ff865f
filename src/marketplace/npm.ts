import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { inspectOver } from './inspect.js';
import type { NpmListings } from './marketplace.js';
import type { Inspection, ListingSource } from './tables.js';

const run = promisify(execFile);

/**
 * npm listings (docs/marketplace.md, "npm listings and isolation"): the platform installs the pinned
 * package from the registry into a directory of its own per listing version, with
 * `npm install --ignore-scripts` (no install script of the package or of its dependencies runs), and
 * checks that what npm installed is the exact version with the pinned sha512 integrity (npm verifies
 * the tarball against the registry's integrity; the lockfile records it, and it must equal the
 * listing's). It runs over stdio with the platform's own Node binary, under resource limits:
 * CPU time (`ulimit -t`), the V8 heap (`--max-old-space-size`) and an address-space ceiling
 * (`ulimit -v`). Its environment is the stdio pool's: a safe base, `HOME` set to its own directory,
 * and only the installing user's credentials for this listing.
 */
export interface NpmSettings {
  /** MARKETPLACE_PACKAGES_DIR: where each listing version gets its directory. */
  root: string;
  /** MARKETPLACE_NPM_REGISTRY */
  registry: string;
  /** MARKETPLACE_STDIO_CPU_SECONDS: CPU time a child may use in its life (RLIMIT_CPU). */
  cpuSeconds: number;
  /** MARKETPLACE_STDIO_MEMORY_MB: the V8 heap limit; the address space is capped at this plus 3584 MB (V8 reserves much more than it uses). */
  memoryMb: number;
  /** How long one `npm install` may take. */
  installTimeoutMs: number;
  /** How long a busy version directory waits before `retire` tries it again (default 60 s). */
  retireRetryMs?: number;
}

type NpmSource = Extract<ListingSource, { type: 'npm' }>;

const RETIRE_RETRY_MS = 60_000;
/** A marketplace child's V8 semi-space (MB): 16 is Node 22's default, so its heap limit is its memory setting + 48 MB on any Node. */
const CHILD_SEMI_SPACE_MB = 16;

/**
 * Which of `dirs` a process on this host runs from: one whose command line has an argument inside
 * it (an npm listing's child runs `node … <dir>/node_modules/<package>/<bin>`). Without /proc (not
 * Linux) every directory counts as busy: nothing is removed that might be in use.
 */
async function runningFrom(dirs: string[]): Promise<Set<string>> {
  if (!dirs.length) return new Set();
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  } catch {
    return new Set(dirs);
  }
  const busy = new Set<string>();
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline) continue;
    for (const arg of cmdline.split('\0')) {
      for (const dir of dirs) if (arg === dir || arg.startsWith(dir + path.sep)) busy.add(dir);
    }
  }
  return busy;
}

export class NpmInstaller implements NpmListings {
  private readonly installing = new Map<string, Promise<string>>();
  /** Listings whose busy version directories wait for a retry of `retire` (one timer each). */
  private readonly retrying = new Map<string, NodeJS.Timeout>();

  constructor(private readonly s: NpmSettings) {}

  private dirOf(listingId: string, version: number): string {
    return path.join(this.s.root, listingId, String(version));
  }

  /**
   * Removes the listing's version directories other than those `keep` names (its live and pending
   * versions, read again at each try): only numbered directories inside the packages root, never one
   * being installed, and never one a process on this host still runs from (its command line names a
   * file inside it). A busy one is tried again after RETIRE_RETRY_MS, once per listing however many
   * decisions found it busy (and at the listing's next decision, and at start); the retry reads
   * `keep` afresh, so a version approved meanwhile is not removed. Resolves with the versions removed.
   */
  async retire(listingId: string, keep: () => Promise<readonly number[]>): Promise<number[]> {
    const root = path.resolve(this.s.root);
    const listingDir = path.resolve(root, listingId);
    if (path.dirname(listingDir) !== root || !/^[0-9a-f-]{36}$/i.test(listingId)) return [];
    const names = await readdir(listingDir).catch(() => [] as string[]);
    const kept = await keep();
    const stale = names.filter((n) => /^\d{1,9}$/.test(n) && !kept.includes(Number(n))).map((n) => path.join(listingDir, n));
    if (!stale.length) return [];
    const busy = await runningFrom(stale.filter((dir) => !this.installing.has(dir)));
    const removed: number[] = [];
    let retry = false;
    for (const dir of stale) {
      if (this.installing.has(dir) || busy.has(dir)) {
        retry = true;
        continue;
      }
      await rm(dir, { recursive: true, force: true });
      removed.push(Number(path.basename(dir)));
    }
    if (retry && !this.retrying.has(listingId)) {
      const timer = setTimeout(() => {
        this.retrying.delete(listingId);
        void this.retire(listingId, keep).catch(() => undefined);
      }, this.s.retireRetryMs ?? RETIRE_RETRY_MS);
      timer.unref();
      this.retrying.set(listingId, timer);
    }
    return removed;
  }

  /** Installs once per listing version (concurrent callers share the work); resolves with the package's directory. */
  private install(dir: string, source: NpmSource): Promise<string> {
    let pending = this.installing.get(dir);
    if (!pending) {
      pending = this.doInstall(dir, source).finally(() => this.installing.delete(dir));
      this.installing.set(dir, pending);
    }
    return pending;
  }

  private async verified(dir: string, source: NpmSource): Promise<string | undefined> {
    const lock = JSON.parse(await readFile(path.join(dir, 'package-lock.json'), 'utf8').catch(() => '{}')) as { packages?: Record<string, { version?: string; integrity?: string }> };
    const entry = lock.packages?.[`node_modules/${source.package}`];
    if (!entry) return undefined;
    if (entry.version !== source.version || entry.integrity !== source.integrity) {
      throw new Error(
        `${source.package}@${source.version}: the registry's package is ${entry.version} with integrity ${entry.integrity ?? 'none'}, the listing pins ${source.integrity}`,
      );
    }
    return path.join(dir, 'node_modules', ...source.package.split('/'));
  }

  private async doInstall(dir: string, source: NpmSource): Promise<string> {
    try {
      const ready = await this.verified(dir, source);
      if (ready) return ready;
    } catch {
      // A directory left by a failed install: start again.
    }
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const home = path.join(this.s.root, '.npm-home');
    await mkdir(home, { recursive: true });
    try {
      await run(
        'npm',
        ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev', '--prefix', dir, `${source.package}@${source.version}`],
        {
          cwd: dir,
          timeout: this.s.installTimeoutMs,
          maxBuffer: 4 * 1024 * 1024,
          // npm's own environment: no secret of the platform's, a home and cache of its own.
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: home,
            npm_config_registry: this.s.registry,
            npm_config_cache: path.join(this.s.root, '.npm-cache'),
            npm_config_userconfig: path.join(home, '.npmrc'),
            npm_config_update_notifier: 'false',
          },
        },
      );
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      const e = err as Error & { stderr?: string };
      const detail = (e.stderr ?? '').split('\n').filter((l) => /ERR!/.test(l)).slice(0, 3).join(' ') || e.message;
      throw new Error(`npm install ${source.package}@${source.version} failed: ${detail}`.slice(0, 1000));
    }
    try {
      const ready = await this.verified(dir, source);
      if (!ready) throw new Error(`${source.package}@${source.version} is not in the installed tree`);
      return ready;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The script to run: `bin` when given, else the package's only bin, or the one named like the package. */
  private async entry(packageDir: string, source: NpmSource): Promise<string> {
    const manifest = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { name: string; bin?: string | Record<string, string> };
    const bins: Record<string, string> = typeof manifest.bin === 'string' ? { [manifest.name.split('/').pop()!]: manifest.bin } : (manifest.bin ?? {});
    const names = Object.keys(bins);
    const chosen = source.bin ?? (names.length === 1 ? names[0] : names.find((n) => n === manifest.name.split('/').pop()));
    if (!chosen || !bins[chosen]) throw new Error(`${source.package}@${source.version} has no bin ${source.bin ? `"${source.bin}"` : 'to run (name one with "bin")'}; it has: ${names.join(', ') || 'none'}`);
    const file = path.resolve(packageDir, bins[chosen]);
    if (!file.startsWith(packageDir + path.sep)) throw new Error(`bin "${chosen}" points outside the package`);
    return file;
  }

  async prepare(listingId: string, version: number, source: NpmSource) {
    const dir = this.dirOf(listingId, version);
    const packageDir = await this.install(dir, source);
    const script = await this.entry(packageDir, source);
    const addressSpaceKb = (this.s.memoryMb + 3584) * 1024;
    return {
      command: '/bin/sh',
      // The limits are set in the shell that then becomes Node (exec): they hold for the child and everything it starts.
      // The young generation is sized too: its default grew with V8 (Node 24's doubles the heap limit of a 96 MB old space).
      args: [
        '-c',
        `ulimit -t ${this.s.cpuSeconds} && ulimit -v ${addressSpaceKb} && exec "$0" "$@"`,
        process.execPath,
        `--max-old-space-size=${this.s.memoryMb}`,
        `--max-semi-space-size=${CHILD_SEMI_SPACE_MB}`,
        script,
        ...source.args,
      ],
      env: { HOME: dir, NODE_ENV: 'production' },
    };
  }

  async inspect(target: { command: string; args: string[]; env: Record<string, string> }, timeoutMs: number): Promise<Inspection> {
    const transport = new StdioClientTransport({ command: target.command, args: target.args, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...target.env }, stderr: 'ignore' });
    return inspectOver(transport, { timeoutMs });
  }
}
