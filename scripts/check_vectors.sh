#!/usr/bin/env bash
# Checks the published vectors: every bucketing vector recomputed from docs/bucketing.md with the
# reference xxhash library, and every vectors file exactly what its generator in scripts/vectors/
# writes (so a hand edit that the generator would undo cannot slip in).
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

"$python" scripts/verify_bucketing.py tests/vectors/bucketing.json

stale=0
for pair in bucketing:bucketing eval:evaluation load:load-errors diag:diagnostics; do
  generator=${pair%%:*}
  file=${pair##*:}
  (cd scripts/vectors && "../../$python" "gen_$generator.py" "$scratch/$file.json" >/dev/null)
  if ! cmp -s "$scratch/$file.json" "tests/vectors/$file.json"; then
    echo "tests/vectors/$file.json differs from what scripts/vectors/gen_$generator.py writes" >&2
    stale=1
  fi
done
exit "$stale"
