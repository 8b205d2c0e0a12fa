// Headless Chromium (Debian's, never a downloaded one) for tests, driven by playwright-core.
// `stop` closes it and then ends its process by PID, so nothing outlives a failed test.

import { existsSync } from 'node:fs';

import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Resolves to `{ browser, stop }`. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (scripts/setup-wasm.sh installs it)`);
  const server = await chromium.launchServer({
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
  const pid = server.process().pid;
  const browser = await chromium.connect(server.wsEndpoint());
  const stop = async () => {
    await browser.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone: the usual case after a clean close.
    }
  };
  return { browser, stop };
}

/**
 * Serves `html` at `/` (with the package and the vectors beside it, see server.js), opens it in
 * headless Chromium, waits until the page sets `window[name]`, and returns that value with the
 * page's uncaught errors. Everything started is ended before it returns, even on failure.
 */
export async function pageResult(html, name, { timeout = 60_000 } = {}) {
  const { serve } = await import('./server.js');
  const server = await serve({ '/': html });
  let chromium;
  try {
    chromium = await launchChromium();
    const page = await chromium.browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${server.url}/`);
    await page.waitForFunction((key) => window[key] !== undefined, name, { timeout });
    return { value: await page.evaluate((key) => window[key], name), errors };
  } finally {
    await chromium?.stop();
    await server.close();
  }
}
