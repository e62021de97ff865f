import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Resolves "a script inside an npm package" to an absolute path, so a catalog entry can run a
 * server that is a dependency of the platform with the platform's own Node binary: no `npx`,
 * no network, works right after `npm install`.
 */
const require = createRequire(import.meta.url);
const cache = new Map<string, string>();

export class PackageResolutionError extends Error {
  override name = 'PackageResolutionError';
}

export function packageDirectory(name: string): string {
  const cached = cache.get(name);
  if (cached) return cached;
  let dir: string | undefined;
  try {
    dir = path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    // The package's "exports" may hide package.json: walk up from its entry point instead.
    try {
      let d = path.dirname(require.resolve(name));
      while (d !== path.dirname(d)) {
        const pj = path.join(d, 'package.json');
        if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === name) {
          dir = d;
          break;
        }
        d = path.dirname(d);
      }
    } catch {
      dir = undefined;
    }
  }
  if (!dir) throw new PackageResolutionError(`npm package "${name}" is not installed (run npm install)`);
  cache.set(name, dir);
  return dir;
}

export function resolvePackageScript(name: string, script: string): string {
  const dir = packageDirectory(name);
  const file = path.resolve(dir, script);
  if (!file.startsWith(dir + path.sep)) throw new PackageResolutionError(`script "${script}" is outside package "${name}"`);
  if (!existsSync(file)) throw new PackageResolutionError(`script "${script}" not found in npm package "${name}"`);
  return file;
}
