import { spawn, type ChildProcess } from 'node:child_process';
import { ReadBuffer, serializeMessage, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import { responseTooLarge } from './response-cap.js';

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
  /**
   * `MCP_MAX_RESPONSE_BYTES`: a line (one JSON-RPC message) longer than this is dropped as it
   * arrives, never buffered whole; the request it answers gets a JSON-RPC error naming the cap.
   */
  maxMessageBytes?: number;
  /** Receives stderr lines (already bounded); default: discarded. */
  onStderr?: (line: string) => void;
}

export class ProcessGroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  private child?: ChildProcess;
  private readonly buffer = new ReadBuffer();
  private exited?: Promise<void>;
  private closed = false;
  /** The line in progress: its size so far, its first and (once oversized) last few bytes. */
  private lineBytes = 0;
  private lineHead = Buffer.alloc(0);
  private lineTail?: Buffer;

  constructor(private readonly options: ProcessGroupStdioOptions) {}

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
        for (let start = 0; start < chunk.length; ) {
          const newline = chunk.indexOf(LF, start);
          const end = newline < 0 ? chunk.length : newline + 1;
          this.take(chunk.subarray(start, end), newline >= 0);
          start = end;
        }
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

  /** One piece of stdout that lies within one line (`endsLine`: it ends with the line's LF). */
  private take(piece: Buffer, endsLine: boolean): void {
    if (this.lineHead.length < EDGE_BYTES) this.lineHead = Buffer.concat([this.lineHead, piece.subarray(0, EDGE_BYTES - this.lineHead.length)]);
    this.lineBytes += piece.length;
    const limit = this.options.maxMessageBytes;
    if (!this.lineTail && limit !== undefined && this.lineBytes > limit) {
      // Complete lines were read already, so the buffer holds only this line's start: drop it.
      this.buffer.clear();
      this.lineTail = Buffer.alloc(0);
    }
    if (this.lineTail) {
      this.lineTail = Buffer.from(piece.length >= EDGE_BYTES ? piece.subarray(-EDGE_BYTES) : Buffer.concat([this.lineTail, piece]).subarray(-EDGE_BYTES));
    } else {
      this.buffer.append(piece);
    }
    if (!endsLine) return;
    if (this.lineTail) this.refuseOversized(this.lineHead, this.lineTail, limit!);
    else this.drain();
    this.lineBytes = 0;
    this.lineHead = Buffer.alloc(0);
    this.lineTail = undefined;
  }

  /** An answer above the cap becomes an error for the request it answers (found by its id), never a hang. */
  private refuseOversized(head: Buffer, tail: Buffer, limit: number): void {
    const err = responseTooLarge(limit);
    const id = oversizedMessageId(head.toString('utf8'), tail.toString('utf8'));
    if (id === undefined) {
      this.onerror?.(err);
      return;
    }
    this.onmessage?.({ jsonrpc: '2.0', id, error: { code: err.jsonRpcCode, message: err.message, data: { reason: err.upstreamCode } } });
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

const LF = 0x0a;
/** How much of an oversized line's start and end is kept to find its JSON-RPC id. */
const EDGE_BYTES = 256;

/**
 * The top-level `id` of a JSON-RPC response line known only by its first and last bytes: SDK
 * servers write it either first (`{"jsonrpc":"2.0","id":7,...`) or last (`...,"jsonrpc":"2.0","id":7}`).
 * A nested `"id"` never matches: at the head it follows another key's value, at the tail a `}`
 * follows it that is not the line's last. Undefined for a request or notification (it has `method`).
 */
export function oversizedMessageId(head: string, tail: string): string | number | undefined {
  const value = String.raw`(-?\d+|"(?:[^"\\]|\\.)*")`;
  const atHead = new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${value}\s*,\s*"(?:result|error)"`).exec(head);
  const atTail = new RegExp(String.raw`[{,]\s*"id"\s*:\s*${value}\s*\}\s*$`).exec(tail);
  const raw = atHead?.[1] ?? atTail?.[1];
  if (raw === undefined || (!atHead && /^\s*\{\s*"method"/.test(head))) return undefined;
  return JSON.parse(raw) as string | number;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}
