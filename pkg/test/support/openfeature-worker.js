// A Cloudflare worker with a Vexil OpenFeature provider made from the client's options: the
// provider loads the `vexil` entry (here workerd's) in initialize(), then answers for the
// context in the request's `jurisdiction` parameter. Used by test/workerd-openfeature.test.js.
import { VexilServerProvider } from '../../src/openfeature.js';

const SNAPSHOT = {
  schemaVersion: 1,
  revision: 1,
  generatedAt: '2026-11-01T00:00:00Z',
  flags: [
    {
      key: 'launch',
      type: 'boolean',
      variants: { on: true, off: false },
      offVariant: 'off',
      rules: [{ id: 'canada-east', conditions: [{ attribute: 'jurisdiction', op: 'in', values: ['quebec'] }], serve: { variant: 'on' } }],
      fallthrough: { variant: 'off' },
    },
  ],
};

export default {
  async fetch(request) {
    const jurisdiction = new URL(request.url).searchParams.get('jurisdiction');
    // The readiness probe names no jurisdiction.
    if (!jurisdiction) return new Response('ready');
    const provider = new VexilServerProvider({ bootstrap: SNAPSHOT });
    const context = { targetingKey: 'user-1', jurisdiction };
    try {
      const before = await provider.resolveBooleanEvaluation('launch', false, context);
      await provider.initialize();
      const after = await provider.resolveBooleanEvaluation('launch', false, context);
      return Response.json({ before: before.errorCode, value: after.value, reason: after.reason });
    } finally {
      await provider.onClose();
    }
  },
};
