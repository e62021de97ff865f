/** Whether a process with this pid still exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Polls until `done` holds (every 50 ms, at most `boundMs`); returns the time it took, or throws
 * `${what}: not within ${boundMs} ms`. For recovery times a fault test prints, not for assertions on them.
 */
export async function waitUntil(what: string, done: () => boolean | Promise<boolean>, boundMs = 20_000): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < boundMs) {
    if (await done()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not within ${boundMs} ms`);
}
