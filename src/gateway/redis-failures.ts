import type { Redis } from '../db/index.js';

/**
 * Which errors are the shared Redis connection's own failures (closed, not writeable while it
 * reconnects, retries exhausted), known by where they came from rather than by their wording:
 * ioredis rejects them as plain `Error`s whose text a database driver or an upstream could equally
 * say. `markRedisFailures` wraps the connection's `sendCommand` so every command's rejection that is
 * not Redis's own reply (`ReplyError`: the command reached Redis and was refused) is recorded here
 * before any caller sees it. The rate-limit store marks the connection it is given (the shared one).
 */
const failures = new WeakSet<object>();
const marked = new WeakSet<object>();
const wrappers = new WeakSet<object>();

interface RejectingCommand {
  reject?: (err: Error) => void;
}

export function markRedisFailures(redis: Redis): void {
  if (marked.has(redis)) return;
  marked.add(redis);
  // A wrapper already on the connection itself is kept and called; otherwise the class's method is
  // looked up at each call, not kept, so what wraps the prototype later still sees every command.
  const own = Object.prototype.hasOwnProperty.call(redis, 'sendCommand') ? redis.sendCommand : undefined;
  const proto = Object.getPrototypeOf(redis) as Redis;
  redis.sendCommand = function (this: Redis, command: Parameters<Redis['sendCommand']>[0], ...rest: unknown[]) {
    const c = command as unknown as RejectingCommand;
    const reject = c.reject;
    // ioredis re-sends a command through here after a reconnect: wrap its reject once.
    if (reject && !wrappers.has(reject)) {
      const wrapped = (err: Error) => {
        if (err && typeof err === 'object' && err.name !== 'ReplyError') failures.add(err);
        reject(err);
      };
      wrappers.add(wrapped);
      c.reject = wrapped;
    }
    return ((own ?? proto.sendCommand) as (...args: unknown[]) => ReturnType<Redis['sendCommand']>).call(this, command, ...rest);
  } as Redis['sendCommand'];
}

/** True for a failure of a Redis connection marked with `markRedisFailures` (not a reply error). */
export function isRedisFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && failures.has(err);
}
