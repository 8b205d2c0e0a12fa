// A flag's overrides, history and statistics tabs, and the change quota shown before it is
// hit, against a real `vexil serve` in headless Chromium.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startConsole, watchListings } from './support/console.js';

const NO_PROBLEMS = { errors: [], csp: [], dialogs: [] };

describe('with the default quota', () => {
  let run;
  before(async () => {
    run = await startConsole();
  });
  after(async () => {
    await run?.stop();
  });

  test('an override with a note and an expiry is set through the form, listed, then removed', async () => {
    const key = 'checkout-button-color';
    const page = await run.open({ hash: `#/flags/${key}/overrides` });
    await page.getByRole('heading', { name: 'Per-user overrides' }).waitFor();
    await page.getByText('No overrides').waitFor();
    await page.getByText('every SDK applies it').waitFor();
    await page.getByLabel('Targeting key').fill('qa-<b>alice</b>');
    await page.getByLabel('Variant').selectOption('orange');
    await page.getByLabel('Note').fill('QA account <img src=x onerror=alert(1)>');
    await page.getByLabel('Expires').fill('2031-03-04T05:06');
    const listings = watchListings(page);
    const overrideLists = watchListings(page, `/api/v1/flags/${key}/overrides`);
    const revision = Number((await page.locator('header .revision').textContent()).replace(/\D/g, ''));
    await page.getByRole('button', { name: 'Set override' }).click();
    const row = page.locator('table.overrides tbody tr[data-targeting-key="qa-<b>alice</b>"]');
    await row.waitFor();
    // The new revision arrives from the answer and from the live stream; the flags and the
    // overrides are listed once for it.
    await page.getByText(`rev ${revision + 1}`).waitFor();
    assert.equal(await listings.settled(), 1);
    assert.equal(await overrideLists.settled(), 1);
    const { body } = await run.service.api('GET', `/api/v1/flags/${key}/overrides`);
    assert.equal(body.overrides.length, 1);
    const [override] = body.overrides;
    assert.equal(override.targetingKey, 'qa-<b>alice</b>');
    assert.equal(override.variant, 'orange');
    assert.equal(override.note, 'QA account <img src=x onerror=alert(1)>');
    const expected = await page.evaluate(() => new Date('2031-03-04T05:06').getTime());
    assert.equal(Date.parse(override.expiresAt), expected);
    // What the page lists is what the service holds, shown as text.
    assert.equal(await row.locator('td').nth(2).textContent(), override.note);
    assert.equal(await row.locator('td').nth(3).textContent(), override.setBy);
    assert.equal(await row.locator('time').last().getAttribute('datetime'), override.expiresAt);
    // The published snapshot carries it, so every SDK applies it.
    const evaluated = await run.service.api('POST', `/api/v1/evaluate/${key}`, { context: { targetingKey: 'qa-<b>alice</b>' } });
    assert.equal(evaluated.body.variant, 'orange');
    await page.shot('overrides');

    await row.getByRole('button', { name: 'Remove the override of qa-<b>alice</b>' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No overrides').waitFor();
    assert.deepEqual((await run.service.api('GET', `/api/v1/flags/${key}/overrides`)).body.overrides, []);
    assert.deepEqual(page.problems, NO_PROBLEMS);
  });

  test('the history shows a toggle as "Turned off" with $.enabled true → false, as the API has it', async () => {
    const key = 'maintenance-mode';
    const page = await run.open({ hash: `#/flags/${key}/history` });
    const toggle = async (label) => {
      await page.locator('main .toolbar').getByRole('switch').click();
      await page.getByRole('dialog').getByRole('button', { name: label }).click();
      await page.locator('main .toolbar').getByRole('switch', { checked: label === 'Turn on' }).waitFor();
    };
    await toggle('Turn on');
    await toggle('Turn off');
    const { body } = await run.service.api('GET', `/api/v1/flags/${key}/history`);
    const latest = body.entries[0];
    assert.equal(latest.kind, 'flag.toggle');
    const entry = page.locator(`li.history-entry[data-revision="${latest.revision}"]`);
    await entry.waitFor();
    assert.equal(await page.locator('li.history-entry').first().getAttribute('data-revision'), String(latest.revision), 'newest first');
    assert.equal(await entry.locator('.history-kind').textContent(), 'Turned off');
    assert.equal(await entry.locator('.history-actor').textContent(), latest.actor);
    const change = entry.locator('.history-diff li[data-path="$.enabled"]');
    const shown = {
      path: await change.getAttribute('data-path'),
      op: await change.getAttribute('data-op'),
      before: JSON.parse(await change.locator('.diff-before').textContent()),
      after: JSON.parse(await change.locator('.diff-after').textContent()),
    };
    assert.deepEqual(shown, { path: '$.enabled', op: 'changed', before: true, after: false });
    assert.deepEqual(latest.diff.find((d) => d.path === '$.enabled'), { ...shown });
    assert.equal(await change.locator('.diff-path').textContent(), 'On/off state');
    await entry.locator('summary').click();
    assert.deepEqual(JSON.parse(await entry.locator('.history-json pre').last().textContent()), latest.after);
    await page.shot('history');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.shot('history-dark');
    assert.deepEqual(page.problems, NO_PROBLEMS);
  });

  test('the history pages back with "Load older changes"', async () => {
    const key = 'legacy-search';
    for (let index = 0; index < 22; index += 1) {
      const reply = await run.service.api('POST', `/api/v1/flags/${key}/toggle`, {});
      assert.equal(reply.status, 200);
    }
    const page = await run.open({ hash: `#/flags/${key}/history` });
    const entries = page.locator('li.history-entry');
    await entries.nth(19).waitFor();
    assert.equal(await entries.count(), 20);
    await page.getByRole('button', { name: 'Load older changes' }).click();
    await entries.nth(20).waitFor();
    const { body } = await run.service.api('GET', `/api/v1/flags/${key}/history?limit=500`);
    const revisions = await entries.evaluateAll((items) => items.map((item) => Number(item.dataset.revision)));
    assert.deepEqual(revisions, body.entries.map((entry) => entry.revision));
    assert.equal(await page.getByRole('button', { name: 'Load older changes' }).count(), 0);
    assert.deepEqual(page.problems, NO_PROBLEMS);
  });

  test('statistics show evaluations that failed: the error count and the success rate', async () => {
    const key = 'new-checkout';
    const page = await run.open({ hash: `#/flags/${key}/stats` });
    await page.getByText(`No evaluations of ${key}`).waitFor();
    for (const context of [{ targetingKey: 'user-a' }, { targetingKey: 'user-b' }, { targetingKey: 'user-c' }, {}]) {
      const { body } = await run.service.api('POST', `/api/v1/evaluate/${key}`, { context });
      // No targeting key: the rollout cannot bucket, an error the service counts.
      assert.equal(body.errorCode, context.targetingKey ? undefined : 'TARGETING_KEY_MISSING');
    }
    const { body: stats } = await run.service.api('GET', `/api/v1/flags/${key}/stats?hours=24`);
    assert.equal(stats.errors, 1);
    assert.equal(stats.successRate, 0.75);
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await page.getByRole('button', { name: 'Last 24 hours' }).click();
    await page.getByRole('img', { name: /Success rate per hour in the last 24 hours: lowest 75/ }).waitFor();
    const totals = await page.locator('.stats-totals .stat dd').allTextContents();
    assert.deepEqual(totals, ['4', '1', '75%']);
    await page.locator('.stats-table summary').click();
    assert.equal(await page.locator('.stats-table tbody tr').first().locator('td[data-variant="errors"]').textContent(), '1');
    assert.deepEqual(page.problems, NO_PROBLEMS);
  });

  test('statistics chart the evaluations per variant; the table equals the API', async () => {
    const key = 'max-upload-mb';
    const page = await run.open({ hash: `#/flags/${key}/stats` });
    await page.getByText(`No evaluations of ${key}`).waitFor();
    const served = {};
    for (let index = 0; index < 24; index += 1) {
      const { body } = await run.service.api('POST', `/api/v1/evaluate/${key}`, { context: { targetingKey: `user-${index}`, plan: index % 3 === 0 ? 'pro' : 'free' } });
      served[body.variant] = (served[body.variant] ?? 0) + 1;
    }
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await page.getByRole('img', { name: /Evaluations per hour/ }).waitFor();
    const { body: stats } = await run.service.api('GET', `/api/v1/flags/${key}/stats?hours=168`);
    assert.equal(stats.evaluations, 24);
    const counted = Object.fromEntries(Object.entries(stats.hours.at(-1).variants));
    assert.deepEqual(counted, served, 'the service counted what it served');
    await page.locator('.stats-table summary').click();
    const table = await page.locator('.stats-table tbody tr').evaluateAll((rows) => rows.map((row) => ({
      hour: row.dataset.hour,
      variants: Object.fromEntries([...row.querySelectorAll('td[data-variant]')]
        .filter((cell) => cell.dataset.variant !== 'errors')
        .map((cell) => [cell.dataset.variant, Number(cell.textContent)])),
      errors: Number(row.querySelector('td[data-variant="errors"]').textContent),
    })));
    assert.deepEqual(table, [...stats.hours].reverse().map((hour) => ({ hour: hour.hour, variants: hour.variants, errors: hour.errors })));
    const label = await page.getByRole('img', { name: /Evaluations per hour/ }).getAttribute('aria-label');
    for (const [variant, count] of Object.entries(served)) assert.ok(label.includes(`${variant} ${count}`), label);
    const legend = await page.locator('.chart-legend').textContent();
    for (const [variant, count] of Object.entries(served)) assert.ok(legend.includes(`${variant} ${count}`), legend);
    assert.equal(await page.locator('.stats-totals .stat').first().locator('dd').textContent(), '24');
    assert.ok(await page.locator('svg.chart rect').count() >= Object.keys(served).length);
    await page.getByRole('button', { name: 'Last 24 hours' }).click();
    await page.locator('.stats-period button[aria-pressed="true"]', { hasText: 'Last 24 hours' }).waitFor();
    await page.getByRole('img', { name: /Evaluations per hour in the last 24 hours/ }).waitFor();
    await page.locator('.stats-table summary').click();
    await page.shot('stats');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.shot('stats-dark');
    assert.deepEqual(page.problems, NO_PROBLEMS);
  });

  test('the tabs work at phone width', async () => {
    const page = await run.open({ hash: '#/flags/new-checkout/history', viewport: { width: 390, height: 800 } });
    await page.locator('li.history-entry').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await page.shot('history-phone');
    assert.deepEqual(page.problems, NO_PROBLEMS);
  });
});

describe('with a quota of 3 changes per hour', () => {
  let run;
  before(async () => {
    run = await startConsole({ serviceOptions: { args: ['--changes-per-hour', '3'] } });
  });
  after(async () => {
    await run?.stop();
  });

  test('the meter counts down to 0 and the refused change is explained with the reset time', async () => {
    const key = 'black-friday-banner';
    const page = await run.open({ hash: `#/flags/${key}/overrides` });
    const meter = page.locator('.quota-meter');
    const remaining = async () => Number(await meter.getAttribute('data-remaining'));
    await page.locator('.quota-meter[data-remaining]').waitFor();
    const quota = async () => (await run.service.api('GET', `/api/v1/flags/${key}/quota`)).body;
    const start = await quota();
    assert.equal(start.limit, 3);
    assert.equal(await remaining(), start.remaining);
    for (let index = start.used; index < 3; index += 1) {
      await page.getByLabel('Targeting key').fill(`tester-${index}`);
      await page.getByRole('button', { name: 'Set override' }).click();
      await page.locator(`tr[data-targeting-key="tester-${index}"]`).waitFor();
      await page.locator(`.quota-meter[data-remaining="${2 - index}"]`).waitFor();
    }
    const spent = await quota();
    assert.equal(spent.remaining, 0);
    assert.equal(await remaining(), 0);
    assert.equal(await meter.locator('meter').evaluate((element) => element.value), 0);
    assert.equal(await meter.locator('time').getAttribute('datetime'), spent.resetAt);
    await page.getByLabel('Targeting key').fill('one-too-many');
    await page.getByRole('button', { name: 'Set override' }).click();
    const notice = page.locator('.form-message [data-code="quota-exceeded"]');
    await notice.waitFor();
    const at = await page.evaluate((instant) => new Date(instant).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }), spent.resetAt);
    const text = await notice.textContent();
    assert.ok(text.includes(`allowed at ${at}`), text);
    assert.ok(text.includes('3 of its changes'), text);
    assert.ok((await meter.textContent()).includes(`resets at ${at}`));
    assert.equal((await quota()).used, spent.used, 'the refused change was not counted');
    assert.equal((await run.service.api('GET', `/api/v1/flags/${key}/overrides`)).body.overrides.some((o) => o.targetingKey === 'one-too-many'), false);
    await page.shot('quota');

    // Saving the flag's definition from the editor is refused the same way, and nothing is stored.
    const version = (await run.service.api('GET', `/api/v1/flags/${key}`)).body;
    await page.getByRole('navigation', { name: 'Flag sections' }).getByRole('link', { name: 'Definition' }).click();
    await page.getByLabel('Description').fill('edited past the quota');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`allowed at ${at}`).first().waitFor();
    assert.deepEqual((await run.service.api('GET', `/api/v1/flags/${key}`)).body, version);
    assert.equal(await page.getByLabel('Description').inputValue(), 'edited past the quota', 'the edit is kept');
    assert.deepEqual(page.problems, NO_PROBLEMS);
  });
});
