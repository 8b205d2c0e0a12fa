// One flag's explanation (engine.explain) as numbered steps in words, with a split's bucket
// shown on a bar of the split's ranges. Step kinds: docs/evaluation.md, "Explanations".

import { h, showValue } from '../../dom.js';
import { splitBar } from './bars.js';

const quote = (value) => (value === null || value === undefined ? 'nothing' : showValue(value));

function condition(step, flag) {
  // Segment tests name no attribute; the segment is in the definition.
  const segment = flag?.rules?.[step.rule]?.conditions?.[step.condition]?.value;
  const subject = step.attribute === null ? `the context (segment ${quote(segment)})` : `${step.attribute} (${quote(step.value)})`;
  const op = step.negate ? `not ${step.op}` : step.op;
  return `Rule ${step.ruleId ?? step.rule}, condition ${step.condition + 1}: ${subject} ${op} → ${step.result ? 'holds' : 'does not hold'}.`;
}

function schedule(step) {
  const start = step.start ?? 'always';
  const end = step.end ?? 'forever';
  return `Schedule from ${start} until ${end}; now is ${step.now}: ${step.live ? 'inside the window, so it goes on' : 'outside the window, so the flag is off (DISABLED)'}.`;
}

/** One step in words. */
export function describeStep(step, flag) {
  switch (step.step) {
    case 'flagNotFound': return 'No flag has this key (FLAG_NOT_FOUND).';
    case 'flagInvalid': return 'The flag has error diagnostics, so it is never evaluated (PARSE_ERROR).';
    case 'enabled': return step.enabled ? 'The kill switch is on: the flag is evaluated.' : 'The kill switch is off: the flag serves its off variant to everyone (DISABLED).';
    case 'invalidContext': return `The context is over a limit: ${step.message} (INVALID_CONTEXT).`;
    case 'override':
      if (step.targetingKey === null) return 'No targeting key: the overrides are skipped.';
      return step.variant === null
        ? `Targeting key ${quote(step.targetingKey)} is not in the overrides.`
        : `Targeting key ${quote(step.targetingKey)} is overridden to ${step.variant} (OVERRIDE).`;
    case 'schedule': return schedule(step);
    case 'prerequisite':
      return `Prerequisite ${step.flag} must serve ${step.required.join(' or ')}; it served ${step.variant ?? 'no variant'}: ${step.met ? 'met' : 'not met, so the flag serves its off variant (PREREQUISITE_FAILED)'}.`;
    case 'condition': return condition(step, flag);
    case 'ruleMatched': return `Rule ${step.ruleId ?? step.rule} matches: it decides.`;
    case 'fallthrough': return 'No rule matched: the fallthrough serves.';
    case 'costLimit': return `Stopped before the work passed the cost limit of ${step.limit} units (GENERAL).`;
    case 'split':
      if (step.bucket === null || step.bucket === undefined) return `Split by ${step.bucketBy}: the attribute is missing or cannot be bucketed (TARGETING_KEY_MISSING).`;
      return `Split by ${step.bucketBy} (${quote(step.value)}): bucket ${step.bucket} falls in ${step.variant}'s range ${step.rangeStart}–${step.rangeEnd - 1}.`;
    default: return `${step.step}: ${JSON.stringify(step)}`;
  }
}

/** The split a trace served: the matched rule's, else the fallthrough's. */
function servedSplit(flag, steps) {
  const matched = steps.find((step) => step.step === 'ruleMatched');
  const serve = matched ? flag?.rules?.[matched.rule]?.serve : flag?.fallthrough;
  return Array.isArray(serve?.split) ? serve.split : null;
}

/** The explanation of `key` by `engine` for `context` at `now`, for the flag definition `flag`. */
export function explanation(engine, flag, key, context, now) {
  const { evaluation, steps } = engine.explain(key, context, { now });
  const variants = Object.keys(flag?.variants ?? {});
  const split = servedSplit(flag, steps);
  return h('ol', { class: 'pv-steps' },
    steps.map((step) => h('li', { dataset: { step: step.step } },
      describeStep(step, flag),
      step.step === 'split' && split && typeof step.bucket === 'number' && h('div', { class: 'pv-split' },
        splitBar(split, variants, step.bucket),
        h('span', { class: 'muted pv-bucket' }, `bucket ${step.bucket} of 0–99999`)))),
    h('li', { class: 'pv-outcome' },
      `Result: ${evaluation.variant ?? 'no variant'} (${showValue(evaluation.value)}), ${evaluation.reason}`,
      evaluation.errorCode ? ` ${evaluation.errorCode}` : '', evaluation.ruleId ? `, rule ${evaluation.ruleId}` : '', '.'));
}
