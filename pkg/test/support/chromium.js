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
