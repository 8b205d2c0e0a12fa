// The flag editor against a real `vexil serve` in headless Chromium: creating and editing
// through the form, the engine's diagnostics next to the fields, conflicts, raw JSON, deleting.

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

const clean = { errors: [], csp: [], dialogs: [] };

/** The editor of `key` (null: a new flag), loaded. */
async function openEditor(key, options = {}) {
  const page = await run.open({ ...options, hash: key ? `#/flags/${key}/edit` : '#/flags/new' });
  await page.locator('.editor .editor-form').waitFor();
  return page;
}

test('a new flag through the form: a rule (plan equals pro serves on) and a 30 % rollout by default', async () => {
  const page = await openEditor(null);
  await page.shot('editor-new');
  const form = page.locator('.editor');
  await form.getByLabel('Key', { exact: true }).fill('pro-rollout');
  await form.getByRole('button', { name: 'Add rule' }).click();
  const rule = form.locator('.editor-rule').first();
  await rule.getByLabel('Rule id').fill('pro-plan');
  await rule.getByLabel('Attribute').fill('plan');
  await rule.getByLabel('Operator').selectOption('equals');
  await rule.getByLabel('Value', { exact: true }).fill('pro');
  await rule.getByLabel('Variant', { exact: true }).selectOption('on');
  const fallthrough = page.locator('section[aria-labelledby="ed-section-default-rule-rollout"]');
  await fallthrough.getByLabel('Default rule serves').selectOption('split');
  await fallthrough.getByLabel('Slice 1 variant').selectOption('on');
  await fallthrough.getByLabel('Slice 1 share (%)').fill('30');
  await fallthrough.getByLabel('Slice 2 share (%)').fill('70');
  await fallthrough.getByText('Total: 100 %.').waitFor();
  await form.getByLabel('Description').fill('Pro users first, then 30 % of everyone.');
  await page.shot('editor-rules');
  await form.getByLabel('Reason (optional, for the audit trail)').fill('launch for pro');
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL(/#\/flags\/pro-rollout$/);
  const { status, body } = await run.service.api('GET', '/api/v1/flags/pro-rollout');
  assert.equal(status, 200);
  assert.deepEqual(body.rules, [{ id: 'pro-plan', conditions: [{ attribute: 'plan', op: 'equals', value: 'pro' }], serve: { variant: 'on' } }]);
  assert.deepEqual(body.fallthrough, { split: [{ variant: 'on', weight: 30000 }, { variant: 'off', weight: 70000 }] });
  assert.equal(body.metadata.description, 'Pro users first, then 30 % of everyone.');
  const history = await run.service.api('GET', '/api/v1/flags/pro-rollout/history');
  assert.equal(history.body.entries[0].reason, 'launch for pro');
  assert.deepEqual(page.problems, clean);
});

/** The version of `key` the listing gives. */
async function version(key) {
  const { body } = await run.service.api('GET', '/api/v1/flags?limit=500');
  return body.flags.find((entry) => entry.key === key)?.version;
}

test('editing an existing flag PUTs it with the version read; the new version lands', async () => {
  const before = await version('max-upload-mb');
  const page = await openEditor('max-upload-mb');
  const form = page.locator('.editor');
  await form.getByLabel('Value of pro').fill('500');
  await form.getByLabel('Owner').fill('storage');
  await page.locator('.editor[data-keep-on-live]').waitFor();
  const reads = watchListings(page, '/api/v1/flags/max-upload-mb');
  const revision = Number((await page.locator('header .revision').textContent()).replace(/\D/g, ''));
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('max-upload-mb saved.').waitFor();
  // The page is drawn once for the save, so the editor reads the flag once.
  await page.getByText(`rev ${revision + 1}`).waitFor();
  assert.equal(await reads.settled(), 1);
  const { body } = await run.service.api('GET', '/api/v1/flags/max-upload-mb');
  assert.equal(body.variants.pro, 500);
  assert.equal(body.metadata.owner, 'storage');
  assert.equal(await version('max-upload-mb'), before + 1);
  // The editor reads the saved flag again: nothing left to save.
  await form.getByText('No changes to save.').waitFor();
  assert.equal(await page.locator('.editor[data-keep-on-live]').count(), 0);
  assert.deepEqual(page.problems, clean);
});

test('a conflict: saved in another page meanwhile → what changed is listed; "Overwrite with mine" lands', async () => {
  const mine = await openEditor('admin-console');
  const theirs = await openEditor('admin-console');
  await mine.locator('.editor').getByLabel('Owner').fill('platform');
  await theirs.locator('.editor').getByLabel('Description').fill('Changed by the other admin.');
  await theirs.locator('.editor').getByRole('button', { name: 'Save', exact: true }).click();
  await theirs.getByText('admin-console saved.').waitFor();
  // The stream tells the first page; its input is kept.
  await mine.locator('.editor-meanwhile').waitFor();
  assert.equal(await mine.locator('.editor').getByLabel('Owner').inputValue(), 'platform');
  await mine.locator('.editor').getByRole('button', { name: 'Save', exact: true }).click();
  const conflict = mine.locator('.editor-conflict');
  await conflict.waitFor();
  const row = conflict.locator('tbody tr', { hasText: 'metadata.description' });
  await row.waitFor();
  assert.match(await row.textContent(), /Changed by the other admin\./);
  await mine.shot('editor-conflict');
  const stored = (await run.service.api('GET', '/api/v1/flags/admin-console')).body;
  assert.equal(stored.metadata.description, 'Changed by the other admin.');
  const at = await version('admin-console');
  await conflict.getByRole('button', { name: 'Overwrite with mine' }).click();
  await mine.getByText('admin-console saved.').waitFor();
  const after = (await run.service.api('GET', '/api/v1/flags/admin-console')).body;
  assert.equal(after.metadata.owner, 'platform');
  assert.equal(after.metadata.description, undefined);
  assert.equal(await version('admin-console'), at + 1);
  assert.deepEqual(mine.problems, clean);
  assert.deepEqual(theirs.problems, clean);
});

test('"Keep editing on top of theirs" re-applies my change onto their version', async () => {
  const mine = await openEditor('quebec-ontario-launch');
  await mine.locator('.editor').getByLabel('Tags').fill('launch, canada');
  const { status } = await run.service.api('PUT', '/api/v1/flags/quebec-ontario-launch',
    { ...(await run.service.api('GET', '/api/v1/flags/quebec-ontario-launch')).body, salt: 'reshuffled' });
  assert.equal(status, 200);
  await mine.locator('.editor-meanwhile').waitFor();
  await mine.locator('.editor-meanwhile').getByRole('button', { name: 'Show what changed' }).click();
  await mine.locator('.editor-conflict tbody tr', { hasText: 'salt' }).waitFor();
  await mine.getByRole('button', { name: 'Keep editing on top of theirs' }).click();
  await mine.locator('.editor-rebased').getByText('metadata.tags').waitFor();
  await mine.locator('.editor').getByRole('button', { name: 'Save', exact: true }).click();
  await mine.getByText('quebec-ontario-launch saved.').waitFor();
  const { body } = await run.service.api('GET', '/api/v1/flags/quebec-ontario-launch');
  assert.equal(body.salt, 'reshuffled');
  assert.deepEqual(body.metadata.tags, ['launch', 'canada']);
  assert.deepEqual(mine.problems, clean);
});

test('a broken draft: the diagnostic is next to the field, save is disabled, the stored flag is untouched', async () => {
  const before = (await run.service.api('GET', '/api/v1/flags/checkout-button-color')).body;
  const page = await openEditor('checkout-button-color');
  const fallthrough = page.locator('section[aria-labelledby="ed-section-default-rule-rollout"]');
  const share = fallthrough.getByLabel('Slice 1 share (%)');
  await share.fill('50');
  await fallthrough.getByText('Total: 116.666 %.').waitFor();
  const message = fallthrough.locator('.diagnostic', { hasText: 'weights add up to 116666' });
  await message.waitFor();
  assert.equal(await share.getAttribute('aria-invalid'), 'true');
  const describedBy = (await share.getAttribute('aria-describedby')).split(' ');
  assert.ok(describedBy.includes(await message.locator('..').getAttribute('id')));
  const save = page.locator('.editor').getByRole('button', { name: 'Save', exact: true });
  assert.equal(await save.isDisabled(), true);
  await page.locator('.editor').getByText('Saving is disabled: 1 problem to fix').waitFor();
  // The summary's link takes the focus to the field.
  await page.locator('.editor-summary').getByRole('button', { name: /^Default rule, split: weights add up/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), await share.getAttribute('id'));
  // A rule serving a variant that no longer exists: shown at the rule's variant.
  await page.locator('.editor').getByRole('button', { name: 'Add rule' }).click();
  await page.locator('.editor').getByRole('button', { name: 'Remove variant orange' }).click();
  await page.locator('.editor-summary').getByText('the flag has no variant "orange"').first().waitFor();
  await page.shot('editor-diagnostics');
  assert.deepEqual((await run.service.api('GET', '/api/v1/flags/checkout-button-color')).body, before);
  // The list still shows the stored definition, and the draft survives going there and back.
  await page.getByRole('link', { name: 'Flags', exact: true }).first().click();
  await page.locator('tr[data-flag="checkout-button-color"] td.serves', { hasText: 'orange 33.3 %' }).waitFor();
  await page.goto(`${run.service.url}/#/flags/checkout-button-color/edit`).catch(() => {});
  assert.deepEqual(page.problems, clean);
});

test('raw JSON edits round-trip to the form; a parse error says where', async () => {
  const page = await openEditor(null);
  await page.locator('.editor').getByLabel('Key', { exact: true }).fill('from-json');
  await page.getByRole('button', { name: 'JSON' }).click();
  const area = page.getByLabel('The flag as JSON');
  const flag = JSON.parse(await area.inputValue());
  assert.equal(flag.key, 'from-json');
  await area.fill('{ "key": "from-json",\n  "type": ');
  await page.getByText(/Not JSON yet: .*line 2, column/).waitFor();
  flag.type = 'string';
  flag.variants = { short: 'Hi', long: 'Hello there' };
  flag.offVariant = 'short';
  flag.fallthrough = { variant: 'long' };
  flag.metadata = { description: 'Typed as JSON', url: 'javascript:alert(1)' };
  await area.fill(JSON.stringify(flag, null, 2));
  assert.equal(await page.locator('.editor-summary').isHidden(), true);
  await page.getByRole('link', { name: 'JSON Schema' }).waitFor();
  const schema = await page.evaluate(async () => (await fetch('snapshot.schema.json')).json());
  assert.ok(schema.$defs.flag);
  await page.getByRole('button', { name: 'Form' }).click();
  const form = page.locator('.editor');
  assert.equal(await form.getByLabel('Type').inputValue(), 'string');
  assert.equal(await form.getByLabel('Value of long').inputValue(), 'Hello there');
  assert.equal(await form.getByLabel('Description').inputValue(), 'Typed as JSON');
  // The link is shown, never followed.
  await form.getByText('Only http(s) links are followed').waitFor();
  await form.getByLabel('Value of short').fill('Hey');
  await page.getByRole('button', { name: 'JSON' }).click();
  assert.equal(JSON.parse(await area.inputValue()).variants.short, 'Hey');
  await page.getByRole('button', { name: 'Form' }).click();
  await form.getByLabel('Link').fill('https://tickets.example/FLAG-1');
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL(/#\/flags\/from-json$/);
  const { body } = await run.service.api('GET', '/api/v1/flags/from-json');
  assert.deepEqual(body.variants, { short: 'Hey', long: 'Hello there' });
  assert.equal(body.metadata.url, 'https://tickets.example/FLAG-1');
  assert.deepEqual(page.problems, clean);
});

test('deleting asks first; a flag other flags depend on is refused with their names', async () => {
  const page = await openEditor('new-checkout');
  await page.locator('.editor').getByRole('button', { name: 'Delete flag' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.locator('.editor').getByText('cannot be deleted').waitFor();
  await page.locator('.editor').getByRole('link', { name: 'checkout-button-color' }).waitFor();
  assert.equal((await run.service.api('GET', '/api/v1/flags/new-checkout')).status, 200);

  await run.service.api('POST', '/api/v1/flags', { key: 'short-lived', type: 'boolean', variants: { on: true, off: false }, fallthrough: { variant: 'off' } });
  const other = await openEditor('short-lived');
  await other.locator('.editor').getByRole('button', { name: 'Delete flag' }).click();
  await other.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await run.service.api('GET', '/api/v1/flags/short-lived')).status, 200);
  await other.locator('.editor').getByRole('button', { name: 'Delete flag' }).click();
  await other.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await other.waitForURL(/#\/flags$/);
  assert.equal((await run.service.api('GET', '/api/v1/flags/short-lived')).status, 404);
  assert.deepEqual(page.problems, clean);
  assert.deepEqual(other.problems, clean);
});

test('at 390 px wide the editor fits the screen and is usable', async () => {
  const page = await openEditor('new-checkout', { viewport: { width: 390, height: 844 } });
  await page.locator('.editor-rule').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await page.shot('editor-mobile');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('.editor').getByLabel('Slice 1 share (%)').fill('20');
  await page.shot('editor-dark');
  assert.deepEqual(page.problems, clean);
});
