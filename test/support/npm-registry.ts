import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * A local npm registry stand-in: it serves, in the registry's wire format (the packument at
 * `/<name>` and the tarball it names), packages packed with the real `npm pack` from folders under
 * test/fixtures. The platform's `npm install` talks to it as to registry.npmjs.org. It counts the
 * tarball downloads, so a test can tell an install from a reuse.
 */
export interface LocalRegistry {
  url: string;
  /** The sha512 integrity `npm pack` reported for each `name@version`. */
  integrity: Record<string, string>;
  downloads: number;
  close(): Promise<void>;
}

export async function startLocalRegistry(fixtureDirs: string[]): Promise<LocalRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'npm-registry-'));
  const packages = new Map<string, { manifest: Record<string, unknown>; versions: Map<string, { tarball: Buffer; file: string; integrity: string; shasum: string }> }>();
  const integrity: Record<string, string> = {};
  for (const fixture of fixtureDirs) {
    const { stdout } = await promisify(execFile)('npm', ['pack', fixture, '--json', '--pack-destination', dir], { cwd: dir });
    const [packed] = JSON.parse(stdout) as Array<{ name: string; version: string; filename: string; integrity: string; shasum: string }>;
    const tarball = await readFile(path.join(dir, packed!.filename));
    // The integrity the registry serves is the tarball's own; check that npm pack said the same.
    const computed = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    if (computed !== packed!.integrity) throw new Error(`npm pack integrity ${packed!.integrity} is not the tarball's ${computed}`);
    const manifest = JSON.parse(await readFile(path.join(fixture, 'package.json'), 'utf8')) as Record<string, unknown>;
    const entry = packages.get(packed!.name) ?? { manifest, versions: new Map() };
    entry.versions.set(packed!.version, { tarball, file: packed!.filename, integrity: packed!.integrity, shasum: packed!.shasum });
    packages.set(packed!.name, entry);
    integrity[`${packed!.name}@${packed!.version}`] = packed!.integrity;
  }
  const state: LocalRegistry = { url: '', integrity, downloads: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const tarball = url.match(/^\/(.+)\/-\/([^/]+\.tgz)$/);
    if (tarball) {
      const pkg = packages.get(tarball[1]!);
      const found = pkg && [...pkg.versions.values()].find((v) => v.file === tarball[2]);
      if (!found) return void res.writeHead(404).end();
      state.downloads += 1;
      return void res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': found.tarball.length }).end(found.tarball);
    }
    const pkg = packages.get(url.slice(1));
    if (!pkg) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
    const versions = Object.fromEntries(
      [...pkg.versions.entries()].map(([version, v]) => [
        version,
        { ...pkg.manifest, version, dist: { tarball: `${state.url}${url.slice(1)}/-/${v.file}`, integrity: v.integrity, shasum: v.shasum } },
      ]),
    );
    const latest = [...pkg.versions.keys()].pop()!;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: url.slice(1), 'dist-tags': { latest }, versions }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  state.close = async () => {
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
    await rm(dir, { recursive: true, force: true });
  };
  return state;
}
