// A free TCP port on 127.0.0.1, for the servers tests start (another process may take it before
// they bind, which the callers' start-up checks report).

import { createServer } from 'node:net';

/** Resolves to a port nothing listens on at the moment. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
