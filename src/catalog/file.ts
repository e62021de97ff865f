import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { serviceInputSchema, type ServiceInput } from './definition.js';
import { PackageResolutionError, resolvePackageScript } from './packages.js';

/** `catalog/services.yaml` at the root of the installed platform (src/… and dist/… alike). */
export const DEFAULT_CATALOG_FILE = fileURLToPath(new URL('../../catalog/services.yaml', import.meta.url));

export class CatalogFileError extends Error {
  override name = 'CatalogFileError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid service catalog ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const fileSchema = z.strictObject({
  version: z.literal(1),
  services: z.array(z.unknown()).max(500),
});

/** Reads, validates and checks the catalog file. Every problem names the entry (index + slug) and field. */
export async function loadCatalogFile(file: string, builtinNames: ReadonlySet<string>): Promise<ServiceInput[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CatalogFileError(file, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new CatalogFileError(file, [`not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`]);
  }
  const top = fileSchema.safeParse(raw);
  if (!top.success) {
    throw new CatalogFileError(file, top.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`));
  }
  const problems: string[] = [];
  const entries: ServiceInput[] = [];
  const seen = new Set<string>();
  top.data.services.forEach((item, index) => {
    const slug = (item as { slug?: unknown } | null)?.slug;
    const label = `services[${index}]${typeof slug === 'string' ? ` (${slug})` : ''}`;
    const parsed = serviceInputSchema.safeParse(item);
    if (!parsed.success) {
      for (const i of parsed.error.issues) problems.push(`${label}.${i.path.join('.') || '(entry)'}: ${i.message}`);
      return;
    }
    const entry = parsed.data;
    if (seen.has(entry.slug)) problems.push(`${label}.slug: duplicate slug "${entry.slug}"`);
    seen.add(entry.slug);
    if (entry.kind === 'builtin' && !builtinNames.has(entry.builtin.server)) {
      problems.push(`${label}.builtin.server: no builtin server "${entry.builtin.server}" (known: ${[...builtinNames].join(', ') || 'none'})`);
    }
    if (entry.kind === 'stdio' && entry.stdio.package && entry.enabled) {
      try {
        resolvePackageScript(entry.stdio.package.name, entry.stdio.package.script);
      } catch (err) {
        if (!(err instanceof PackageResolutionError)) throw err;
        problems.push(`${label}.stdio.package: ${err.message}`);
      }
    }
    entries.push(entry);
  });
  if (problems.length) throw new CatalogFileError(file, problems);
  return entries;
}
