import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web app (docs/web.md). `npm run build:web` writes web/dist, which the platform serves at `/`
 * (src/web). `npm run dev:web` serves it with hot reload and forwards the API to a platform on
 * http://127.0.0.1:8080 (`npm run dev` in another terminal; PLATFORM_URL to point elsewhere).
 */
const platform = process.env.PLATFORM_URL ?? 'http://127.0.0.1:8080';
const forwarded = ['/v1', '/auth', '/mcp', '/.well-known', '/healthz', '/readyz'];

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // The entry chunk (React, Mantine, supabase-js, TanStack Query) is ~190 kB gzipped; pages load lazily.
    chunkSizeWarningLimit: 700,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(forwarded.map((p) => [p, { target: platform, changeOrigin: false }])),
  },
});
