import { spawn, type ChildProcess } from 'node:child_process';
import { ReadBuffer, serializeMessage, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';

/**
 * A stdio client transport that, unlike the SDK's, starts the child as the leader of its own
 * process group (`detached`), so that stopping it also stops everything it spawned (`npx -y ...`
 * runs node under a shell under npm). `close()` signals the whole group with SIGTERM, waits for
 * the child's exit, and escalates to SIGKILL after `killGraceMs`. The environment is exactly the
 * one given: nothing of the parent's is inherited.
 */
export interface ProcessGroupStdioOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  killGraceMs?: number;
  maxBufferSize?: number;
  /** Receives stderr lines (already bounded); default: discarded. */
  onStderr?: (line: string) => void;
}

export class ProcessGroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  private child?: ChildProcess;
  private readonly buffer: ReadBuffer;
  private exited?: Promise<void>;
  private closed = false;

  constructor(private readonly options: ProcessGroupStdioOptions) {
    this.buffer = new ReadBuffer({ maxBufferSize: options.maxBufferSize });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    if (this.child) throw new Error('ProcessGroupStdioTransport already started');
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.command, this.options.args, {
        env: this.options.env,
        cwd: this.options.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        windowsHide: true,
        shell: false,
      });
      this.child = child;
      this.exited = new Promise((done) => child.once('exit', () => done()));
      child.once('error', (err) => {
        reject(err);
        this.onerror?.(err);
      });
      child.once('spawn', () => resolve());
      child.once('close', () => {
        this.child = undefined;
        this.finish();
      });
      child.stdin?.on('error', (err) => this.onerror?.(err));
      child.stdout?.on('data', (chunk: Buffer) => {
        try {
          this.buffer.append(chunk);
        } catch (err) {
          this.onerror?.(err as Error);
          void this.close();
          return;
        }
        this.drain();
      });
      child.stdout?.on('error', (err) => this.onerror?.(err));
      let stderrTail = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        if (!this.options.onStderr) return;
        stderrTail = (stderrTail + chunk.toString('utf8')).slice(-8192);
        const lines = stderrTail.split('\n');
        stderrTail = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) this.options.onStderr(line.slice(0, 1000));
      });
    });
  }

  private drain(): void {
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (err) {
        this.onerror?.(err as Error);
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.clear();
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || stdin.destroyed) return reject(new Error('Not connected'));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Stops the process group: SIGTERM, wait, SIGKILL after the grace period; resolves after exit. */
  async close(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null && child.pid) {
      const pid = child.pid;
      child.stdin?.end();
      signalGroup(pid, 'SIGTERM');
      const grace = setTimeout(() => signalGroup(pid, 'SIGKILL'), this.options.killGraceMs ?? 2000);
      await this.exited;
      clearTimeout(grace);
      // Leftover members of the group (a grandchild that ignored SIGTERM) get SIGKILL.
      signalGroup(pid, 'SIGKILL');
    } else if (child?.pid) {
      signalGroup(child.pid, 'SIGKILL');
    }
    this.finish();
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}
