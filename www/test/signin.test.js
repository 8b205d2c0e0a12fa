// Signing in and the flag list, against a real `vexil serve` in headless Chromium.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startConsole, watchListings } from './support/console.js';

let run;
before(async () => {
  run = await startConsole();
});
after(async () => {
  await run?.stop();
});

test('a wrong token, an SDK key and a malformed one are refused with a reason; the page stays on sign-in', async () => {
  const page = await run.open({ signIn: false });
  const token = page.getByLabel('Admin token');
  const submit = page.getByRole('button', { name: 'Sign in' });
  await token.fill('hello');
  await submit.click();
  await page.getByText('An admin token looks like vxa_').waitFor();
  await token.fill(run.service.clientKey);
  await submit.click();
  await page.getByText('That is an SDK key').waitFor();
  await token.fill(`vxa_${'0'.repeat(12)}_${'0'.repeat(64)}`);
  await submit.click();
  await page.getByText('The service does not know this token').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});

test('signing in lists the environment\'s flags; the token is in session storage only, never in the URL', async () => {
  const page = await run.open();
  await page.getByRole('link', { name: 'new-checkout' }).waitFor();
  const keys = await page.locator('table.flags tbody tr').evaluateAll((rows) => rows.map((row) => row.dataset.flag));
  const { body } = await run.service.api('GET', '/api/v1/flags');
  assert.deepEqual(keys, body.flags.map((flag) => flag.key));
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.ok(await page.evaluate((admin) => Object.values(sessionStorage).includes(admin), run.service.admin));
  assert.ok(!page.url().includes(run.service.admin));
  await page.shot('flag-list');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Admin token').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('vexil.console.token')), null);
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});

test('search and the tag, owner and state filters narrow the list', async () => {
  const page = await run.open();
  const rows = page.locator('table.flags tbody tr[data-flag]');
  await rows.first().waitFor();
  const total = await rows.count();
  await page.getByRole('searchbox').fill('checkout');
  const shown = await rows.evaluateAll((list) => list.map((row) => row.dataset.flag));
  assert.ok(shown.length > 0 && shown.length < total, `${shown.length} of ${total}`);
  for (const key of shown) {
    const { body } = await run.service.api('GET', `/api/v1/flags/${key}`);
    assert.ok(key.includes('checkout') || (body.metadata?.description ?? '').toLowerCase().includes('checkout'), key);
  }
  await page.getByRole('searchbox').fill('');
  await page.getByLabel('Owner').selectOption('payments');
  assert.deepEqual(await rows.evaluateAll((list) => list.map((row) => row.dataset.flag)), ['new-checkout']);
  await page.getByLabel('Owner').selectOption('');
  await page.getByLabel('State').selectOption('off');
  const off = (await run.service.api('GET', '/api/v1/flags')).body.flags.filter((flag) => !flag.enabled).map((flag) => flag.key);
  assert.deepEqual(await rows.evaluateAll((list) => list.map((row) => row.dataset.flag)), off);
  await page.getByRole('searchbox').fill('no-such-flag-anywhere');
  await page.getByText('No flag matches these filters.').waitFor();
});

test('the kill switch asks first, then turns the flag off for every SDK', async () => {
  const page = await run.open();
  const row = page.locator('tr[data-flag="new-checkout"]');
  await row.getByRole('switch').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await run.service.api('GET', '/api/v1/flags/new-checkout')).body.enabled ?? true, true);
  const listings = watchListings(page);
  const revision = Number((await page.locator('header .revision').textContent()).replace(/\D/g, ''));
  await row.getByRole('switch').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Turn off' }).click();
  await row.getByRole('switch', { checked: false }).waitFor();
  assert.equal((await run.service.api('GET', '/api/v1/flags/new-checkout')).body.enabled, false);
  const history = await run.service.api('GET', '/api/v1/flags/new-checkout/history');
  assert.equal(history.body.entries[0].kind, 'flag.toggle');
  // The page has the new revision both from its own answer and from the live stream, and
  // lists the flags again once for it.
  await page.getByText(`rev ${revision + 1}`).waitFor();
  assert.equal(await listings.settled(), 1);
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});

test('the environment picker shows another environment\'s flags, and is remembered in this tab', async () => {
  const page = await run.open();
  await page.getByRole('link', { name: 'new-checkout' }).waitFor();
  await page.getByLabel('Environment').selectOption('staging');
  await page.getByText('No flags yet: create the first one.').waitFor();
  await page.reload();
  await page.getByText('No flags yet: create the first one.').waitFor();
  assert.equal(await page.getByLabel('Environment').inputValue(), 'staging');
  await page.getByLabel('Environment').selectOption('production');
  await page.getByRole('link', { name: 'new-checkout' }).waitFor();
});

test('keyboard alone: sign in, reach a flag\'s kill switch, open and cancel its confirmation', async () => {
  const before = (await run.service.api('GET', '/api/v1/flags/new-checkout')).body.enabled ?? true;
  const page = await run.open({ signIn: false });
  await page.getByLabel('Admin token').waitFor();
  await page.keyboard.type(run.service.admin);
  await page.keyboard.press('Enter');
  await page.getByRole('link', { name: 'new-checkout' }).waitFor();
  let focused = '';
  for (let presses = 0; presses < 60 && !focused.startsWith('new-checkout '); presses += 1) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
  }
  assert.ok(focused.startsWith('new-checkout '), `reached by Tab: ${focused}`);
  await page.keyboard.press('Space');
  await page.getByRole('dialog').waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.equal((await run.service.api('GET', '/api/v1/flags/new-checkout')).body.enabled ?? true, before);
});
