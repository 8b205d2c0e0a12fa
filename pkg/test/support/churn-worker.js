// A Cloudflare worker that runs the churn of churn.js through the package's workerd entry and
// answers with the WebAssembly memory's size after each round. Used by
// test/workerd-lifetime.test.js.
import * as vexil from '../../src/entry/workerd.js';
import { __vexilMemory } from '../../dist/vexil.js';
import { churn } from './churn.js';
import snapshot from '../../snapshot.json';

export default {
  async fetch(request) {
    // startWorkerd asks with HEAD until the worker answers: the churn runs once, for the GET.
    if (request.method !== 'GET') return new Response(null);
    let result;
    try {
      result = await churn(vexil, () => __vexilMemory().byteLength, snapshot);
      result.finalizers = typeof FinalizationRegistry;
    } catch (error) {
      result = { failure: String(error?.stack ?? error) };
    }
    return new Response(JSON.stringify(result), { headers: { 'content-type': 'application/json' } });
  },
};
