import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * What a page of the production build loads, in gzipped JavaScript (`gzip -9`): the entry and its
 * static imports, plus a page's lazy chunk and its static imports. `npm run size:web` after
 * `npm run build:web`; docs/web.md reports the figures. A page is named by its chunk's prefix.
 */
const dist = path.resolve(import.meta.dirname, '../dist');
const assets = path.join(dist, 'assets');
const gz = new Map<string, number>();
const sizeOf = (file: string) => {
  let n = gz.get(file);
  if (n === undefined) {
    n = gzipSync(readFileSync(path.join(assets, file)), { level: 9 }).length;
    gz.set(file, n);
  }
  return n;
};
/** A chunk and every chunk it imports statically (`from "./x.js"` / `import "./x.js"`), not the lazy `import("./x.js")`. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(path.join(assets, file), 'utf8');
  for (const m of code.matchAll(/(?:from|import)\s*["']\.\/([^"']+\.js)["']/g)) closure(m[1]!, seen);
  return seen;
}
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const entry = /src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
if (!entry) throw new Error('no entry script in web/dist/index.html: run npm run build:web');
const shell = closure(entry);
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
const total = (files: Set<string>) => [...files].reduce((n, f) => n + sizeOf(f), 0);
console.log(`entry (${entry} + static imports): ${kb(total(shell))}`);
const { readdirSync } = await import('node:fs');
const pages = readdirSync(assets).filter((f) => /-page-[A-Za-z0-9_-]+\.js$/.test(f)).sort();
for (const page of pages) {
  const files = closure(page, new Set(shell));
  console.log(`${page.replace(/-[A-Za-z0-9_-]{8}\.js$/, '').padEnd(22)} ${kb(total(files))}`);
}
