// Watches a flag service's snapshot the way an app does, with the npm package's client, and
// prints every flag's value for one user at start and after each change (which arrives over
// the service's stream within a second).
//
//   make wasm
//   node examples/watch-flags.mjs http://127.0.0.1:8080 vxc_… [targetingKey]
//
// The key is an SDK key (the client key `vexil serve` prints on its first start).

import { createClient } from '../pkg/src/entry/node.js';

const [base, key, targetingKey = 'user-42'] = process.argv.slice(2);
if (!base || !key) {
  console.error('usage: node examples/watch-flags.mjs SERVICE_URL SDK_KEY [TARGETING_KEY]');
  process.exit(2);
}

const flags = createClient({
  url: new URL('/sdk/v1/snapshot', base).href,
  headers: { authorization: `Bearer ${key}` },
  context: { targetingKey },
  storage: null,
});

function show(why) {
  const results = flags.allFlags();
  const line = Object.entries(results)
    .map(([flag, value]) => `${flag}=${JSON.stringify(value)}`)
    .join(' ');
  console.log(`${why} (revision ${flags.status.revision}) for ${targetingKey}: ${line}`);
}

flags.on('error', ({ code, source }) => console.error(`error from ${source}: ${code}`));
flags.on('change', ({ keys }) => show(`changed ${keys.join(', ')}`));
await flags.ready({ timeout: 5000 });
show('ready');
// The client never keeps Node running by itself (a script that only reads its flags exits when
// done); a watcher has nothing else to do, so it keeps itself running until Ctrl-C.
const running = setInterval(() => undefined, 2 ** 30);
process.on('SIGINT', () => {
  clearInterval(running);
  flags.close();
  process.exit(0);
});
