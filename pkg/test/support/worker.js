// A Cloudflare worker that runs the vectors through the package's workerd entry and answers with
// the result. Used by test/workerd.test.js, which serves it with the real workerd runtime.
import * as vexil from '../../src/entry/workerd.js';
import { runVectors } from './vectors.js';
import evaluation from '../../vectors/evaluation.json';
import loadErrors from '../../vectors/load-errors.json';
import diagnostics from '../../vectors/diagnostics.json';
import bucketing from '../../vectors/bucketing.json';

export default {
  async fetch() {
    const result = runVectors(vexil, { evaluation, loadErrors, diagnostics, bucketing });
    return new Response(JSON.stringify(result), { headers: { 'content-type': 'application/json' } });
  },
};
