// A static file server on 127.0.0.1 for browser tests: `/pkg/…` from the package directory and
// `/vectors/…` from tests/vectors, with the content types browsers insist on (WebAssembly must
// be `application/wasm` to compile while streaming).

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

const ROOTS = {
  pkg: fileURLToPath(new URL('../../', import.meta.url)),
  vectors: fileURLToPath(new URL('../../../tests/vectors/', import.meta.url)),
};

/**
 * Serves `pages` (path → HTML), the roots above and `extraRoots` (name → directory, served as
 * `/name/…`); resolves to `{ url, close }`.
 */
export async function serve(pages = {}, extraRoots = {}) {
  const roots = { ...ROOTS };
  for (const [name, directory] of Object.entries(extraRoots)) roots[name] = directory.replace(/\/?$/, '/');
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    if (Object.hasOwn(pages, path)) {
      response.writeHead(200, { 'content-type': TYPES['.html'] });
      response.end(pages[path]);
      return;
    }
    const [, root, ...rest] = path.split('/');
    const base = roots[root];
    const file = base && normalize(base + rest.join(sep));
    if (!file || !file.startsWith(base)) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
