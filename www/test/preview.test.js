// The preview (#/preview) against a real `vexil serve` in headless Chromium: what the page shows
// for a context is what the CLI (`vexil eval`) prints for the same snapshot, context and instant.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

async function openPreview(hash = '#/preview') {
  const page = await run.open();
  await page.evaluate((to) => { location.hash = to; }, hash);
  await page.getByRole('heading', { name: 'Preview' }).waitFor();
  return page;
}

async function setContext(page, context) {
  await page.getByRole('tab', { name: 'JSON' }).click();
  await page.getByLabel('Context JSON').fill(JSON.stringify(context));
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
  for (const { context, now } of CASES) {
    await setNow(page, now);
    await setContext(page, context);
    const expected = cli(snapshot, context, now);
    const shown = await shownResults(page);
    assert.deepEqual(Object.keys(shown), Object.keys(expected));
    for (const [key, result] of Object.entries(expected)) {
      assert.deepEqual(shown[key], asShown(result), `${key} for ${JSON.stringify(context)} at ${now}`);
      reasons.add(result.reason);
    }
  }
  for (const reason of ['TARGETING_MATCH', 'SPLIT', 'OVERRIDE', 'DISABLED', 'PREREQUISITE_FAILED', 'DEFAULT', 'ERROR']) assert.ok(reasons.has(reason), reason);
  assert.match(await page.locator('.pv-timing').first().textContent(), /^evaluated \d+ flags in [\d.]+ ms$/);
  await page.shot('preview');
  assert.deepEqual(page.problems, { errors: [], csp: [], dialogs: [] });
});
