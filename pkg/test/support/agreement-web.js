// Worker thread: the browsers' size-tuned build, through the `vexil/slim` entry (a worker has
// its own module instances, so this does not disturb the main thread's engine).

import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

import { Engine, initialize } from 'vexil/slim';

import { compare } from './agreement.js';

await initialize(readFileSync(new URL('../../dist/vexil_web.wasm', import.meta.url)));
parentPort.postMessage(compare(Engine));
