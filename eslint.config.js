import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * The dependency direction of docs/architecture.md ("Direction"), held by `no-restricted-imports`:
 * each folder of src/ may import only the index.ts of the folders listed here (never another
 * folder's internals), and no folder imports app.ts or main.ts.
 */
const BASE = ['db', 'vault', 'config', 'tracing'];
const KIT = ['gateway', ...BASE];
export const ALLOWED_IMPORTS = {
  config: { may: [], why: 'config imports nothing of ours' },
  tracing: { may: [], why: 'tracing sits beside config and imports nothing of ours' },
  vault: { may: ['config'], why: 'vault knows no table and no component' },
  db: { may: ['config'], why: 'db imports no component' },
  gateway: { may: BASE, why: 'the gateway kit knows no component' },
  logging: { may: KIT, why: 'logging is a sink: it never calls back into others' },
  auth: { may: [...KIT, 'logging'], why: 'components use the kit below them and write to logging' },
  api: { may: [...KIT, 'logging'], why: 'components use the kit below them and write to logging' },
  oauth: { may: [...KIT, 'logging'], why: 'the authorization server gets auth\'s keys and verifier from app.ts, never imports auth' },
  catalog: { may: [...KIT, 'logging'], why: 'the catalog knows nothing of routing' },
  router: { may: [...KIT, 'catalog'], why: 'the router never imports logging (tracing helpers are in src/tracing)' },
  services: { may: BASE, why: 'services know nothing of HTTP or of the router' },
  web: { may: KIT, why: 'src/web knows no other component' },
  ops: { may: [...KIT, 'logging'], why: 'operator tasks (backup, data-subject requests) work on the database and write to the audit trail; main.ts runs them, app.ts mounts the self-service export' },
  billing: { may: [...KIT, 'logging'], why: 'metering and quotas: the router reaches it only through the kit\'s CallMetering, which app.ts hands over' },
  analytics: { may: [...KIT, 'logging'], why: 'analytics reads the rollups the request-log writer keeps (logging) and billing\'s plans and usage tables through db' },
  builder: { may: [...KIT, 'catalog', 'logging'], why: "the builder reads the catalog's service types and writes to logging (audit); the router reaches its runtime only through a factory app.ts hands over" },
  marketplace: { may: [...KIT, 'catalog', 'logging'], why: "an approved listing becomes a catalog service (registry, installs) and every decision is audited; billing's prices come through an interface app.ts hands over, and the router never sees the marketplace" },
};

/** One `no-restricted-imports` config per folder and depth: the relative specifier climbs to src/ in `depth` steps. */
function directionRules() {
  const configs = [];
  for (const [folder, { may, why }] of Object.entries(ALLOWED_IMPORTS)) {
    for (let depth = 1; depth <= 3; depth++) {
      const up = '(?:\\.\\./)'.repeat(depth);
      const indexes = may.length ? `(?:${may.join('|')})/index\\.js$|` : '';
      const nest = '*/'.repeat(depth - 1);
      // Inside a folder, a subfolder (router/endpoint) reaches a sibling (router/upstream) through its index.ts too.
      const siblings =
        depth > 1
          ? [{ regex: '^\\.\\./[^./][^/]*/(?!index\\.js$)', message: `Import a sibling folder of src/${folder} only through its index.ts (docs/architecture.md).` }]
          : [];
      configs.push({
        files: [`src/${folder}/${nest}*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              patterns: [
                { regex: `^${up}(?:app|main|startup-heap)\\.js$`, message: 'No folder of src/ imports app.ts or main.ts (docs/architecture.md).' },
                {
                  regex: `^${up}(?!${indexes}${folder}/)[^./][^/]*/`,
                  message: `src/${folder} may import only the index.ts of: ${may.join(', ') || 'nothing of ours'}. Why: ${why} (docs/architecture.md, "Direction").`,
                },
                ...siblings,
              ],
            },
          ],
        },
      });
    }
  }
  // app.ts and main.ts import every folder, but only through its index.ts.
  configs.push({
    files: ['src/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\./(?![^/]+/index\\.js$)[^/]+/', message: "Import another folder only through its index.ts (docs/architecture.md)." }] },
      ],
    },
  });
  return configs;
}

export default tseslint.config(
  // web/src/api/schema.d.ts is generated (npm run web:api); web/dist is the web app's build.
  { ignores: ['dist/', '.memory-test-build-*/', 'node_modules/', 'data/', 'coverage/', 'web/dist/', 'web/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['bin/**', 'bench/**', 'test/**', 'src/main.ts', 'web/scripts/**'],
    rules: { 'no-console': 'off' },
  },
  ...directionRules(),
  // The web app (React): the rules of hooks.
  {
    files: ['web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
);
