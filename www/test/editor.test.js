// The flag editor against a real `vexil serve` in headless Chromium: creating and editing
// through the form, the engine's diagnostics next to the fields, conflicts, raw JSON, deleting.

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
