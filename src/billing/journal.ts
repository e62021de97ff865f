import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { StampedUsageEvent } from './meter.js';

/**
 * The usage journal of the embedded store (docs/billing.md, "The journal on embedded PGlite"): an
 * append-only file beside PGlite's data directory where a call's usage event is written before the
 * call is answered. The writer inserts the journal's events into PGlite in batches behind the
 * answers, and removes a segment once all its events are committed; a segment left by a crash is
 * read again at the next start and inserted by event key (`on conflict do nothing`), so an event
 * written twice is counted once.
 *
 * Why: on PGlite every statement is a hop to its worker thread and a run of the WebAssembly
 * postgres, ~1.3 ms of CPU for a one-event batch, which is what a call paid when calls came spread
 * out (docs/benchmarks.md, "Metering cost"). A write(2) of one line costs microseconds. Each event is
 * one line of JSON written with one `writeSync` (the process's own data survives its crash: it is in
 * the kernel once the call returns); it is not fsynced, so a power loss of the machine can lose the
 * last events written, as PGlite's own last commits without fsync can.
 *
 * Files: `current.ndjson` takes the appends; `seal()` renames it to `sealed-<n>.ndjson` and opens a
 * new one, so the events the writer is about to insert are in files it can remove when done.
 */
export class UsageJournal {
  private fd: number | undefined;
  private currentCount = 0;
  private nextSeal: number;
  private readonly log: Logger;

  private constructor(
    readonly dir: string,
    logger: Logger,
    nextSeal: number,
  ) {
    this.log = logger.child({ 'event.dataset': 'mcp-platform.usage' });
    this.nextSeal = nextSeal;
  }

  /**
   * Opens the journal in `dir` (created when missing). Resolves with the journal and the events a
   * previous process left (each file's, with the file to remove once they are committed): a line cut
   * short by a crash mid-write is skipped, as no call was answered for it.
   */
  static open(dir: string, logger: Logger): { journal: UsageJournal; leftovers: Array<{ file: string; events: StampedUsageEvent[] }> } {
    fs.mkdirSync(dir, { recursive: true });
    const files = fs.readdirSync(dir).filter((f) => f === CURRENT || SEALED.test(f));
    const sealNumbers = files.map((f) => Number(SEALED.exec(f)?.[1] ?? -1));
    const journal = new UsageJournal(dir, logger, Math.max(-1, ...sealNumbers) + 1);
    const leftovers: Array<{ file: string; events: StampedUsageEvent[] }> = [];
    // Sealed files first, in order, then the crashed process's current file (sealed now, so appends start afresh).
    const ordered = files.filter((f) => f !== CURRENT).sort((a, b) => Number(SEALED.exec(a)![1]) - Number(SEALED.exec(b)![1]));
    if (files.includes(CURRENT)) ordered.push(journal.sealFile(path.join(dir, CURRENT)));
    for (const f of ordered) {
      const file = path.join(dir, f);
      const events = parseSegment(fs.readFileSync(file, 'utf8'), (line, err) =>
        journal.log.warn({ file, line, err: { message: err } }, 'a usage journal line could not be read; skipped (a write cut short by a crash: its call was not answered)'),
      );
      if (events.length) leftovers.push({ file, events });
      else fs.rmSync(file, { force: true });
    }
    if (leftovers.length) journal.log.info({ 'usage_journal.files': leftovers.length, 'usage_events.recovered': leftovers.reduce((n, l) => n + l.events.length, 0) }, 'usage events left in the journal by the last run are written again (once each, by key)');
    return { journal, leftovers };
  }

  /** Writes one event; throws when the file cannot be written (the caller writes the event to the database instead). */
  append(event: StampedUsageEvent): void {
    this.fd ??= fs.openSync(path.join(this.dir, CURRENT), 'a');
    fs.writeSync(this.fd, serialize(event));
    this.currentCount++;
  }

  /** Events appended since the last seal. */
  get unsealed(): number {
    return this.currentCount;
  }

  /** Closes the file of the events appended so far and returns its path (undefined: none appended). */
  seal(): string | undefined {
    if (this.fd === undefined) return undefined;
    fs.closeSync(this.fd);
    this.fd = undefined;
    this.currentCount = 0;
    return path.join(this.dir, this.sealFile(path.join(this.dir, CURRENT)));
  }

  /** Removes a sealed file whose events are all committed. */
  remove(file: string): void {
    try {
      fs.rmSync(file, { force: true });
    } catch (err) {
      // Left behind, its events are written again at the next start and skipped by key: harmless.
      this.log.warn({ file, err: { message: (err as Error).message } }, 'a written usage journal file could not be removed');
    }
  }

  /** Closes the current file (its events stay for the next start unless the writer sealed and removed them). */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private sealFile(from: string): string {
    const name = `sealed-${this.nextSeal++}.ndjson`;
    fs.renameSync(from, path.join(this.dir, name));
    return name;
  }
}

const CURRENT = 'current.ndjson';
const SEALED = /^sealed-(\d+)\.ndjson$/;

/** One event as one line; the fields in a fixed order, the time as epoch ms. */
function serialize(e: StampedUsageEvent): string {
  return `${JSON.stringify([e.key, e.userId, e.service, e.listingVersion, e.tool, e.units, e.status, e.latencyMs, e.at.getTime()])}\n`;
}

function parseSegment(text: string, onBadLine: (line: number, err: string) => void): StampedUsageEvent[] {
  const events: StampedUsageEvent[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (!line) continue;
    try {
      const [key, userId, service, listingVersion, tool, units, status, latencyMs, at] = JSON.parse(line) as unknown[];
      if (typeof key !== 'string' || typeof userId !== 'string' || typeof service !== 'string' || typeof units !== 'number' || typeof latencyMs !== 'number' || typeof at !== 'number' || (status !== 'ok' && status !== 'error')) {
        throw new Error('not a usage event');
      }
      events.push({
        key,
        userId,
        service,
        listingVersion: typeof listingVersion === 'string' ? listingVersion : null,
        tool: typeof tool === 'string' ? tool : null,
        units,
        status,
        latencyMs,
        at: new Date(at),
      });
    } catch (err) {
      onBadLine(i + 1, (err as Error).message);
    }
  }
  return events;
}
