// Translates a Vexil snapshot (parsed JSON) into the formats of two pure-JS peers, so that the
// benchmark can give all three engines the same flags, rules and segments:
//
// - toFlagd: a flagd flag definition (`flags` with `state`, `variants`, `defaultVariant` and a
//   JsonLogic `targeting`; segments as `$evaluators` referenced by `$ref`).
// - toGrowthBook: a GrowthBook SDK payload (`features` with `defaultValue` and `rules`; segments
//   as `savedGroups`).
//
// The aim is the same WORK per evaluation, not the same answers: each peer buckets splits with its
// own hash, by design. Every construct is translated to what the peer would evaluate for it; where
// a peer has no exact equivalent, the closest one of similar cost is used, and APPROXIMATIONS
// (below, printed by the benchmark) says which.

/**
 * The context attribute that carries the evaluation time to the peers. Vexil takes `now` as an
 * argument of each evaluation; flagd's only clock is the wall clock (`$flagd.timestamp`) and
 * GrowthBook conditions have none, so the benchmark passes `now` in the context instead.
 */
export const NOW_ATTRIBUTE = 'vexilNow';

/** Every place where a peer does something other than exactly what Vexil does. */
export const APPROXIMATIONS = {
  both: [
    'Splits bucket with each peer\'s own hash (flagd: murmur3 of salt+key+value scaled to the weights; GrowthBook: FNV-1a v2 of seed+value), so a user may land in another slice than in Vexil.',
    `The schedule compares the context attribute "${NOW_ATTRIBUTE}" (the benchmark's \`now\` as ISO 8601 UTC text) with the window's bounds as strings; before/after compare the attribute's text with the operand normalised to ISO 8601 UTC, exact for UTC values except when both fall in the same second.`,
    'Flag metadata is dropped: it never affects evaluation (flagd only admits scalar metadata values; a GrowthBook payload has none).',
  ],
  flagd: [
    'matches (regex): flagd has no regex operator; it becomes a substring test ("in") for the longest literal text every match must contain (for "^[a-z0-9._%+-]+@(example|acme|initech)\\.(com|org)$": "@").',
    'Prerequisites: flagd flags cannot read other flags; the prerequisite\'s whole targeting is inlined and its result tested with "in" against the required variants: the same work for one flag, but repeated for every dependent flag in a bulk evaluation.',
    'A split on a context without its bucketing attribute is bucketed on the empty text instead of failing with TARGETING_KEY_MISSING.',
    'The kill switch (enabled: false) with an offVariant is a static flag serving it (reason STATIC, not DISABLED: flagd\'s DISABLED state serves the caller\'s default, which is used only for a killed flag without an offVariant).',
  ],
  growthbook: [
    'The kill switch (enabled: false) becomes a feature with no rules serving offVariant\'s value (null without one), which is what GrowthBook exports for a feature switched off in an environment.',
    'startsWith / endsWith / contains: GrowthBook has no string operators; they become one $regex ("^(?:a|b)", "(?:a|b)$", "a|b"), compiled once and cached by GrowthBook.',
    'Prerequisites test the parent feature\'s value, not its variant (GrowthBook features have no variant names): a rule with parentConditions { value: { $nin: required values } } forcing offVariant\'s value.',
    'Splits are experiment rules (variations + weights + hashAttribute): GrowthBook\'s construct for a weighted split among N values, which also builds an experiment result.',
    'Numeric comparisons ($lt...) and versions ($vgte...) use GrowthBook\'s own rules: no type check, and versions compared as padded strings rather than by semver precedence.',
  ],
};

/** Vexil's `value`/`values` as a list of operands. */
function operandsOf(condition) {
  return condition.values ?? (condition.value === undefined ? [] : [condition.value]);
}

// Both peers read `a.b` as a path into nested objects, while Vexil contexts are flat and `a.b` is
// one attribute name: refuse rather than translate such a name into something else.
function attributeOf(condition) {
  if (condition.attribute.includes('.')) {
    throw new Error(`attribute ${JSON.stringify(condition.attribute)} would be read as a path by the peers`);
  }
  return condition.attribute;
}

/** An RFC 3339 instant as ISO 8601 UTC text, which orders like the instants themselves. */
const isoInstant = (text) => new Date(text).toISOString();

/** The value a flag serves when it is off (disabled, outside its schedule, prerequisite unmet). */
const offValueOf = (flag) => (flag.offVariant == null ? null : flag.variants[flag.offVariant]);

// ---------------------------------------------------------------------------------------------
// flagd

const FLAGD_COMPARISONS = { lt: '<', lte: '<=', gt: '>', gte: '>=', before: '<', after: '>' };
const FLAGD_SEMVER = { semverEq: '=', semverLt: '<', semverLte: '<=', semverGt: '>', semverGte: '>=' };
const NEGATED = new Set(['notEquals', 'notIn']);

/**
 * The longest run of literal text every match of `pattern` must contain: outside groups and
 * classes, and not made optional by a quantifier. flagd tests it as a substring instead of the
 * pattern (see APPROXIMATIONS).
 */
function requiredText(pattern) {
  const runs = [''];
  let depth = 0;
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i];
    let literal = null;
    if (char === '\\') {
      i += 1;
      // Escaped punctuation is that character; \d, \w, \b and the like are classes or assertions.
      if (/[^0-9A-Za-z]/.test(pattern[i])) literal = pattern[i];
    } else if (char === '[') {
      i = pattern.indexOf(']', i + 2); // a class matches one of several characters
    } else if (char === '(') {
      depth += 1;
    } else if (char === ')') {
      depth -= 1;
    } else if (char === '|' && depth === 0) {
      throw new Error(`/${pattern}/ has no text every match contains`);
    } else if (!'^$.*+?{}'.includes(char)) {
      literal = char;
    }
    const quantifier = pattern[i + 1] ?? '';
    if (literal === null || depth > 0 || /[?*{]/.test(quantifier)) {
      runs.push('');
    } else {
      runs[runs.length - 1] += literal;
      if (quantifier === '+') runs.push(''); // required, but what follows is not adjacent to it
    }
  }
  const longest = runs.reduce((best, run) => (run.length > best.length ? run : best));
  if (!longest) throw new Error(`/${pattern}/ has no text every match contains`);
  return longest;
}

/** JsonLogic tests of one value (`subject`) against the operands; the condition holds if any does. */
function flagdTests(op, operands, subject) {
  switch (op) {
    case 'equals':
    case 'in':
    case 'notEquals':
    case 'notIn':
      return [operands.length === 1 ? { '===': [subject, operands[0]] } : { in: [subject, operands] }];
    case 'contains':
      return operands.map((text) => ({ in: [text, subject] }));
    case 'startsWith':
      return operands.map((text) => ({ starts_with: [subject, text] }));
    case 'endsWith':
      return operands.map((text) => ({ ends_with: [subject, text] }));
    case 'matches':
      return operands.map((pattern) => ({ in: [requiredText(pattern), subject] }));
    case 'before':
    case 'after':
      return operands.map((instant) => ({ [FLAGD_COMPARISONS[op]]: [subject, isoInstant(instant)] }));
    default:
      if (op in FLAGD_COMPARISONS) return operands.map((number) => ({ [FLAGD_COMPARISONS[op]]: [subject, number] }));
      if (op in FLAGD_SEMVER) return operands.map((version) => ({ sem_ver: [subject, FLAGD_SEMVER[op], version] }));
      throw new Error(`no flagd translation for operator ${op}`);
  }
}

const anyOf = (tests) => (tests.length === 1 ? tests[0] : { or: tests });
const allOf = (tests) => (tests.length === 1 ? tests[0] : { and: tests });

function flagdCondition(condition, listAttributes) {
  const { op } = condition;
  let test;
  if (op === 'inSegment' || op === 'notInSegment') {
    // `$ref` is replaced by the segment's evaluator when flagd loads the definition.
    test = anyOf(operandsOf(condition).map((segment) => ({ $ref: segment })));
  } else if (op === 'exists') {
    test = { '!=': [{ var: attributeOf(condition) }, null] };
  } else if (listAttributes.has(condition.attribute)) {
    // A list holds if any item does, as in Vexil: `some` runs the test with each item as data.
    test = { some: [{ var: attributeOf(condition) }, anyOf(flagdTests(op, operandsOf(condition), { var: '' }))] };
  } else {
    test = anyOf(flagdTests(op, operandsOf(condition), { var: attributeOf(condition) }));
  }
  const negated = (op === 'notInSegment' || NEGATED.has(op)) !== Boolean(condition.negate);
  return negated ? { '!': test } : test;
}

/** A serve as JsonLogic giving a variant name. */
function flagdServe(serve, flag) {
  if (serve.variant !== undefined) return serve.variant;
  // An explicit bucketing text (salt, key, value), so that an inlined prerequisite still buckets
  // by its own key rather than the dependent flag's.
  const bucketBy = { cat: [`${flag.salt ?? ''}${flag.key}`, { var: serve.bucketBy ?? flag.bucketBy ?? 'targetingKey' }] };
  return { fractional: [bucketBy, ...serve.split.map(({ variant, weight }) => [variant, weight])] };
}

/**
 * The whole evaluation of `flag` as one JsonLogic expression giving a variant name, or null for
 * "no variant". Vexil's steps become one first-match `if` chain: overrides, schedule,
 * prerequisites, rules, then the fallthrough.
 */
function flagdVariant(flag, flags, listAttributes) {
  const off = flag.offVariant ?? null;
  if (flag.enabled === false) return off;
  const chain = [];
  for (const { variant, keys } of flag.overrides ?? []) {
    chain.push({ in: [{ var: 'targetingKey' }, keys] }, variant);
  }
  const { start, end } = flag.schedule ?? {};
  const outside = [];
  if (start != null) outside.push({ '<': [{ var: NOW_ATTRIBUTE }, isoInstant(start)] });
  if (end != null) outside.push({ '>=': [{ var: NOW_ATTRIBUTE }, isoInstant(end)] });
  if (outside.length) chain.push(anyOf(outside), off);
  for (const prerequisite of flag.prerequisites ?? []) {
    const served = flagdVariant(flags.get(prerequisite.flag), flags, listAttributes);
    chain.push({ '!': { in: [served, prerequisite.variants] } }, off);
  }
  for (const rule of flag.rules ?? []) {
    const conditions = (rule.conditions ?? []).map((condition) => flagdCondition(condition, listAttributes));
    chain.push(conditions.length ? allOf(conditions) : true, flagdServe(rule.serve, flag));
  }
  const fallthrough = flagdServe(flag.fallthrough, flag);
  return chain.length ? { if: [...chain, fallthrough] } : fallthrough;
}

/** Vexil's segment membership: included, else not excluded and every condition. */
function flagdSegment(segment, listAttributes) {
  const key = { var: 'targetingKey' };
  const ways = [];
  if (segment.included?.length) ways.push({ in: [key, segment.included] });
  const conditions = (segment.conditions ?? []).map((condition) => flagdCondition(condition, listAttributes));
  if (conditions.length) {
    if (segment.excluded?.length) conditions.unshift({ '!': { in: [key, segment.excluded] } });
    ways.push(allOf(conditions));
  }
  return ways.length ? anyOf(ways) : false;
}

/**
 * A flagd flag definition (the document `FlagdCore#setConfigurations` takes, as an object).
 * `listAttributes` names the context attributes that hold lists: JsonLogic needs to be told to
 * test their items, where Vexil decides from the value.
 */
export function toFlagd(snapshot, { listAttributes }) {
  const flags = new Map(snapshot.flags.map((flag) => [flag.key, flag]));
  const definitions = {};
  for (const flag of snapshot.flags) {
    const variant = flagdVariant(flag, flags, listAttributes);
    const definition = { state: 'ENABLED', variants: flag.variants };
    if (variant === null) {
      // Killed without an offVariant: the caller's default, which is what flagd's DISABLED serves.
      definition.state = 'DISABLED';
      definition.defaultVariant = null;
    } else if (typeof variant === 'string') {
      definition.defaultVariant = variant; // static: no targeting at all
    } else {
      // Every path of the expression names its variant; null (no variant) serves the caller's default.
      definition.defaultVariant = null;
      definition.targeting = variant;
    }
    definitions[flag.key] = definition;
  }
  const evaluators = {};
  for (const segment of snapshot.segments ?? []) evaluators[segment.key] = flagdSegment(segment, listAttributes);
  return { flags: definitions, $evaluators: evaluators };
}

// ---------------------------------------------------------------------------------------------
// GrowthBook

const GROWTHBOOK_COMPARISONS = {
  lt: '$lt', lte: '$lte', gt: '$gt', gte: '$gte', before: '$lt', after: '$gt',
  semverEq: '$veq', semverLt: '$vlt', semverLte: '$vlte', semverGt: '$vgt', semverGte: '$vgte',
};
// Operators GrowthBook applies to each item of a list attribute by itself.
const LIST_AWARE = new Set(['equals', 'in', 'notEquals', 'notIn', 'exists']);

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const alternatives = (texts) => (texts.length === 1 ? texts[0] : `(?:${texts.join('|')})`);

/** Operator objects for one attribute; the condition holds if any does. */
function growthBookTests(op, operands, isList) {
  switch (op) {
    case 'exists':
      return [{ $exists: true }];
    case 'equals':
    case 'in':
      return [operands.length === 1 && !isList ? { $eq: operands[0] } : { $in: operands }];
    case 'notEquals':
    case 'notIn':
      return [{ $nin: operands }];
    case 'contains':
      return [{ $regex: operands.map(escapeRegex).join('|') }];
    case 'startsWith':
      return [{ $regex: `^${alternatives(operands.map(escapeRegex))}` }];
    case 'endsWith':
      return [{ $regex: `${alternatives(operands.map(escapeRegex))}$` }];
    case 'matches':
      operands.forEach((pattern) => new RegExp(pattern)); // a pattern JavaScript reads otherwise fails here, not silently
      return [{ $regex: operands.length === 1 ? operands[0] : operands.map((pattern) => `(?:${pattern})`).join('|') }];
    case 'before':
    case 'after':
      return operands.map((instant) => ({ [GROWTHBOOK_COMPARISONS[op]]: isoInstant(instant) }));
    default:
      if (op in GROWTHBOOK_COMPARISONS) return operands.map((operand) => ({ [GROWTHBOOK_COMPARISONS[op]]: operand }));
      throw new Error(`no GrowthBook translation for operator ${op}`);
  }
}

function growthBookCondition(condition, listAttributes) {
  const { op } = condition;
  let result;
  if (op === 'inSegment' || op === 'notInSegment') {
    const references = operandsOf(condition).map((id) => ({ $savedGroup: { id } }));
    result = op === 'inSegment' ? (references.length === 1 ? references[0] : { $or: references }) : { $nor: references };
  } else {
    const attribute = attributeOf(condition);
    const isList = listAttributes.has(attribute);
    const wrap = (test) => ({ [attribute]: isList && !LIST_AWARE.has(op) ? { $elemMatch: test } : test });
    const tests = growthBookTests(op, operandsOf(condition), isList).map(wrap);
    result = tests.length === 1 ? tests[0] : { $or: tests };
  }
  return condition.negate ? { $not: result } : result;
}

/** Conditions ANDed; `$and` keeps two conditions on one attribute apart. */
function growthBookConditions(conditions, listAttributes) {
  const translated = conditions.map((condition) => growthBookCondition(condition, listAttributes));
  return translated.length === 1 ? translated[0] : { $and: translated };
}

/** A rule serving `serve`, applying when `condition` (if any) holds. */
function growthBookServe(serve, flag, condition) {
  const rule = condition ? { condition } : {};
  if (serve.variant !== undefined) return { ...rule, force: flag.variants[serve.variant] };
  return {
    ...rule,
    variations: serve.split.map(({ variant }) => flag.variants[variant]),
    weights: serve.split.map(({ weight }) => weight / 100000),
    hashAttribute: serve.bucketBy ?? flag.bucketBy ?? 'targetingKey',
    hashVersion: 2,
    ...(flag.salt ? { seed: `${flag.salt}${flag.key}` } : {}),
  };
}

function growthBookFeature(flag, flags, listAttributes) {
  const off = offValueOf(flag);
  if (flag.enabled === false) return { defaultValue: off };
  const rules = [];
  for (const { variant, keys } of flag.overrides ?? []) {
    rules.push({ condition: { targetingKey: { $in: keys } }, force: flag.variants[variant] });
  }
  const { start, end } = flag.schedule ?? {};
  const outside = [];
  if (start != null) outside.push({ [NOW_ATTRIBUTE]: { $lt: isoInstant(start) } });
  if (end != null) outside.push({ [NOW_ATTRIBUTE]: { $gte: isoInstant(end) } });
  if (outside.length) rules.push({ condition: outside.length === 1 ? outside[0] : { $or: outside }, force: off });
  for (const prerequisite of flag.prerequisites ?? []) {
    const required = prerequisite.variants.map((variant) => flags.get(prerequisite.flag).variants[variant]);
    rules.push({ parentConditions: [{ id: prerequisite.flag, condition: { value: { $nin: required } } }], force: off });
  }
  for (const rule of flag.rules ?? []) {
    const conditions = rule.conditions ?? [];
    const condition = conditions.length ? growthBookConditions(conditions, listAttributes) : undefined;
    rules.push(growthBookServe(rule.serve, flag, condition));
  }
  if (flag.fallthrough.variant !== undefined) return { defaultValue: flag.variants[flag.fallthrough.variant], rules };
  // A split fallthrough is a last, unconditional rule; the default value is then only served
  // when the split cannot bucket (no bucketing attribute), where Vexil serves no variant.
  rules.push(growthBookServe(flag.fallthrough, flag));
  return { defaultValue: null, rules };
}

/**
 * A GrowthBook payload (`{ features, savedGroups }`, what `GrowthBookClient#initSync` takes).
 * Each segment is a saved group of type "condition" (referenced by `$savedGroup`), built from two
 * ID-list saved groups for its included and excluded targeting keys.
 */
export function toGrowthBook(snapshot, { listAttributes }) {
  const flags = new Map(snapshot.flags.map((flag) => [flag.key, flag]));
  const features = {};
  for (const flag of snapshot.flags) features[flag.key] = growthBookFeature(flag, flags, listAttributes);
  const savedGroups = {};
  for (const segment of snapshot.segments ?? []) {
    const ways = [];
    if (segment.included?.length) {
      savedGroups[`${segment.key}:included`] = { type: 'list', attributeKey: 'targetingKey', values: segment.included };
      ways.push({ targetingKey: { $inGroup: `${segment.key}:included` } });
    }
    const conditions = (segment.conditions ?? []).map((condition) => growthBookCondition(condition, listAttributes));
    if (conditions.length) {
      if (segment.excluded?.length) {
        savedGroups[`${segment.key}:excluded`] = { type: 'list', attributeKey: 'targetingKey', values: segment.excluded };
        conditions.unshift({ targetingKey: { $notInGroup: `${segment.key}:excluded` } });
      }
      ways.push(conditions.length === 1 ? conditions[0] : { $and: conditions });
    }
    // An empty $or holds for everyone in GrowthBook, so a segment nobody is in gets an $in of nothing.
    const condition = ways.length === 0 ? { targetingKey: { $in: [] } } : ways.length === 1 ? ways[0] : { $or: ways };
    savedGroups[segment.key] = { type: 'condition', condition };
  }
  return { features, savedGroups };
}

/** The context both peers evaluate: Vexil's context plus the evaluation time (see NOW_ATTRIBUTE). */
export function peerContext(context, now) {
  return { ...context, [NOW_ATTRIBUTE]: isoInstant(now) };
}
