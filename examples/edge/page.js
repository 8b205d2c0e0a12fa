// The page's script: its client starts from the answers the worker or server injected, so the
// first render needs no request and shows what the HTML already shows. It then asks /flags
// every `ttl` to stay fresh, and renders again on a change.
import { readBootstrap } from 'vexil/html';
import { createRemoteClient } from 'vexil/remote';

const flags = createRemoteClient({ url: '/flags', bootstrap: readBootstrap(), ttl: 60_000 });

function render() {
  const values = flags.allFlags();
  for (const element of document.querySelectorAll('[data-flag]')) {
    const value = String(values[element.dataset.flag] ?? '');
    // Only a changed value is written, so the server's text stays as it is.
    if (element.textContent !== value) element.textContent = value;
  }
}

render();
flags.on('change', render);
globalThis.flags = flags;
