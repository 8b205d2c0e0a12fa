// API errors in words for people, with what to do about them.

/** One sentence for an {@link import('./api.js').ApiError}. */
export function explainError(error) {
  switch (error.code) {
    case 'quota-exceeded': {
      const reset = error.details.resetAt ? new Date(error.details.resetAt) : null;
      const at = reset ? reset.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : 'the next hour';
      return `This flag has had its ${error.details.limit ?? 100} changes this hour (the limit that keeps a runaway script from flooding every SDK with revisions). The next change is allowed at ${at}.`;
    }
    case 'version-mismatch':
      return 'Someone changed this flag since you opened it.';
    case 'forbidden':
      return 'Your token may read but not change this (its role is viewer); ask an admin for an editor token.';
    case 'network':
      return error.message;
    default:
      return error.message;
  }
}
