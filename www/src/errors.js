// API errors in words for people, with what to do about them.

/** An instant as a wall-clock time in this browser's time zone ("15:00"). */
export function clockTime(instant) {
  return new Date(instant).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** One sentence for an {@link import('./api.js').ApiError}. */
export function explainError(error) {
  switch (error.code) {
    case 'quota-exceeded': {
      const details = error.details ?? {};
      const at = details.resetAt ? clockTime(details.resetAt) : 'the start of the next hour';
      const minutes = error.retryAfter ? Math.ceil(error.retryAfter / 60) : null;
      const wait = minutes ? ` (in ${minutes} min)` : '';
      const flag = details.flag ? `${details.flag} has` : 'This flag has';
      return `Not saved: ${flag} had all ${details.limit ?? 100} of its changes this hour. The limit keeps a runaway script from flooding every SDK with new revisions. The next change is allowed at ${at}${wait}; nothing else needs doing.`;
    }
    case 'version-mismatch':
      return 'Someone changed this flag since you opened it.';
    case 'forbidden':
      return 'Your token may read but not change this (its role is viewer); ask an admin for an editor token.';
    case 'expired':
      return 'That expiry is in the past: choose a later time, or none to keep the override until it is removed.';
    case 'network':
      return error.message;
    default:
      return error.message;
  }
}
