import { existsSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs it); suites skip their browser tests without it. */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

/** `it` when Chromium is here; otherwise the test is skipped, and says why once. */
export function itInChromium(name: string, test: () => Promise<void>, timeout?: number): void {
  if (!chromiumAvailable) {
    console.warn(`skipped "${name}": ${CHROMIUM} is not installed`);
    it.skip(name, test);
  } else it(name, test, timeout);
}

/**
 * Headless Chromium as this machine runs it: no sandbox (root), and none of its calls home, which
 * the closed network here refuses. `<handle>.localhost` resolves to 127.0.0.1 in Chromium.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * The page's serious and critical accessibility violations (axe-core), as readable lines. The
 * page must come from `browser.newContext()`: axe opens a page of its own in that context.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
}

/** The port a test app listens on, for `http://<handle>.localhost:<port>` in the browser. */
export function portOf(url: string): string {
  return new URL(url).port;
}
