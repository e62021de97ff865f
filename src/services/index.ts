/** MCP services we write ourselves. Each is a small SDK server, bound per caller; stateless. */
import { notesServer } from './notes/index.js';
import type { BuiltinDeps, BuiltinServer } from './types.js';

export type { BuiltinCaller, BuiltinDeps, BuiltinServer } from './types.js';

/** Builtin servers by name (the catalog's `builtin.server`). */
export const builtinServers: Record<string, (deps: BuiltinDeps) => BuiltinServer> = {
  notes: notesServer,
};

/** Every builtin server, bound to its dependencies. */
export function createBuiltinServers(deps: BuiltinDeps): Record<string, BuiltinServer> {
  return Object.fromEntries(Object.entries(builtinServers).map(([name, make]) => [name, make(deps)]));
}
