import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * The web app's test kit: a fresh production build of web/ (vite, the same config as
 * `npm run build:web`) into a temp dir, and Debian's Chromium driven by playwright-core.
 * No browser is ever downloaded: `.ci/run` installs `chromium` with apt.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** True when the browser tests can run; under CI a missing browser must fail, not skip. */
export const browserAvailable = existsSync(CHROMIUM_PATH);
export const skipBrowserTests = !browserAvailable && !process.env.CI;

export interface WebBuild {
  distDir: string;
  close(): Promise<void>;
}

/** Builds web/ into a temp dir (the tests never touch a developer's web/dist). */
export async function buildWebApp(): Promise<WebBuild> {
  const { build } = await import('vite');
  const outDir = await mkdtemp(path.join(tmpdir(), 'mcp-platform-web-'));
  await build({
    configFile: path.resolve(import.meta.dirname, '../../web/vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  return { distDir: outDir, close: () => rm(outDir, { recursive: true, force: true }) };
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * One headless Chromium with a fresh profile (a new --user-data-dir, which playwright passes for
 * a persistent context); launch it once per test file.
 */
export async function launchChromium(): Promise<TestBrowser> {
  if (!browserAvailable) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (CI=true requires it; .ci/run installs it)`);
  }
  const profile = await mkdtemp(path.join(tmpdir(), 'mcp-platform-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
