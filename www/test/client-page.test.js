// A change made in the console reaches a page running the `vexil` client within seconds: the
// kill switch in one tab, a customer's page in another (with the client SDK key, following the
// service's stream).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startConsole } from './support/console.js';

let run;
before(async () => {
  run = await startConsole();
});
after(async () => {
  await run?.stop();
});

/** A customer's page: the package the service serves beside the console, and a client. */
function customerPage(clientKey) {
  return `<!doctype html><title>shop</title><p id=checkout>loading</p>
<script type=module>
import { createClient } from '/vexil/src/entry/browser.js';
const flags = createClient({ url: '/sdk/v1/snapshot', headers: { authorization: 'Bearer ${clientKey}' },
  context: { targetingKey: 'user-2' } });
const show = () => { document.getElementById('checkout').textContent = String(flags.getBooleanValue('new-checkout', false)); };
flags.on('change', show);
await flags.ready();
show();
</script>`;
}

test('turning a flag off in the console reaches a connected client page', async () => {
  const context = await run.browser.newContext();
  try {
    const shop = await context.newPage();
    await shop.route(`${run.service.url}/shop.html`, (route) => route.fulfill({
      contentType: 'text/html', body: customerPage(run.service.clientKey),
    }));
    await shop.goto(`${run.service.url}/shop.html`);
    // user-2 is staff (examples/snapshot.json), so the staff rule serves "on".
    await shop.locator('#checkout', { hasText: 'true' }).waitFor();

    const console = await run.open();
    await console.locator('tr[data-flag="new-checkout"]').getByRole('switch').click();
    await console.getByRole('dialog').getByRole('button', { name: 'Turn off' }).click();
    await shop.locator('#checkout', { hasText: 'false' }).waitFor({ timeout: 10_000 });

    await console.locator('tr[data-flag="new-checkout"]').getByRole('switch').click();
    await console.getByRole('dialog').getByRole('button', { name: 'Turn on' }).click();
    await shop.locator('#checkout', { hasText: 'true' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(console.problems, { errors: [], csp: [], dialogs: [] });
  } finally {
    await context.close();
  }
});

test('a change made elsewhere (the API) shows in an open console without reloading', async () => {
  const page = await run.open();
  const row = page.locator('tr[data-flag="admin-console"]');
  await row.getByRole('switch', { checked: true }).waitFor();
  const toggled = await run.service.api('POST', '/api/v1/flags/admin-console/toggle', { enabled: false });
  assert.equal(toggled.status, 200);
  await row.getByRole('switch', { checked: false }).waitFor({ timeout: 10_000 });
  const revision = (await run.service.api('GET', '/api/v1/environments')).body.environments
    .find((env) => env.name === 'production').revision;
  await page.locator('header .revision', { hasText: `rev ${revision}` }).waitFor();
});
