import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resealColumn, Vault, type RotationFailure, type SealedColumn, type SealedRow } from '../src/vault/index.js';

/**
 * The vault's re-seal loop over a column a component supplies (src/vault/rotation.ts), with a real
 * Vault. The column here is an ordered array with compare-and-set, as the catalog's and auth's
 * columns are over their tables (those run for real in test/rotate-keys.test.ts); it spans several
 * pages so the paging is exercised too.
 */
const key = (id: string) => ({ id, key: randomBytes(32) });

function arrayColumn(rows: SealedRow[], lostRace: Set<string>): SealedColumn & { rows: SealedRow[] } {
  return {
    table: 'things',
    rows,
    async page(after, limit) {
      return rows.filter((r) => after === undefined || r.id > after).slice(0, limit).map((r) => ({ ...r }));
    },
    async replace(row, resealed) {
      const stored = rows.find((r) => r.id === row.id);
      if (!stored || stored.sealed !== row.sealed || lostRace.has(row.id)) return false;
      stored.sealed = resealed;
      return true;
    },
  };
}

describe('vault: resealColumn', () => {
  it('re-seals every value not under the active key, page by page; counts what it skips, loses or cannot open', async () => {
    const old = key('old');
    const next = key('next');
    const before = new Vault(old);
    const after = new Vault(next, [old]);
    const stranger = new Vault(key('gone'));
    const rows: SealedRow[] = [];
    for (let i = 0; i < 1_203; i++) {
      const id = `row-${String(i).padStart(5, '0')}`;
      const context = `thing:${i}`;
      const sealer = i % 100 === 1 ? after : i === 7 ? stranger : before;
      rows.push({ id, context, sealed: sealer.seal(`value-${i}`, context) });
    }
    const column = arrayColumn(rows, new Set(['row-00042']));
    const failures: RotationFailure[] = [];
    const count = await resealColumn(after, column, (f) => failures.push(f));

    const alreadyNew = rows.filter((_, i) => i % 100 === 1).length;
    expect(count).toEqual({ total: 1_203, rotated: 1_203 - alreadyNew - 2, unchanged: alreadyNew + 1, failed: 1 });
    expect(failures).toEqual([{ table: 'things', id: 'row-00007', keyId: 'gone', reason: expect.stringMatching(/unknown master key/) }]);
    // Everything but the two it could not or did not write now opens with the new key alone.
    const onlyNew = new Vault(next);
    for (const [i, row] of rows.entries()) {
      if (i === 7 || i === 42) continue;
      expect(onlyNew.openString(row.sealed, row.context)).toBe(`value-${i}`);
    }
    // Running again changes nothing more.
    const again = await resealColumn(after, arrayColumn(rows, new Set()));
    expect(again).toEqual({ total: 1_203, rotated: 1, unchanged: 1_203 - 2, failed: 1 });
  });
});
