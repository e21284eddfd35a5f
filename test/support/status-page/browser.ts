// A real browser for the status page's tests: Debian's chromium driven by playwright-core (never a
// downloaded browser), headless, a fresh profile per run. Screenshots go to test-output/screenshots/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const SCREENSHOTS = join(import.meta.dirname, '..', '..', '..', 'test-output', 'screenshots');

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab (its own sessionStorage) that records uncaught errors and Content-Security-Policy refusals. */
  newPage(): Promise<Page & { problems: string[] }>;
  /** Saves a full-page screenshot as <name>.png and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'status-page-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    async newPage() {
      const page = Object.assign(await context.newPage(), { problems: [] as string[] });
      page.on('pageerror', (err) => page.problems.push(`uncaught: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.text().includes('Content Security Policy')) page.problems.push(`csp: ${msg.text()}`);
      });
      return page;
    },
    async screenshot(page, name) {
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Text whose contrast with its background is below WCAG AA (4.5:1), as `text: ratio`. Every visible element
 * with its own text is checked against the first opaque background up its ancestors; disabled controls are
 * exempt (as WCAG says). Runs in the page, so it is a string: nothing of the test's build gets in the way.
 */
export const LOW_CONTRAST_SCRIPT = `(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own || el.disabled || el.getClientRects().length === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) out.push(el.textContent.trim().slice(0, 40) + ': ' + ratio.toFixed(2));
  }
  return out;
})()`;
