// Evaluating a sample of contexts: each flag's variant counts (all users, and those that reached
// the fallthrough's split), and with a draft, which users would change variant.

const EXAMPLES = 20;

function count(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function emptyTally() {
  return { counts: new Map(), split: new Map(), splitTotal: 0 };
}

function add(tallies, result) {
  let tally = tallies.get(result.key);
  if (!tally) tallies.set(result.key, (tally = emptyTally()));
  count(tally.counts, result.variant);
  // A split with no rule id is the fallthrough's: the one whose weights the chart compares.
  if (result.reason === 'SPLIT' && result.ruleId === undefined) {
    count(tally.split, result.variant);
    tally.splitTotal += 1;
  }
}

function evaluateAll(loaded, context, now) {
  const prepared = loaded.engine.prepare(context);
  const results = loaded.engine.evaluateAll(prepared, { now });
  prepared.free();
  return results;
}

/**
 * Evaluates `sample` with `base` and, if given, `draft`, at `now`. Resolves `{ base: Map key →
 * tally, draft: Map | null, changes: Map key → { count, transitions: Map "from→to" → n,
 * examples: [{ user, before, after }] }, changedUsers, ms }`.
 */
export function evaluateSample(sample, base, draft, now) {
  const started = performance.now();
  const tallies = { base: new Map(), draft: draft ? new Map() : null };
  const changes = new Map();
  let changedUsers = 0;
  for (const context of sample) {
    const before = evaluateAll(base, context, now);
    for (const result of before) add(tallies.base, result);
    if (!draft) continue;
    const after = evaluateAll(draft, context, now);
    const previous = new Map(before.map((result) => [result.key, result.variant]));
    let changed = false;
    for (const result of after) {
      add(tallies.draft, result);
      const was = previous.has(result.key) ? previous.get(result.key) : null;
      if (was === result.variant) continue;
      changed = true;
      let change = changes.get(result.key);
      if (!change) changes.set(result.key, (change = { count: 0, transitions: new Map(), examples: [] }));
      change.count += 1;
      count(change.transitions, `${was ?? '—'} → ${result.variant ?? '—'}`);
      if (change.examples.length < EXAMPLES) change.examples.push({ user: context.targetingKey ?? JSON.stringify(context), before: was, after: result.variant });
    }
    if (changed) changedUsers += 1;
  }
  return { ...tallies, changes, changedUsers, users: sample.length, ms: performance.now() - started };
}
