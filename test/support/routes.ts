import type express from 'express';

/** One route Express serves: method (lower case) and path in OpenAPI form (`{id}`). */
export interface ServedRoute {
  method: string;
  path: string;
}

interface LayerLike {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

const toOpenApi = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function join(prefix: string, p: string): string {
  const joined = `${prefix.replace(/\/+$/, '')}/${p.replace(/^\/+/, '')}`;
  return joined.length > 1 ? joined.replace(/\/+$/, '') : joined;
}

function walk(stack: LayerLike[], prefix: string, out: ServedRoute[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const p of paths) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push({ method, path: toOpenApi(join(prefix, p)) });
        }
      }
    } else if (layer.handle?.stack) {
      const raw = Array.isArray(layer.rawPath) ? layer.rawPath[0] : layer.rawPath;
      walk(layer.handle.stack, join(prefix, typeof raw === 'string' ? raw : '/'), out);
    }
  }
}

/** Every route registered on an Express 5 app, walking mounted routers. */
export function servedRoutes(app: express.Express): ServedRoute[] {
  const out: ServedRoute[] = [];
  walk((app as unknown as { router: { stack: LayerLike[] } }).router.stack, '/', out);
  return out;
}
