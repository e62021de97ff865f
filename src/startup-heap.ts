import v8 from 'node:v8';

/**
 * Keeps V8's young generation at its initial size while the platform starts.
 *
 * Loading the platform's modules, migrating and bootstrapping allocate mostly objects that live on,
 * which makes V8 double the young generation at each scavenge up to its maximum (two 16 MB
 * semi-spaces), and an idle server then keeps those 32 MB resident for nothing: measured 30 MB
 * of the platform's idle RSS (issue 11 §5, docs/benchmarks.md). Growth is held off from the first
 * import (main.ts imports this module first) until `startupDone()`, which gives V8 its default
 * back, so under load the young generation grows as usual.
 *
 * An operator who sets the factor or the semi-space size themselves (NODE_OPTIONS, node flags)
 * keeps their setting: nothing is changed then.
 */
const DEFAULT_GROWTH_FACTOR = 2; // V8's default for --semi-space-growth-factor
const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
const ownSetting = flags.some((f) => /^--(semi[-_]space[-_]growth[-_]factor|(max|min)[-_]semi[-_]space[-_]size)/.test(f));

if (!ownSetting) v8.setFlagsFromString('--semi-space-growth-factor=1');

/** The platform has started: the young generation may grow again. */
export function startupDone(): void {
  if (!ownSetting) v8.setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`);
}
