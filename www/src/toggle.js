// The kill switch: one click, one confirmation, one audited change.

import { call } from './api.js';
import { announce } from './dom.js';
import { confirmDialog } from './dialog.js';
import { explainError } from './errors.js';

/** Turns `key` on or off after asking; resolves true when it was changed. */
export async function toggleFlag(app, key, enabled) {
  const confirmed = await confirmDialog({
    title: `Turn ${key} ${enabled ? 'on' : 'off'}?`,
    text: enabled
      ? `Every SDK of ${app.environment} evaluates ${key} by its rules again within seconds.`
      : `Every SDK of ${app.environment} serves ${key}'s off variant to everyone within seconds.`,
    confirm: enabled ? 'Turn on' : 'Turn off',
    danger: !enabled,
  });
  if (!confirmed) return false;
  const changed = app.changing();
  let answer;
  try {
    answer = await call('POST', `/flags/${encodeURIComponent(key)}/toggle`, {
      query: { environment: app.environment }, body: { enabled },
    });
  } catch (error) {
    announce(explainError(error), 'error');
    return false;
  }
  announce(`${key} is ${enabled ? 'on' : 'off'} in ${app.environment}.`);
  await changed(answer.revision);
  return true;
}
