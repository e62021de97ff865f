import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { seriousA11yViolations } from './axe.js';
import { startPlatform, type StartOptions, type TestPlatform } from './platform.js';

/**
 * The web app's test kit: a fresh production build of web/ (vite, the same config as
 * `npm run build:web`) into a temp dir, and Debian's Chromium driven by playwright-core.
 * No browser is ever downloaded: `.ci/run` installs `chromium` with apt.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** True when the browser tests can run; under CI a missing browser must fail, not skip. */
export const browserAvailable = existsSync(CHROMIUM_PATH);
/**
 * Skipped without a browser (outside CI), or on purpose with `MCP_TEST_BROWSER=0`: CI's second run,
 * on PostgreSQL and Redis, sets it, since the browser suites drive the same app through the same
 * API, which the other suites run in both modes (they ran in both and took a sixth of CI).
 */
export const skipBrowserTests = process.env.MCP_TEST_BROWSER === '0' || (!browserAvailable && !process.env.CI);

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

/** The real platform serving a fresh build of web/ (one per test file); `close` stops both. */
export interface WebPlatform {
  t: TestPlatform;
  close(): Promise<void>;
}

export async function startWebPlatform(env: Record<string, string | undefined> = {}, options: Omit<StartOptions, 'web'> = {}): Promise<WebPlatform> {
  const web = await buildWebApp();
  try {
    const t = await startPlatform(env, { ...options, web: { distDir: web.distDir } });
    return {
      t,
      async close() {
        await t.close();
        await web.close();
      },
    };
  } catch (err) {
    await web.close();
    throw err;
  }
}

/** One page of the app in a fresh Chromium, with what the file's last test checks collected on the way. */
export interface AppPage {
  browser: TestBrowser;
  page: Page;
  /** Console errors (and CSP reports) on the app's pages, and uncaught page errors. */
  problems: string[];
  /** Serious and critical axe violations of each page state `checkPage` saw, by name. */
  a11y: Record<string, string[]>;
  /** axe on the page as it is now; with WEB_SCREENSHOTS=<dir>, a screenshot too (`<name>.png`, docs/web.md shows them). */
  checkPage(name: string): Promise<void>;
  /** The Content-Security-Policy violations the page reported. */
  cspViolations(): Promise<string[]>;
  close(): Promise<void>;
}

export async function openAppPage(
  origin: string,
  options: { timeoutMs?: number; clipboard?: boolean; beforeCheck?: (page: Page) => Promise<void> } = {},
): Promise<AppPage> {
  const browser = await launchChromium();
  if (options.clipboard) await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await browser.context.addInitScript(`
    window.__csp = [];
    // Each violation names its offenders: <style> elements without the nonce, by their first characters.
    document.addEventListener('securitypolicyviolation', (e) => {
      const offenders = [...document.querySelectorAll('style')].filter((el) => !el.nonce).map((el) => (el.textContent || '').slice(0, 80));
      window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + JSON.stringify(offenders));
    });
  `);
  const page = await browser.context.newPage();
  page.setDefaultTimeout(options.timeoutMs ?? 15_000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (page.url().startsWith(origin) && (m.type() === 'error' || /Content Security Policy/i.test(m.text()))) problems.push(`console ${m.type()} on ${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const a11y: Record<string, string[]> = {};
  return {
    browser,
    page,
    problems,
    a11y,
    async checkPage(name) {
      await options.beforeCheck?.(page);
      a11y[name] = await seriousA11yViolations(page);
      const dir = process.env.WEB_SCREENSHOTS;
      if (dir) await page.screenshot({ path: path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '')}.png`), fullPage: true });
    },
    cspViolations: async () => (await page.evaluate('window.__csp')) as string[],
    close: () => browser.close(),
  };
}
