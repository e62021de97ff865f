import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The dependency direction of docs/architecture.md is held by ESLint (`no-restricted-imports`,
 * eslint.config.js). These lint one-line sources as if they sat at the given path, with the
 * project's own config: each wrong direction must be refused and each right one let through.
 */
const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, '..') });

async function restricted(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const used = x;\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('dependency direction (lint)', () => {
  it.each([
    ['the router imports logging', 'src/router/endpoint/x.ts', "import { x } from '../../logging/index.js';"],
    ['the router re-exports from logging', 'src/router/x.ts', "export { x } from '../logging/index.js';"],
    ['a component imports app.ts', 'src/auth/x.ts', "import { x } from '../app.js';"],
    ['db imports a component', 'src/db/x.ts', "import { x } from '../auth/index.js';"],
    ['db imports the gateway kit', 'src/db/migrations/x.ts', "import { x } from '../../gateway/index.js';"],
    ['config imports anything of ours', 'src/config/x.ts', "import { x } from '../tracing/index.js';"],
    ['a folder imports another folder\'s internals', 'src/auth/x.ts', "import { x } from '../db/schema.js';"],
    ['the catalog imports the router', 'src/catalog/x.ts', "import { x } from '../router/index.js';"],
    ['the gateway kit imports a component', 'src/gateway/x.ts', "import { x } from '../logging/index.js';"],
    ['app.ts imports a folder\'s internals', 'src/app.ts', "import { x } from './router/upstream/index.js';"],
    ['a router part imports another part\'s internals', 'src/router/endpoint/x.ts', "import { x } from '../upstream/http-balancer.js';"],
  ])('refuses: %s', async (_what, filePath, source) => {
    const messages = await restricted(filePath, source);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/docs\/architecture\.md/);
  });

  it.each([
    ['the router imports the tracing helpers', 'src/router/upstream/x.ts', "import { x } from '../../tracing/index.js';"],
    ['the router imports its own parts', 'src/router/endpoint/x.ts', "import { x } from '../contracts.js';"],
    ['a router part imports another part through its index.ts', 'src/router/endpoint/x.ts', "import { x } from '../upstream/index.js';"],
    ['a component imports the gateway kit', 'src/auth/x.ts', "import { x } from '../gateway/index.js';"],
    ['auth writes to logging', 'src/auth/x.ts', "import { x } from '../logging/index.js';"],
    ['app.ts imports a component', 'src/app.ts', "import { x } from './router/index.js';"],
  ])('allows: %s', async (_what, filePath, source) => {
    expect(await restricted(filePath, source)).toEqual([]);
  });
});
