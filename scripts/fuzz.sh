#!/usr/bin/env bash
# Fuzzes the snapshot loader, the context reader, and the engine's time and memory bounds with
# hostile snapshots (see docs/fuzzing.md).
#
#   scripts/fuzz.sh                 every target, FUZZ_SECONDS (default 120) each
#   scripts/fuzz.sh load            one target
#   FUZZ_SECONDS=600 scripts/fuzz.sh
#   FUZZ_SANITIZER=none scripts/fuzz.sh hostile    faster, and times evaluations honestly
#
# Corpora grow in fuzz/corpus/<target>, crashes land in fuzz/artifacts/<target>, and each run's
# libFuzzer output is kept in fuzz/artifacts/<target>.log; all three are ignored by git.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-120}"
sanitizer="${FUZZ_SANITIZER:-address}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(load context hostile)
fi

# cargo-fuzz drives nightly-only compiler flags. RUSTC_BOOTSTRAP=1 lets a stable toolchain accept
# them, so no nightly install is needed.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz (once, a few minutes)" >&2
  cargo install cargo-fuzz --locked
fi

# Seeds: every snapshot and context the project already ships, so the fuzzer starts from valid
# documents instead of having to discover JSON and the snapshot format from nothing.
mkdir -p fuzz/corpus/load fuzz/corpus/context fuzz/corpus/hostile fuzz/artifacts
cp examples/snapshot.json fuzz/corpus/load/seed-example-snapshot.json
python3 - <<'PY'
import glob, hashlib, json, os

def save(directory, value):
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    data = text.encode("utf-8", "surrogatepass")
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(directory, name), "wb") as out:
        out.write(data)

def walk(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("snapshot", "document"):
                save("fuzz/corpus/load", item)
            elif key in ("context", "contextJson"):
                save("fuzz/corpus/context", item)
            walk(item)
    elif isinstance(value, list):
        for item in value:
            walk(item)

for path in sorted(glob.glob("tests/vectors/*.json")):
    with open(path, encoding="utf-8") as source:
        walk(json.load(source))
save("fuzz/corpus/context", {"targetingKey": "user-42", "jurisdiction": "quebec",
                             "role": ["admin", "editor"], "appVersion": "5.2.1",
                             "signedUpAt": "2026-11-05T10:00:00Z", "email": "a@vexil.dev"})
PY

# The hostile target's bounds (docs/fuzzing.md says how they were chosen). An evaluation may take
# HOSTILE_EVAL_MS, a load HOSTILE_LOAD_MS plus HOSTILE_LOAD_NS_PER_BYTE per byte of document;
# AddressSanitizer makes everything several times slower, so its bounds are wider.
if [ "$sanitizer" = none ]; then
  export HOSTILE_EVAL_MS="${HOSTILE_EVAL_MS:-20}" HOSTILE_LOAD_MS="${HOSTILE_LOAD_MS:-200}"
  export HOSTILE_LOAD_NS_PER_BYTE="${HOSTILE_LOAD_NS_PER_BYTE:-300}"
else
  export HOSTILE_EVAL_MS="${HOSTILE_EVAL_MS:-100}" HOSTILE_LOAD_MS="${HOSTILE_LOAD_MS:-800}"
  export HOSTILE_LOAD_NS_PER_BYTE="${HOSTILE_LOAD_NS_PER_BYTE:-1200}"
fi
# The input that made the slowest evaluation of the last hostile run.
export HOSTILE_SLOWEST="${HOSTILE_SLOWEST:-fuzz/artifacts/hostile-slowest}"

status=0
for target in "${targets[@]}"; do
  echo "fuzz: $target for ${seconds}s (corpus: $(ls fuzz/corpus/"$target" | wc -l) inputs)" >&2
  if [ "$target" = hostile ]; then
    # Its input is a list of choices, not JSON: no dictionary, and every length from the start.
    # A generated snapshot is at most about 2 MiB whatever the input, so 4 KiB of choices is
    # plenty; no single allocation may exceed 256 MB (the harness bounds a load's total).
    options=(-max_len=4096 -len_control=0 -malloc_limit_mb=256)
  else
    # -max_len fits the example snapshot; the dictionary teaches the fuzzer the format's words.
    options=(-max_len=8192 -dict=fuzz/snapshot.dict)
  fi
  # `timeout`: without a sanitizer, libFuzzer's own per-input timeout can deadlock in malloc
  # (its alarm handler writes the input out), so the whole run is bounded from outside too.
  if ! timeout --signal=KILL $((seconds + 600)) \
      cargo fuzz run --sanitizer "$sanitizer" "$target" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" "${options[@]}" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      2>&1 | tee "fuzz/artifacts/$target.log"; then
    echo "fuzz: $target FAILED; see fuzz/artifacts/$target and fuzz/artifacts/$target.log" >&2
    status=1
  fi
  grep -E '^#[0-9]+[[:space:]]+DONE' "fuzz/artifacts/$target.log" | tail -1 || true
done
exit $status
