import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../src/config/index.js';

/** The README is the operator's reference: every setting the code reads must be in its table. */
describe('README', () => {
  const readme = readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');

  it('documents every environment variable in the configuration table', () => {
    const rows = new Set([...readme.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
    const missing = CONFIG_VARIABLES.filter((name) => !rows.has(name));
    expect(missing, 'variables missing from the README table').toEqual([]);
    const unknown = [...rows].filter((name) => !CONFIG_VARIABLES.includes(name!));
    expect(unknown, 'README rows for variables the code does not read').toEqual([]);
  });

  it('names the two setup commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
