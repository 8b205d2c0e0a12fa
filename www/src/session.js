// The admin token and the chosen environment live in session storage: gone when the tab closes,
// never in a URL, never in local storage.

const TOKEN = 'vexil.console.token';
const ENVIRONMENT = 'vexil.console.environment';

/** Whether `text` looks like an admin token (`vxa_<12 hex>_<64 hex>`). */
export function looksLikeAdminToken(text) {
  return /^vxa_[0-9a-f]{12}_[0-9a-f]{64}$/.test(text);
}

/** A stored value, or null (also where storage is refused, as in some private modes). */
function read(name) {
  try {
    return sessionStorage.getItem(name);
  } catch {
    return null;
  }
}

export function token() {
  return read(TOKEN);
}

export function signIn(value) {
  sessionStorage.setItem(TOKEN, value);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN);
}

export function environment() {
  return read(ENVIRONMENT);
}

export function chooseEnvironment(name) {
  sessionStorage.setItem(ENVIRONMENT, name);
}
