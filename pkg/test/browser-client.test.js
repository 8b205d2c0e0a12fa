// The client in a real page (headless Chromium): it persists to localStorage by default, stops
// polling while the tab is hidden (flushing counts with sendBeacon), and resumes when visible.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { pageResult } from './support/chromium.js';

const example = readFileSync(new URL('../../examples/snapshot.json', import.meta.url), 'utf8');

const PAGE = `<!doctype html>
<meta charset="utf-8">
<script type="importmap">{ "imports": { "vexil": "/pkg/src/entry/browser.js" } }</script>
<script type="module">
  import { createClient } from 'vexil';
  const SNAPSHOT = ${JSON.stringify(example)};
  // Timers and the network are recorded, so the test can see what the client scheduled.
  const timers = new Map();
  let nextTimer = 1;
  const fetches = [];
  const beacons = [];
  navigator.sendBeacon = (url, body) => { beacons.push({ url: String(url), body: JSON.parse(body) }); return true; };
  let visibility = 'visible';
  Object.defineProperty(document, 'visibilityState', { get: () => visibility });
  const setVisibility = (state) => { visibility = state; document.dispatchEvent(new Event('visibilitychange')); };
  const client = createClient({
    url: '/config/flags.json',
    eventsUrl: '/events',
    flushInterval: 5000,
    context: { targetingKey: 'user-42', jurisdiction: 'quebec' },
    ttl: 60000,
    jitter: 0,
    fetch: async (url) => { fetches.push(String(url)); return new Response(SNAPSHOT, { headers: { etag: '"a"' } }); },
    setTimeout: (callback, ms) => { const id = nextTimer++; timers.set(id, ms); return id; },
    clearTimeout: (id) => timers.delete(id),
  });
  await client.refresh();
  const report = {};
  report.value = client.getBooleanValue('quebec-ontario-launch', false);
  report.persisted = localStorage.getItem('vexil:/config/flags.json') !== null;
  report.pollsWhileVisible = [...timers.values()].filter((ms) => ms === 60000).length;
  setVisibility('hidden');
  report.pollsWhileHidden = [...timers.values()].filter((ms) => ms === 60000).length;
  report.beacons = beacons;
  setVisibility('visible');
  report.pollsAfterVisible = [...timers.values()].filter((ms) => ms > 5000 && ms <= 60000).length;
  report.fetches = fetches.length;
  client.close();
  window.report = report;
</script>`;

test('in a page: localStorage persistence, no polling while hidden, counts sent by beacon', async () => {
  const { value: report, errors } = await pageResult(PAGE, 'report');
  assert.deepEqual(errors, []);
  assert.equal(report.value, true);
  assert.equal(report.persisted, true);
  assert.equal(report.pollsWhileVisible, 1);
  assert.equal(report.pollsWhileHidden, 0);
  assert.deepEqual(report.beacons.map((beacon) => beacon.url), ['/events']);
  assert.deepEqual(report.beacons[0].body.flags, [{ flag: 'quebec-ontario-launch', variants: { on: 1 }, errors: 0 }]);
  assert.equal(report.pollsAfterVisible, 1);
  assert.equal(report.fetches, 1);
});
