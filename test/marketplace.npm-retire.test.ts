import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NpmInstaller } from '../src/marketplace/index.js';

/**
 * Tidying an npm listing's version directories (src/marketplace/npm.ts, `retire`): a directory a
 * process still runs from is kept and tried again later, and that retry reads the versions to keep
 * afresh, so a version approved in between is not removed. Real processes (a `node` whose command
 * line names a file in the directory, as a listing's child does), real directories; no npm install.
 */
describe('npm listings: retiring old version directories', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('a busy directory is retried, and the retry keeps a version that became live meanwhile', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'npm-retire-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    const listing = randomUUID();
    for (const v of [1, 2, 3]) {
      await mkdir(path.join(root, listing, String(v)), { recursive: true });
      await writeFile(path.join(root, listing, String(v), 'bin.js'), 'setTimeout(() => {}, 60_000);\n');
    }
    // A child still runs from version 1.
    const child: ChildProcess = spawn(process.execPath, [path.join(root, listing, '1', 'bin.js')], { stdio: 'ignore' });
    cleanup.push(() => void child.kill('SIGKILL'));
    await new Promise((r) => setTimeout(r, 200));

    const installer = new NpmInstaller({ root, registry: 'http://127.0.0.1:9', cpuSeconds: 60, memoryMb: 128, installTimeoutMs: 1_000, retireRetryMs: 300 });
    // Version 3 is live; 1 and 2 are superseded. 2 goes now, 1 waits for its child.
    let keep = [3];
    const reads: number[][] = [];
    const versionsToKeep = async () => {
      reads.push([...keep]);
      return keep;
    };
    expect(await installer.retire(listing, versionsToKeep)).toEqual([2]);
    // Another decision while 1 is busy schedules no second retry.
    expect(await installer.retire(listing, versionsToKeep)).toEqual([]);
    // Meanwhile version 1 is live again (a rollback approved): the retry must keep it.
    keep = [1];
    child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await readdir(path.join(root, listing))).sort()).toEqual(['1']);
    // Two calls and exactly one retry read the versions to keep.
    expect(reads).toEqual([[3], [3], [1]]);
  });
});
