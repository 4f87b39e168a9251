// Chromium through playwright-core, with a screenshot helper and a console-error trap.
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** JavaScript errors: uncaught exceptions and console.error calls (not the browser's own network lines). */
  errors: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * `screenshotPrefix` names this session's screenshots (`<prefix>-01-name.png`): e2e files run in parallel,
 * so each clears only its own earlier screenshots.
 */
export async function openBrowser(baseURL: string, opts: { screenshotPrefix?: string } = {}): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  // Generous: the whole suite shares two cores with the browser, and one step once took over 15 s under that load.
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // "Failed to load resource: … 401/409/422" is Chromium reporting an HTTP status the app handles.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`console.error: ${msg.text()}`);
  });
  const prefix = opts.screenshotPrefix ? `${opts.screenshotPrefix}-` : '';
  await clearScreenshots(prefix);
  let n = 0;
  return {
    browser,
    context,
    page,
    errors,
    async screenshot(name: string) {
      n += 1;
      await page.screenshot({ path: path.join(screenshotDir, `${prefix}${String(n).padStart(2, '0')}-${name}.png`) });
    },
    async close() {
      await context.close();
      await browser.close();
    },
  };
}

async function clearScreenshots(prefix: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  const own = new RegExp(`^${prefix.replace(/[^A-Za-z0-9-]/g, '')}\\d{2}-.*\\.png$`);
  for (const file of await readdir(screenshotDir)) if (own.test(file)) await rm(path.join(screenshotDir, file), { force: true });
}

/** Drags from one element to another with real mouse moves (HTML5 drag and drop and React Flow handles alike). */
export async function dragTo(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 10, from.y + 5, { steps: 3 });
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
}

export async function center(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Creates the owner through the setup page, as a first user does; the page is then logged in. */
export async function setUpOwner(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByTestId('setup-form').waitFor();
  await page.getByLabel('Email').fill('owner@example.com');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
}
