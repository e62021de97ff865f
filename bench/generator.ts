/** The orchestrator's handle on the load generator (bench/load.ts), a forked child process. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { FromGenerator, Job, JobResult } from './jobs.js';
import { stop } from './procs.js';

const ROOT = path.resolve(import.meta.dirname, '..');

export class Generator {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: JobResult) => void; reject: (e: Error) => void }>();
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (msg: FromGenerator) => {
      if ('ready' in msg) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if ('result' in msg) p.resolve(msg.result);
      else p.reject(new Error(`load generator: ${msg.error}`));
    });
    child.once('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`load generator exited (${code})`));
      this.pending.clear();
    });
  }

  static async start(): Promise<Generator> {
    const child = fork(path.join(ROOT, 'bench', 'load.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`load generator exited (${code}) before it was ready`)));
    });
    return new Generator(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  run(job: Job): Promise<JobResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, job });
    });
  }

  async stop(): Promise<void> {
    if (this.child.connected) this.child.send({ id: 0, stop: true });
    await stop(this.child);
  }
}

