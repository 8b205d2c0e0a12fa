// The timing helpers both Node benchmarks share: batches timed with the monotonic clock, and
// one line per figure with its spread.

/**
 * Times `run(iterations, state)` in `batches` batches, where `state` comes from
 * `setup(iterations)` outside the timing; returns per-operation seconds (median, min, max).
 */
export function measure(run, { iterations, batches = 15, warmup = 3, setup = () => undefined, teardown = () => {} }) {
  for (let batch = 0; batch < warmup; batch += 1) {
    const state = setup(iterations);
    run(iterations, state);
    teardown(state);
  }
  const perOperation = [];
  for (let batch = 0; batch < batches; batch += 1) {
    const state = setup(iterations);
    const start = process.hrtime.bigint();
    run(iterations, state);
    perOperation.push(Number(process.hrtime.bigint() - start) / 1e9 / iterations);
    teardown(state);
  }
  perOperation.sort((a, b) => a - b);
  return {
    median: perOperation[Math.floor(perOperation.length / 2)],
    min: perOperation[0],
    max: perOperation[perOperation.length - 1],
  };
}

/** Seconds in the unit that suits them: `158 ns`, `18.29 µs`, `27.11 ms`. */
export function duration(seconds) {
  const [unit, scale] = seconds < 1e-6 ? ['ns', 1e9] : seconds < 1e-3 ? ['µs', 1e6] : ['ms', 1e3];
  return `${(seconds * scale).toFixed(scale === 1e9 ? 0 : 2)} ${unit}`;
}

/** Prints one figure: its name padded to `width`, the median, and the fastest – slowest batch. */
export function show(name, { median, min, max }, width = 44) {
  console.log(`${name.padEnd(width)} ${duration(median).padStart(10)}   (${duration(min)} – ${duration(max)})`);
}
