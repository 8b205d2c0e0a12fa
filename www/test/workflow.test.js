// Editor and preview together: a draft opened in the editor is previewed as the service would
// publish it, per-user overrides included, so draft versus live counts only what the draft
// itself changes.

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

test('a draft from the editor keeps the flag\'s per-user overrides in draft versus live', async () => {
  // user-3 is forced onto "pro" by a per-user override (the service publishes it in the flag).
  const forced = await run.service.api('POST', '/api/v1/flags/max-upload-mb/overrides', { targetingKey: 'user-3', variant: 'pro' });
  assert.equal(forced.status, 201, JSON.stringify(forced.body));
  const page = await run.open({ hash: '#/flags/max-upload-mb/edit' });
  const description = page.getByLabel('Description');
  await description.waitFor();
  // A draft that changes nothing anyone is served: nobody may appear to change.
  await description.fill('Upload limit per plan (edited)');
  await page.getByRole('button', { name: 'Preview the draft' }).click();
  await page.getByRole('heading', { name: 'Preview' }).waitFor();
  const users = Array.from({ length: 6 }, (_, index) => JSON.stringify({ targetingKey: `user-${index + 1}`, plan: 'free' }));
  await page.getByLabel('Contexts (one JSON object per line)').fill(users.join('\n'));
  await page.getByRole('button', { name: 'Evaluate these contexts' }).click();
  await page.getByText('No user of the 6 would change variant if the draft were published.').waitFor();
  // Back in the editor, the unsaved edit is still there.
  await page.goBack();
  assert.equal(await page.getByLabel('Description').inputValue(), 'Upload limit per plan (edited)');

  // The draft's own change does count: every plan=free user but the forced one moves.
  await page.evaluate(() => { location.hash = '#/flags/max-upload-mb/edit'; });
  await page.getByRole('button', { name: 'Add rule' }).waitFor();
  await page.evaluate(async () => {
    const drafts = await import('/src/draft.js');
    const [, flag] = drafts.allDrafts().find(([key]) => key === 'max-upload-mb');
    drafts.setDraft('max-upload-mb', { ...flag, fallthrough: { variant: 'pro' } });
    location.hash = '#/preview?draft=max-upload-mb';
  });
  await page.getByLabel('Contexts (one JSON object per line)').fill(users.join('\n'));
  await page.getByRole('button', { name: 'Evaluate these contexts' }).click();
  const listed = page.locator('.pv-diff-flag[data-flag="max-upload-mb"] .pv-user');
  await listed.first().waitFor();
  assert.deepEqual(await listed.allTextContents(), ['user-1', 'user-2', 'user-4', 'user-5', 'user-6']);
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});
