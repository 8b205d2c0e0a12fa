#!/usr/bin/env bash
# Builds the WebAssembly engine for the npm package into pkg/dist/ (ignored by git), twice from
# the same source: vexil_bg.wasm tuned for speed (servers and edge workers) and vexil_web.wasm
# tuned for download size (browsers: also the smaller allocator). For each:
#   1. cargo, for wasm32-unknown-unknown with the `wasm` or `wasm-web` profile;
#   2. the pinned wasm-bindgen CLI, `--target web` (the one output that runs unchanged in
#      browsers, Node, Deno and Workers); both builds must get the very same JS glue;
#   3. wasm-opt from npm's binaryen (never Debian's: its old wasm-opt corrupts wasm-bindgen
#      output): the browser build is shrunk for size; the server build is only stripped, since
#      V8 loaded a large snapshot 6-8 % slower with wasm-opt's -Oz, -O1 or -O3 output than with
#      LLVM's own (docs/benchmarks.md).
# Needs what scripts/setup-wasm.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

out=pkg/dist
wasm_opt=pkg/node_modules/.bin/wasm-opt
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

rm -rf "$out"
mkdir -p "$out"
for build in wasm:vexil_bg:: wasm-web:vexil_web:web-allocator:-Oz; do
  IFS=: read -r profile name features optimize <<<"$build"
  cargo build --quiet --lib --target wasm32-unknown-unknown --profile "$profile" \
    ${features:+--features "$features"}
  wasm-bindgen --target web --no-typescript --out-dir "$scratch/$profile" --out-name vexil \
    "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/$profile/vexil.wasm"
  "$wasm_opt" ${optimize:+"$optimize"} \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    --strip-producers --strip-target-features \
    "$scratch/$profile/vexil_bg.wasm" -o "$out/$name.wasm"
done
if ! cmp -s "$scratch/wasm/vexil.js" "$scratch/wasm-web/vexil.js"; then
  echo "build-wasm: the two builds got different JS glue; they cannot share one" >&2
  exit 1
fi
cp "$scratch/wasm/vexil.js" "$out/vexil.js"
# The glue's fallback for an initialisation without a file (`new URL('vexil_bg.wasm',
# import.meta.url)`) goes: every entry names its file, and bundlers (Vite, webpack) copy
# whatever such a literal names into the app, here the 290 KB server build nobody loads.
fallback="    if (module_or_path === undefined) {
        module_or_path = new URL('vexil_bg.wasm', import.meta.url);
    }"
node -e '
  const fs = require("fs");
  const [file, fallback] = process.argv.slice(1);
  const glue = fs.readFileSync(file, "utf8");
  if (glue.split(fallback).length !== 2) process.exit(1);
  fs.writeFileSync(file, glue.replace(fallback, ""));
' "$out/vexil.js" "$fallback" \
  || { echo "build-wasm: the glue's default .wasm URL changed shape; review its removal" >&2; exit 1; }
if grep -q 'import\.meta' "$out/vexil.js"; then
  echo "build-wasm: the glue still refers to a file next to it; bundlers would copy it into apps" >&2
  exit 1
fi
# A trap can leave an instance's memory inconsistent. The SDK then starts a fresh instance of
# the same compiled module (Workers allow instantiating a module, not compiling bytes) through
# these additions to the glue:
#   - `__vexilReinstantiate` resets the glue's caches exactly as its own initialisation does;
#   - the glue's finalizers would free the old instance's objects, collected later, at their
#     old addresses in the new instance and corrupt it: every registration instead goes through
#     one registry that remembers which instance made the object, and forgets objects of a
#     replaced one (their memory went with it);
#   - `__vexilMemory` hands the SDK the instance's memory, which it encodes snapshots straight
#     into (and the benchmark reads its size from).
# The glue's registries are found by their shape, and the build fails if one is missed.
registries=$(awk '
  /^const [A-Za-z]+Finalization = / { name = $2 }
  /: new FinalizationRegistry\(ptr => wasm\.__wbg_[a-z_]+_free\(ptr, 1\)\);$/ {
    match($0, /__wbg_[a-z_]+_free/)
    printf "    [%s, (ptr) => wasm.%s(ptr, 1)],\n", name, substr($0, RSTART, RLENGTH)
  }' "$out/vexil.js")
if [ -z "$registries" ] \
  || [ "$(grep -c '^    \[' <<<"$registries")" -ne "$(grep -c 'new FinalizationRegistry(' "$out/vexil.js")" ]; then
  echo "build-wasm: the wasm-bindgen glue's finalizers changed shape; review the instance guard" >&2
  exit 1
fi
{
  cat <<'GLUE'

let __vexilInstance = 0;
const __vexilFinalization = typeof FinalizationRegistry === 'undefined'
    ? undefined
    : new FinalizationRegistry(({ free, ptr, instance }) => {
        if (instance === __vexilInstance) free(ptr);
    });
for (const [registry, free] of [
GLUE
  printf '%s\n' "$registries"
  cat <<'GLUE'
]) {
    if (!__vexilFinalization) break;
    registry.register = (object, ptr, token) =>
        __vexilFinalization.register(object, { free, ptr, instance: __vexilInstance }, token);
    registry.unregister = (token) => __vexilFinalization.unregister(token);
}

export function __vexilReinstantiate() {
    __vexilInstance += 1;
    const instance = new WebAssembly.Instance(wasmModule, __wbg_get_imports());
    return __wbg_finalize_init(instance, wasmModule);
}

export function __vexilMemory() {
    return wasm.memory.buffer;
}
GLUE
} >>"$out/vexil.js"
grep -q '^function __wbg_finalize_init(instance, module)' "$out/vexil.js" \
  || { echo "build-wasm: the wasm-bindgen glue changed shape; review the reinstantiation hook" >&2; exit 1; }
echo "built $out: $(wc -c <"$out/vexil_bg.wasm") bytes of wasm for servers, $(wc -c <"$out/vexil_web.wasm") for browsers"
