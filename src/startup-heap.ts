import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Gives back the young generation that the platform's start-up grew.
 *
 * Loading the platform's modules, migrating and bootstrapping allocate mostly objects that live on,
 * so V8 doubles the young generation at each scavenge up to its maximum (two 16 MB semi-spaces),
 * and an idle server then keeps those 32 MB resident for nothing (measured: 30 MB of the idle RSS,
 * docs/benchmarks.md, "Memory"). Two V8 behaviours, one per Node line we run on:
 * - Node 20 (V8 11) reads `--semi-space-growth-factor` at each growth: growth is held off from the
 *   first import (main.ts imports this module first) until `startupDone()` restores the default.
 * - Node 22 (V8 12) ignores that factor but shrinks the young generation in a memory-reducing full
 *   GC: `startupDone()` runs one, once, before the server listens (tens to a few hundred ms).
 * Under load the young generation grows again as usual in both.
 *
 * An operator who sizes the young generation themselves (NODE_OPTIONS or node flags:
 * --max-semi-space-size, --min-semi-space-size, --semi-space-growth-factor) keeps their setting:
 * nothing here runs then.
 */
const DEFAULT_GROWTH_FACTOR = 2; // V8's default for --semi-space-growth-factor
const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
const ownSetting = flags.some((f) => /^--(semi[-_]space[-_]growth[-_]factor|(max|min)[-_]semi[-_]space[-_]size)/.test(f));

if (!ownSetting) v8.setFlagsFromString('--semi-space-growth-factor=1');

/** The platform has started: one memory-reducing GC, and the young generation may grow again. */
export function startupDone(): void {
  if (ownSetting) return;
  v8.setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`);
  // The `gc` function of a fresh context (the flag applies to contexts created after it is set),
  // as Jest does for its leak detection; the flag is turned off again for later contexts.
  v8.setFlagsFromString('--expose-gc');
  // Flags are process-wide: another thread (a second PGlite worker starting) may have switched it
  // off again in between; then there is no GC this time (best effort, never an error).
  const gc = runInNewContext("typeof gc === 'function' ? gc : undefined") as ((options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void) | undefined;
  v8.setFlagsFromString('--no-expose-gc');
  gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
