// The console against a real `vexil serve` (SQLite, the example flags, the console from
// www/dist) in headless Chromium. Every page records what would betray a broken page: uncaught
// errors, Content-Security-Policy violations and dialogs (an `alert` from injected markup).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../../../pkg/test/support/chromium.js';
import { startService } from '../../../pkg/test/support/service.js';

const www = fileURLToPath(new URL('../../', import.meta.url));
/** Where screenshots go (a test artifact; docs/console.md shows the best). */
export const SCREENSHOTS = join(www, '..', 'target', 'console-screenshots');

/**
 * Starts the service and Chromium; resolves to `{ service, browser, open, stop }`. `open()`
 * resolves to a signed-in page with `problems` (errors, CSP violations, dialogs) and `shot(name)`.
 */
export async function startConsole({ serviceOptions = {} } = {}) {
  const service = await startService({ ...serviceOptions, args: ['--console', join(www, 'dist'), ...(serviceOptions.args ?? [])] });
  let chromium;
  try {
    chromium = await launchChromium();
  } catch (error) {
    await service.stop();
    throw error;
  }
  const contexts = [];
  const open = async ({ signIn = true, viewport = { width: 1280, height: 860 }, hash = '' } = {}) => {
    const context = await chromium.browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.problems = { errors: [], csp: [], dialogs: [] };
    page.on('pageerror', (error) => page.problems.errors.push(String(error)));
    page.on('dialog', async (dialog) => {
      page.problems.dialogs.push(dialog.message());
      await dialog.dismiss().catch(() => undefined);
    });
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) page.problems.csp.push(message.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`Content-Security-Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    page.shot = async (name) => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    };
    await page.goto(`${service.url}/${hash}`);
    if (signIn) {
      await page.getByLabel('Admin token').fill(service.admin);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Flags' }).or(page.locator('main h1')).first().waitFor();
    }
    return page;
  };
  const stop = async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await chromium.stop();
    await service.stop();
  };
  return { service, browser: chromium.browser, open, stop };
}

// Counts the page's `GET` requests for `pathname` (the flag list by default) from now on;
// `settled()` resolves to the count once none is in flight and none started for a second.
export function watchListings(page, pathname = '/api/v1/flags') {
  let started = 0;
  let finished = 0;
  let last = Date.now();
  const listing = (request) => request.method() === 'GET' && new URL(request.url()).pathname === pathname;
  page.on('request', (request) => {
    if (!listing(request)) return;
    started += 1;
    last = Date.now();
  });
  const done = (request) => {
    if (listing(request)) finished += 1;
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return {
    async settled() {
      while (finished < started || Date.now() - last < 1000) await new Promise((resolve) => setTimeout(resolve, 100));
      return started;
    },
  };
}
