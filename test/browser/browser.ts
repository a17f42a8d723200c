/**
 * Browser tests drive Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through
 * playwright-core; `playwright install` cannot download browsers here. Without Chromium the
 * browser files skip, loudly, instead of failing: `.ci/run` installs it with apt when it can.
 *
 * Each file launches one browser and reuses one page; screenshots go to test-output/screenshots/.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../support/process.js';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM_PATH);
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-output', 'screenshots');

if (!HAVE_CHROMIUM) {
  console.warn(
    `\n!!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM_PATH}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH; .ci/run installs it when apt-get is available. !!!\n`,
  );
}

/** Flags for a headless Chromium in a container, without calls home. */
const FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Errors the page threw or logged: a test fails on them. */
  pageErrors: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openBrowser(baseURL: string): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS, headless: true });
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 860 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // 4xx answers the page shows on purpose are logged by Chromium as failed loads: not page errors.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
  });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    browser,
    context,
    page,
    pageErrors,
    async screenshot(name) {
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      await browser.close();
    },
  };
}

const CONSOLE_DIR = path.join(REPO_ROOT, 'console');

/**
 * Builds the console when console/dist is missing or older than its sources (an edit since the
 * last `npm install`), so the tests never drive a stale build.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const built = path.join(CONSOLE_DIR, 'dist', 'index.html');
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource()) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(CONSOLE_DIR, 'vite.config.ts'), logLevel: 'warn' });
}

function newestSource(): number {
  let newest = 0;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  visit(path.join(CONSOLE_DIR, 'src'));
  for (const file of ['index.html', 'vite.config.ts']) newest = Math.max(newest, statSync(path.join(CONSOLE_DIR, file)).mtimeMs);
  return newest;
}
