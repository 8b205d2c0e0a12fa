// Listening to the page's events (`vexil:live`, `vexil:draft`) for as long as a view is shown:
// the router replaces views without telling them, so a view notices it is gone (at the next
// event or route change) and lets go of its listeners and WebAssembly memory then.

/**
 * Calls `handlers[type](event)` for document events while `element` is in the page; once it is
 * not, removes them and calls `onGone()`.
 */
export function whileShown(element, handlers, onGone) {
  const listeners = Object.entries(handlers).map(([type, handler]) => [type, (event) => {
    if (element().isConnected) handler(event);
    else gone();
  }]);
  const onHash = () => queueMicrotask(() => { if (!element().isConnected) gone(); });
  let done = false;
  function gone() {
    if (done) return;
    done = true;
    for (const [type, listener] of listeners) document.removeEventListener(type, listener);
    window.removeEventListener('hashchange', onHash);
    onGone();
  }
  for (const [type, listener] of listeners) document.addEventListener(type, listener);
  window.addEventListener('hashchange', onHash);
}
