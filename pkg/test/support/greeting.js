// The snapshot the React and Next.js apps render: a string flag `greeting` whose variants and
// rules each test chooses (one variant is HOSTILE), and a boolean `dark-mode`, so that
// `useFlags()` counts two flags.

/** A value that would end a `<script>` element of the page, were it not escaped. */
export const HOSTILE = '</script><script>window.injected = 1</script><!--';

/** The snapshot's text at `revision`, with `greeting` made of `definition` (variants, rules…). */
export function greetingSnapshot(revision, definition) {
  return JSON.stringify({
    schemaVersion: 1,
    revision,
    generatedAt: '2026-12-01T00:00:00Z',
    flags: [
      { key: 'greeting', type: 'string', ...definition },
      { key: 'dark-mode', type: 'boolean', variants: { on: true, off: false }, offVariant: 'off', rules: [], fallthrough: { variant: 'on' } },
    ],
  });
}
