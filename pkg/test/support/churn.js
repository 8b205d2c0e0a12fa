// A day of a busy application in a few seconds, the same in every runtime: clients made and
// closed, snapshots swapped, contexts changed, contexts prepared and freed, all thousands of
// times. It reports the WebAssembly memory's size after each round, so a test can check that it
// stops growing once the first rounds have warmed it up: memory that the package forgets to free
// (or leaves to finalizers, which some runtimes never run) grows it round after round.

const KEY = 'quebec-ontario-launch';

/**
 * Runs `rounds` rounds of `perRound` iterations with the package `vexil` (its `createClient` and
 * `Engine`) on `snapshot` (JSON text), calling `memoryBytes()` after each round. Resolves to
 * `{ samples, checks }`: the sizes in bytes, and how many answers were checked.
 */
export async function churn(vexil, memoryBytes, snapshot, { rounds = 12, perRound = 100 } = {}) {
  const document = JSON.parse(snapshot);
  let revision = document.revision;
  const next = () => JSON.stringify({ ...document, revision: (revision += 1) });
  // Long lists make a prepared context large enough that forgetting one shows.
  const tags = Array.from({ length: 200 }, (_, index) => `interest-${index}`);
  let checks = 0;
  const expect = (actual, expected, what) => {
    if (actual !== expected) throw new Error(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    checks += 1;
  };

  // A long-lived client whose snapshot is replaced once a round, as polling would.
  const polling = vexil.createClient({
    url: 'https://config.invalid/flags.json',
    storage: null,
    context: { targetingKey: 'user-0', jurisdiction: 'quebec', tags },
    fetch: async () => new Response(next(), { headers: { etag: `"${revision + 1}"` } }),
    setTimeout: () => 0,
    clearTimeout: () => undefined,
  });
  await polling.refresh();
  // A long-lived engine, as a server keeps.
  const engine = new vexil.Engine(snapshot);
  const samples = [];
  for (let round = 0; round < rounds; round += 1) {
    for (let index = 0; index < perRound; index += 1) {
      const user = `user-${round}-${index}`;
      // A client made for one request and closed.
      const client = vexil.createClient({ bootstrap: snapshot, storage: null, context: { targetingKey: user } });
      expect(client.getBooleanValue(KEY, true, { jurisdiction: 'texas' }), false, 'a short-lived client');
      client.setContext({ targetingKey: user, jurisdiction: 'quebec' });
      expect(client.getBooleanValue(KEY, false), true, 'a short-lived client after setContext');
      expect(client.allFlags()[KEY], true, 'allFlags');
      client.close();
      // The long-lived client's context changes, and every tenth time its snapshot.
      polling.setContext({ targetingKey: user, jurisdiction: index % 2 ? 'quebec' : 'texas', tags });
      expect(polling.getBooleanValue(KEY, index % 2 === 0), index % 2 === 1, 'the polling client');
      if (index % 10 === 0) {
        const before = polling.status.revision;
        await polling.refresh();
        expect(polling.status.revision, before + 1, 'a swapped snapshot');
        expect(polling.getBooleanValue(KEY, index % 2 === 0), index % 2 === 1, 'the polling client after a swap');
      }
      // The engine with plain contexts and with prepared ones, freed.
      expect(engine.evaluate(KEY, { targetingKey: user, jurisdiction: 'ontario' }).value, true, 'a plain context');
      const prepared = engine.prepare({ targetingKey: user, jurisdiction: 'alberta' });
      expect(engine.evaluate(KEY, prepared).value, false, 'a prepared context');
      prepared.free();
    }
    samples.push(memoryBytes());
  }
  polling.close();
  engine.free();
  return { samples, checks };
}

/**
 * Whether `samples` plateaued: from the sample after `warmup` rounds to the last, growth is at
 * most `slack` bytes (two pages of WebAssembly memory). Returns a message saying how it grew, or
 * undefined when it did not. One round warms up: whatever is freed is freed within it, so later
 * rounds reuse the same memory.
 */
export function growth(samples, { warmup = 1, slack = 2 * 65536 } = {}) {
  const settled = samples[warmup - 1];
  const last = samples[samples.length - 1];
  if (last - settled <= slack) return undefined;
  const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  return `WebAssembly memory grew from ${mib(settled)} after ${warmup} rounds to ${mib(last)} after ${samples.length}: ${samples.map(mib).join(', ')}`;
}
