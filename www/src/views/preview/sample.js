// The population a preview evaluates: users generated from a few attribute shares, or
// contexts read from JSON lines (one per line; bad lines are reported, the rest kept).

/** A small seeded generator, so the same settings give the same users every time. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` users `user-1` … `user-N`; each distribution `{ attribute, value, percent }` gives
 * that attribute that value for about `percent` % of them (independently, by a seeded draw).
 */
export function generateUsers(count, distributions = []) {
  const random = seeded(count * 31 + distributions.length);
  const users = [];
  for (let index = 1; index <= count; index += 1) {
    const user = { targetingKey: `user-${index}` };
    for (const { attribute, value, percent } of distributions) {
      if (attribute && random() * 100 < percent) user[attribute] = value;
    }
    users.push(user);
  }
  return users;
}

/** Reads JSON lines: `{ contexts, errors: [{ line, message }] }`; blank lines are skipped. */
export function parseJsonLines(text) {
  const contexts = [];
  const errors = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    try {
      const value = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
      contexts.push(value);
    } catch (error) {
      errors.push({ line: index + 1, message: error.message });
    }
  });
  return { contexts, errors };
}

/** Parses `plan=pro:30` style distribution text (one per line) into distributions. */
export function parseDistributions(text) {
  const distributions = [];
  const errors = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const match = /^([^=\s]+)\s*=\s*(.*?)\s*:\s*(\d+(?:\.\d+)?)\s*%?$/.exec(line);
    if (!match || Number(match[3]) > 100) {
      errors.push({ line: index + 1, message: 'write attribute=value:percent, e.g. plan=pro:30' });
      return;
    }
    distributions.push({ attribute: match[1], value: match[2], percent: Number(match[3]) });
  });
  return { distributions, errors };
}
