// The console's two speed targets, measured in headless Chromium against a real `vexil serve`
// seeded with the benchmarks' 200-flag snapshot (examples/bench_snapshots.rs):
//   1. first render: from navigation (signed in) to the 200 rows of the flag list on screen;
//   2. re-evaluating every flag for an edited context, as the preview does on each keystroke:
//      engine.prepare(context) + evaluateAll(prepared) in the page.
// A benchmark, never a test: it prints figures for docs/benchmarks.md and asserts nothing.
//
//   make bench-console     (builds what it needs, then runs this)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../../pkg/test/support/chromium.js';
import { startService } from '../../pkg/test/support/service.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const snapshots = process.argv[2] ?? join(root, 'target', 'bench-snapshots');
const seed = join(snapshots, 'snapshot-200.json');
const workload = JSON.parse(readFileSync(join(snapshots, 'workload.json'), 'utf8'));
const RENDERS = 9;
const EVALUATIONS = 2000;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const service = await startService({ seed, args: ['--console', join(root, 'www', 'dist')] });
const chromium = await launchChromium();
try {
  const renders = [];
  for (let run = 0; run < RENDERS; run += 1) {
    const context = await chromium.browser.newContext();
    await context.addInitScript((token) => sessionStorage.setItem('vexil.console.token', token), service.admin);
    const page = await context.newPage();
    await page.goto(`${service.url}/#/flags`);
    await page.waitForFunction(() => document.querySelectorAll('table.flags tr[data-flag]').length === 200, null, { polling: 'raf' });
    renders.push(await page.evaluate(() => performance.now()));
    if (run < RENDERS - 1) await context.close();
  }
  const page = (await chromium.browser.contexts()).at(-1).pages()[0];
  const evaluation = await page.evaluate(async ({ user, now, count, token }) => {
    const { Engine } = await import('/src/engine.js');
    const text = await (await fetch('/sdk/v1/snapshot', { headers: { authorization: `Bearer ${token}` } })).text();
    const engine = new Engine(text);
    // Batches of 50 (the page's clock is coarse, 0.1 ms or worse): each batch's time per context.
    const BATCH = 50;
    const times = [];
    for (let batch = 0; batch < count / BATCH; batch += 1) {
      const started = performance.now();
      for (let index = 0; index < BATCH; index += 1) {
        // An edited context: a new object each time, as typing in the context editor makes.
        const context = { ...user, targetingKey: `user-${batch}-${index}`, visits: index };
        const prepared = engine.prepare(context);
        engine.evaluateAll(prepared, { now });
        prepared.free();
      }
      times.push((performance.now() - started) / BATCH);
    }
    times.sort((a, b) => a - b);
    return { flags: engine.flagKeys.length, median: times[Math.floor(times.length / 2)], p99: times[Math.floor(times.length * 0.99)], max: times.at(-1) };
  }, { user: workload.user, now: workload.now, count: EVALUATIONS, token: service.admin });
  console.log(`first render of the flag list, 200 flags: median ${median(renders).toFixed(0)} ms of ${RENDERS} loads (min ${Math.min(...renders).toFixed(0)}, max ${Math.max(...renders).toFixed(0)})`);
  console.log(`prepare + evaluateAll, ${evaluation.flags} flags, ${EVALUATIONS} edited contexts in batches of 50, per context: median ${evaluation.median.toFixed(3)} ms, slowest batch ${evaluation.max.toFixed(3)} ms`);
} finally {
  await chromium.stop();
  await service.stop();
}
