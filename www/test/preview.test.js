// The preview (#/preview) against a real `vexil serve` in headless Chromium: what the page shows
// for a context is what the CLI (`vexil eval`) prints for the same snapshot, context and instant.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { binary } from '../../pkg/test/support/service.js';
import { startConsole } from './support/console.js';

let run;
let folder;
before(async () => {
  run = await startConsole();
  folder = mkdtempSync(join(tmpdir(), 'vexil-preview-'));
});
after(async () => {
  await run?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** The snapshot SDKs get (per-user overrides included), in a file for the CLI. */
async function snapshotFile() {
  const response = await fetch(`${run.service.url}/sdk/v1/snapshot`, { headers: { authorization: `Bearer ${run.service.serverKey}` } });
  assert.equal(response.status, 200);
  const path = join(folder, `snapshot-${Date.now()}.json`);
  writeFileSync(path, await response.text());
  return path;
}

function cli(snapshot, context, now, ...extra) {
  return JSON.parse(execFileSync(binary, ['eval', snapshot, '--context', JSON.stringify(context), '--now', now, ...extra], { encoding: 'utf8' }));
}

const AXE = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/** axe-core's violations in the preview, in the light and the dark palette. */
async function accessibilityProblems(page) {
  if (!await page.evaluate(() => 'axe' in window)) await page.evaluate(AXE);
  const found = [];
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await page.evaluate(() => window.axe.run(document.querySelector('.preview'), { resultTypes: ['violations'] }));
    found.push(...violations.map((violation) => `${colorScheme}: ${violation.id} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

async function openPreview(hash = '#/preview', options = {}) {
  const page = await run.open(options);
  await page.evaluate((to) => { location.hash = to; }, hash);
  await page.getByRole('heading', { name: 'Preview' }).waitFor();
  return page;
}

async function setContext(page, context) {
  await page.getByRole('tab', { name: 'JSON' }).click();
  await page.getByLabel('Context JSON').fill(JSON.stringify(context));
}

/** Types `context` in the Fields tab: the targeting key, then one typed row per attribute. */
async function typeContext(page, context) {
  await page.getByRole('tab', { name: 'Fields' }).click();
  while (await page.getByRole('button', { name: /^Remove attribute/ }).count() > 0) {
    await page.getByRole('button', { name: /^Remove attribute/ }).first().click();
  }
  await page.getByLabel('Targeting key').fill(context.targetingKey ?? '');
  const attributes = Object.entries(context).filter(([name]) => name !== 'targetingKey');
  for (const [index, [name, value]] of attributes.entries()) {
    await page.getByRole('button', { name: '+ Attribute' }).click();
    const n = index + 1;
    await page.getByLabel(`Attribute ${n} name`).fill(name);
    const type = typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : Array.isArray(value) ? 'list' : 'string';
    await page.getByLabel(`Attribute ${n} type`).selectOption(type);
    if (type === 'boolean') await page.getByLabel(`Attribute ${n} value`).selectOption(String(value));
    else await page.getByLabel(`Attribute ${n} value`).fill(type === 'list' ? value.join(', ') : String(value));
  }
}

/** Sets the preview's instant to `iso`, in the page's own time zone (as a person would). */
async function setNow(page, iso) {
  const local = await page.evaluate((at) => {
    const date = new Date(at);
    const pad = (n) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  }, iso);
  await page.getByLabel('Evaluate at (now)').fill(local);
  await page.getByText(`= ${new Date(iso).toISOString()}`).waitFor();
}

/** What the results table shows, per flag, for column `col` ('live' or 'draft'). */
function shownResults(page, col = 'live') {
  return page.locator('table.pv-results tbody tr[data-flag]').evaluateAll((rows, column) => Object.fromEntries(rows.map((row) => {
    const cell = row.querySelector(`td[data-col="${column}"]`);
    const text = (selector) => cell.querySelector(selector)?.textContent ?? null;
    return [row.dataset.flag, { variant: text('.pv-variant'), value: text('.pv-value'), reason: text('.pv-reason'),
      errorCode: text('.pv-error-code'), rule: text('.pv-rule'), local: text('.pv-local-badge') }];
  })), col);
}

/** The CLI's answer in the page's words. */
function asShown(result) {
  return { variant: result.variant ?? '—', value: JSON.stringify(result.value), reason: result.reason,
    errorCode: result.errorCode ?? null, rule: result.ruleId ? `rule ${result.ruleId}` : null, local: null };
}

const CASES = [
  // A rule match (canada-east), a split (new-checkout's fallthrough), a failed prerequisite.
  { context: { targetingKey: 'user-42', jurisdiction: 'quebec', plan: 'free', appVersion: '5.1.0' }, now: '2026-11-28T12:00:00Z' },
  // The snapshot's own override (user-13 is forced off in new-checkout); a rule on plan.
  { context: { targetingKey: 'user-13', jurisdiction: 'ontario', plan: 'pro' }, now: '2026-11-28T12:00:00Z' },
  // A segment rule, then a three-way split behind a met prerequisite.
  { context: { targetingKey: 'user-7', email: 'ana@vexil.dev', jurisdiction: 'california' }, now: '2026-11-28T12:00:00Z' },
  // Before black-friday-banner's schedule opens (DISABLED), maintenance-mode killed; typed values.
  { context: { targetingKey: 'user-99', role: 'admin', environment: 'staging', appVersion: '5.3.1', signedUpAt: '2026-11-15T10:00:00Z', beta: true, age: 41, groups: ['a', 'b'] }, now: '2026-11-26T12:00:00Z' },
  // No targeting key: splits answer TARGETING_KEY_MISSING.
  { context: { jurisdiction: 'ontario', appVersion: '4.9.0' }, now: '2026-12-02T00:00:00Z' },
];

test('every flag shows what `vexil eval` prints for the same snapshot, context and instant', async () => {
  const page = await openPreview();
  const snapshot = await snapshotFile();
  const reasons = new Set();
  for (const [index, { context, now }] of CASES.entries()) {
    await setNow(page, now);
    // Typed rows for the case with a number, a boolean and a list; JSON for the others.
    if (index === 3) {
      await typeContext(page, context);
      await page.getByRole('tab', { name: 'JSON' }).click();
      assert.deepEqual(JSON.parse(await page.getByLabel('Context JSON').inputValue()), context);
    } else {
      await setContext(page, context);
    }
    const expected = cli(snapshot, context, now);
    const shown = await shownResults(page);
    assert.deepEqual(Object.keys(shown), Object.keys(expected));
    for (const [key, result] of Object.entries(expected)) {
      assert.deepEqual(shown[key], asShown(result), `${key} for ${JSON.stringify(context)} at ${now}`);
      reasons.add(result.reason);
    }
  }
  // JSON edits show in the rows too.
  await page.getByRole('tab', { name: 'Fields' }).click();
  assert.equal(await page.getByLabel('Targeting key').inputValue(), '');
  assert.equal(await page.getByLabel('Attribute 1 name').inputValue(), 'jurisdiction');
  assert.equal(await page.getByLabel('Attribute 2 value').inputValue(), '4.9.0');
  for (const reason of ['TARGETING_MATCH', 'SPLIT', 'OVERRIDE', 'DISABLED', 'PREREQUISITE_FAILED', 'DEFAULT', 'ERROR']) assert.ok(reasons.has(reason), reason);
  assert.match(await page.locator('.pv-timing').first().textContent(), /^evaluated \d+ flags in [\d.]+ ms$/);
  await page.shot('preview');
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});

/** Runs `vexil eval --contexts` over `contexts` for `snapshot`: one result object per context. */
function cliMany(snapshot, contexts, now) {
  const file = join(folder, `contexts-${Date.now()}-${Math.random()}.jsonl`);
  writeFileSync(file, contexts.map((context) => JSON.stringify(context)).join('\n'));
  return execFileSync(binary, ['eval', snapshot, '--contexts', file, '--now', now], { encoding: 'utf8' })
    .trim().split('\n').map((line) => JSON.parse(line));
}

/** A snapshot file with `flag` in place of its namesake (as a published draft would be). */
function draftedSnapshot(snapshot, flag) {
  const document = JSON.parse(readFileSync(snapshot, 'utf8'));
  document.flags = document.flags.map((candidate) => (candidate.key === flag.key ? flag : candidate));
  const path = join(folder, `drafted-${Date.now()}.json`);
  writeFileSync(path, JSON.stringify(document));
  return path;
}

function flagOf(snapshot, key) {
  return JSON.parse(readFileSync(snapshot, 'utf8')).flags.find((flag) => flag.key === key);
}

async function useDraftJson(page, flag) {
  await page.getByLabel('Draft', { exact: true }).selectOption('json');
  await page.getByLabel('Draft flag (JSON)').fill(typeof flag === 'string' ? flag : JSON.stringify(flag));
  await page.getByRole('button', { name: 'Preview this draft' }).click();
}

const NOW = '2026-11-28T12:00:00Z';
// Ten users, three on the pro plan, none with an appVersion (so only the pro-plan rule tells them
// apart in max-upload-mb).
const USERS = Array.from({ length: 10 }, (_, index) => ({ targetingKey: `user-${index + 1}`, plan: [2, 5, 9].includes(index + 1) ? 'pro' : 'free' }));
const PRO = ['user-2', 'user-5', 'user-9'];

test('draft versus live over an uploaded sample: exactly the three pro users change, dependents counted too', async () => {
  const page = await openPreview();
  await setNow(page, NOW);
  const snapshot = await snapshotFile();
  // Two bad lines among the users: reported by line number, the rest used.
  const lines = [...USERS.slice(0, 4).map((user) => JSON.stringify(user)), '{not json', ...USERS.slice(4).map((user) => JSON.stringify(user)), '[1, 2]'];
  await page.getByLabel('Contexts file').setInputFiles({ name: 'users.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines.join('\n')) });
  await page.getByLabel('Contexts (one JSON object per line)').press('End');
  await page.waitForFunction(() => document.querySelector('textarea[placeholder^="{\\"targetingKey"]')?.value.includes('user-10'));
  await page.getByRole('button', { name: 'Evaluate these contexts' }).click();
  const bad = await page.locator('.pv-bad-lines li').allTextContents();
  assert.deepEqual(bad.map((text) => text.split(':')[0]), ['line 5', 'line 12']);
  assert.match(await page.locator('.pv-population .pv-timing').textContent(), /10 users × 9 flags/);

  // Observed counts equal the CLI's over the same users.
  const live = cliMany(snapshot, USERS, NOW);
  for (const key of ['new-checkout', 'max-upload-mb', 'checkout-button-color']) {
    const legend = await page.locator(`.pv-chart[data-flag="${key}"] .pv-legend li`).allTextContents();
    for (const line of legend) {
      const [, variant, count] = /^(.+?): (\d+) \(/.exec(line);
      const expected = live.filter((results) => (results[key].variant ?? 'no variant') === variant).length;
      assert.equal(Number(count), expected, `${key} ${variant}`);
    }
  }

  // The draft drops the pro-plan rule: the three pro users go from pro to standard, nobody else moves.
  const flag = flagOf(snapshot, 'max-upload-mb');
  await useDraftJson(page, { ...flag, rules: flag.rules.filter((rule) => rule.id !== 'pro-plan') });
  await page.locator('.pv-diff-summary').waitFor();
  assert.match(await page.locator('.pv-diff-summary').textContent(), /^3 users change variant \(of 10\)/);
  const listed = page.locator('.pv-diff-flag[data-flag="max-upload-mb"]');
  assert.deepEqual(await listed.locator('.pv-user').allTextContents(), PRO);
  assert.deepEqual(await listed.locator('.pv-transitions tbody td').allTextContents(), ['pro → standard', '3']);
  assert.equal(await page.locator('.pv-diff-flag').count(), 1);
  await page.shot('preview-draft-vs-live');

  // A draft of new-checkout moves checkout-button-color too (its prerequisite): per flag, the
  // page's counts equal those of the CLI on the live and the drafted snapshots.
  const checkout = { ...flagOf(snapshot, 'new-checkout'), fallthrough: { variant: 'on' } };
  await useDraftJson(page, checkout);
  const drafted = cliMany(draftedSnapshot(snapshot, checkout), USERS, NOW);
  const expected = {};
  USERS.forEach((user, index) => {
    for (const key of Object.keys(live[index])) {
      if (live[index][key].variant !== drafted[index][key].variant) expected[key] = [...(expected[key] ?? []), user.targetingKey];
    }
  });
  assert.ok(expected['checkout-button-color']?.length > 0, 'the dependent flag changes for someone');
  await page.waitForFunction((keys) => document.querySelectorAll('.pv-diff-flag').length === keys, Object.keys(expected).length);
  for (const [key, users] of Object.entries(expected)) {
    assert.deepEqual(await page.locator(`.pv-diff-flag[data-flag="${key}"] .pv-user`).allTextContents(), users, key);
  }
  const changedUsers = new Set(Object.values(expected).flat()).size;
  assert.match(await page.locator('.pv-diff-summary').textContent(), new RegExp(`^${changedUsers} users? changes? variant`));
  await page.shot('preview-population');
  assert.deepEqual(await accessibilityProblems(page), []);
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});

test('generated users: user-1 … user-N with attribute shares, counted as the CLI counts them', async () => {
  const page = await openPreview();
  await setNow(page, NOW);
  await page.getByLabel('Users (user-1 … user-N)').fill('50');
  await page.getByLabel('Attribute shares').fill('plan=pro:100\njurisdiction=quebec:0\noops');
  await page.getByRole('button', { name: 'Evaluate generated users' }).click();
  assert.deepEqual(await page.locator('.pv-bad-lines li').allTextContents(), ['line 3: write attribute=value:percent, e.g. plan=pro:30']);
  const users = Array.from({ length: 50 }, (_, index) => ({ targetingKey: `user-${index + 1}`, plan: 'pro' }));
  const expected = cliMany(await snapshotFile(), users, NOW);
  for (const key of Object.keys(expected[0])) {
    const legend = await page.locator(`.pv-chart[data-flag="${key}"] .pv-legend li`).allTextContents();
    for (const line of legend) {
      const [, variant, count] = /^(.+?): (\d+) \(/.exec(line);
      assert.equal(Number(count), expected.filter((results) => (results[key].variant ?? 'no variant') === variant).length, `${key} ${variant}`);
    }
  }
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});

test('a broken draft shows its diagnostics while the live results stay (at a phone\'s width)', async () => {
  const page = await openPreview('#/preview', { viewport: { width: 390, height: 844 } });
  await setNow(page, NOW);
  await setContext(page, { targetingKey: 'user-42', plan: 'pro' });
  const before = await shownResults(page);
  const snapshot = await snapshotFile();

  // Weights that do not add up: the draft loads, the flag has an error diagnostic.
  const flag = flagOf(snapshot, 'new-checkout');
  await useDraftJson(page, { ...flag, fallthrough: { split: [{ variant: 'on', weight: 50000 }, { variant: 'off', weight: 10 }] } });
  const alert = page.locator('.pv-draft-errors');
  await alert.getByRole('heading', { name: 'The draft has errors' }).waitFor();
  assert.match(await alert.locator('.pv-diagnostics').textContent(), /weights-sum/);
  assert.deepEqual(await shownResults(page), before);
  const draft = await shownResults(page, 'draft');
  assert.equal(draft['new-checkout'].reason, 'ERROR');
  assert.equal(draft['new-checkout'].errorCode, 'PARSE_ERROR');

  // Not even JSON: the draft does not load; the live results are all there is, unchanged.
  await useDraftJson(page, '{"key": "new-checkout", ');
  await alert.getByRole('heading', { name: 'The draft does not load' }).waitFor();
  assert.match(await alert.textContent(), /not JSON/);
  assert.deepEqual(await shownResults(page), before);
  assert.equal(await page.locator('td[data-col="draft"]').count(), 0);
  await page.shot('preview-narrow');
  assert.deepEqual(await accessibilityProblems(page), []);
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});

test('the explanation shows each step, and a split\'s bucket equals the one the CLI explains', async () => {
  const page = await openPreview();
  await setNow(page, NOW);
  const snapshot = await snapshotFile();
  for (const [context, key] of [[{ targetingKey: 'user-42' }, 'new-checkout'], [{ targetingKey: 'user-7', email: 'ana@vexil.dev' }, 'checkout-button-color']]) {
    await setContext(page, context);
    const row = page.locator(`tr[data-flag="${key}"]`);
    if (await row.getByRole('button', { name: `Explain ${key}` }).getAttribute('aria-expanded') === 'false') {
      await row.getByRole('button', { name: `Explain ${key}` }).click();
    }
    const cli = JSON.parse(execFileSync(binary, ['eval', snapshot, '--context', JSON.stringify(context), '--flag', key, '--explain', '--now', NOW], { encoding: 'utf8' }));
    const split = cli.steps.find((step) => step.step === 'split');
    const explained = page.locator(`#pv-explain-${key} [data-col="live"]`);
    const steps = await explained.locator('li[data-step]').evaluateAll((items) => items.map((item) => item.dataset.step));
    assert.deepEqual(steps, cli.steps.map((step) => step.step));
    const shown = await explained.locator('li[data-step="split"]').textContent();
    assert.match(shown, new RegExp(`bucket ${split.bucket} falls in ${split.variant}'s range ${split.rangeStart}–${split.rangeEnd - 1}`));
    assert.match(await explained.locator('.pv-bar').getAttribute('aria-label'), new RegExp(`bucket ${split.bucket}$`));
  }
  await page.shot('preview-explain');
  assert.deepEqual(await accessibilityProblems(page), []);
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});

test('a local override is marked as such and kept in this browser; clearing it restores the engine\'s answer', async () => {
  const page = await openPreview();
  await setNow(page, NOW);
  const context = { targetingKey: 'user-42' };
  await setContext(page, context);
  const engine = asShown(cli(await snapshotFile(), context, NOW, '--flag', 'new-checkout'));
  assert.deepEqual((await shownResults(page))['new-checkout'], engine);
  assert.equal(engine.variant, 'off');
  await page.getByLabel('Flag to force').selectOption('new-checkout');
  await page.getByLabel('Variant to serve').selectOption('on');
  await page.getByRole('button', { name: 'Force locally' }).click();
  let shown = (await shownResults(page))['new-checkout'];
  assert.deepEqual(shown, { variant: 'on', value: 'true', reason: 'LOCAL_OVERRIDE', errorCode: null, rule: null, local: 'local override — only in this browser' });

  // Kept in this browser: a reload still shows it (the context is typed again).
  await page.reload();
  await page.getByRole('heading', { name: 'Preview' }).waitFor();
  await setNow(page, NOW);
  await setContext(page, context);
  shown = (await shownResults(page))['new-checkout'];
  assert.equal(shown.reason, 'LOCAL_OVERRIDE');
  await page.getByRole('button', { name: 'Clear the local override of new-checkout' }).click();
  assert.deepEqual((await shownResults(page))['new-checkout'], engine);
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((key) => !key.endsWith(':overrides'))), []);
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});

test('a new revision re-evaluates without losing the context; an editor draft is previewed by #/preview?draft=KEY', async () => {
  const page = await openPreview();
  await setNow(page, NOW);
  const context = { targetingKey: 'user-99', role: 'admin', environment: 'staging' };
  await setContext(page, context);
  assert.equal((await shownResults(page))['admin-console'].reason, 'TARGETING_MATCH');
  const toggled = await run.service.api('POST', '/api/v1/flags/admin-console/toggle?environment=production', { enabled: false });
  assert.equal(toggled.status, 200);
  await page.waitForFunction(() => document.querySelector('tr[data-flag="admin-console"] .pv-reason')?.textContent === 'DISABLED');
  assert.deepEqual(JSON.parse(await page.getByLabel('Context JSON').inputValue()), context);
  assert.deepEqual(await shownResults(page), Object.fromEntries(Object.entries(cli(await snapshotFile(), context, NOW)).map(([key, result]) => [key, asShown(result)])));
  await run.service.api('POST', '/api/v1/flags/admin-console/toggle?environment=production', { enabled: true });

  // The editor keeps unsaved drafts in draft.js; the preview opens one from its route and
  // follows its changes (the `vexil:draft` event).
  const flag = flagOf(await snapshotFile(), 'max-upload-mb');
  await page.evaluate(async (draft) => {
    const drafts = await import('/src/draft.js');
    drafts.setDraft(draft.key, draft);
    location.hash = `#/preview?draft=${draft.key}`;
  }, { ...flag, fallthrough: { variant: 'pro' } });
  await page.locator('td[data-col="draft"]').first().waitFor();
  assert.equal(await page.getByLabel('Draft', { exact: true }).inputValue(), 'key:max-upload-mb');
  await page.waitForFunction(() => document.querySelector('tr[data-flag="max-upload-mb"] td[data-col="draft"] .pv-variant')?.textContent === 'pro');
  await page.evaluate(async (draft) => {
    (await import('/src/draft.js')).setDraft(draft.key, draft);
  }, { ...flag, fallthrough: { variant: 'standard' }, rules: [] });
  await page.waitForFunction(() => document.querySelector('tr[data-flag="max-upload-mb"] td[data-col="draft"] .pv-variant')?.textContent === 'standard');
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});

test('a snapshot from a file (200 flags) or from a URL on this origin; other origins are refused in words', async () => {
  const page = await openPreview();
  await setNow(page, NOW);
  const context = { targetingKey: 'user-42', plan: 'pro', jurisdiction: 'quebec' };
  await setContext(page, context);
  const live = JSON.parse(readFileSync(await snapshotFile(), 'utf8'));
  // 200 flags: the example's, copied under other keys (prerequisites still name the originals).
  const big = { ...live, flags: [...live.flags] };
  for (let copy = 1; big.flags.length < 200; copy += 1) {
    for (const flag of live.flags) if (big.flags.length < 200) big.flags.push({ ...flag, key: `${flag.key}-${copy}` });
  }
  const file = join(folder, 'big.json');
  writeFileSync(file, JSON.stringify(big));
  await page.getByLabel('Document').selectOption('file');
  await page.getByLabel('Snapshot file').setInputFiles(file);
  await page.waitForFunction(() => document.querySelectorAll('table.pv-results tbody tr[data-flag]').length === 200);
  const expected = cli(file, context, NOW);
  assert.deepEqual(await shownResults(page), Object.fromEntries(Object.entries(expected).map(([key, result]) => [key, asShown(result)])));
  // Typing re-evaluates at once; the time it took is shown.
  await page.getByLabel('Context JSON').fill(JSON.stringify({ ...context, plan: 'free' }));
  assert.equal((await shownResults(page))['max-upload-mb-7'].variant, 'standard');
  const timing = await page.locator('.preview > .toolbar .pv-timing').textContent();
  assert.match(timing, /^evaluated 200 flags in [\d.]+ ms$/);
  console.log(`# ${timing}`);

  await page.getByLabel('Document').selectOption('url');
  const url = page.getByLabel('Snapshot URL');
  await url.fill('https://example.com/snapshot.json');
  await page.getByRole('button', { name: 'Load the snapshot' }).click();
  await page.getByRole('alert').filter({ hasText: 'only this console\'s own origin' }).waitFor();
  await url.fill('/sdk/v1/snapshot?environment=production');
  await page.getByRole('button', { name: 'Load the snapshot' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table.pv-results tbody tr[data-flag]').length === 9);
  assert.deepEqual(await shownResults(page), Object.fromEntries(Object.entries(cli(await snapshotFile(), { ...context, plan: 'free' }, NOW)).map(([key, result]) => [key, asShown(result)])));
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});
