# `make demo` runs Vexil on the built-in example; `make test` runs every check.
# Both install what they need first (scripts/setup.sh, idempotent).

CARGO ?= cargo
PYTHON := .venv/bin/python

.PHONY: all setup setup-js demo test fmt lint doc unit vectors schema wasm console js e2e bench bench-console bench-edge bench-js bench-service size fuzz clean

all: test

setup:
	@scripts/setup.sh

# The WebAssembly and npm tools: the wasm32 target, the pinned wasm-bindgen CLI, pkg/'s npm tools.
setup-js: setup
	@scripts/setup-wasm.sh

# The example evaluation, then the flag service on the example flags until Ctrl-C.
demo: setup console
	$(CARGO) run --quiet --features cli --bin vexil -- demo examples/snapshot.json examples/users.jsonl --now 2026-11-28T12:00:00Z
	scripts/demo-service.sh

test: setup setup-js fmt lint doc unit vectors schema js e2e size

fmt:
	$(CARGO) fmt --all -- --check

lint: setup-js
	$(CARGO) clippy --all-targets --all-features -- -D warnings
	$(CARGO) clippy --lib --target wasm32-unknown-unknown --all-features -- -D warnings

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --all-features

unit:
	$(CARGO) test --all-features

# The vectors: bucketing recomputed with the reference xxhash library; all files as generated.
vectors:
	scripts/check_vectors.sh

# The snapshot JSON Schema, checked against every shipped snapshot and a few broken ones; the
# service's OpenAPI document, checked against the OpenAPI specification.
schema:
	$(PYTHON) scripts/check_schema.py
	$(PYTHON) scripts/check_openapi.py

# The npm package's WebAssembly build, into pkg/dist/ (see scripts/build-wasm.sh).
wasm: setup-js
	scripts/build-wasm.sh

# The console (www/) into www/dist/, which `cargo build --features server` then embeds in the
# `vexil` binary (build.rs). Prints the sizes of its own code (docs/console.md).
console: wasm
	cd www && node build.mjs --sizes --max-gzip 57344

# The console end to end: headless Chromium against a real `vexil serve` on SQLite, the console
# served from www/dist. Screenshots go to target/console-screenshots/.
e2e: console
	$(CARGO) build --quiet --features server --bin vexil
	cd www && node --test --test-concurrency=1 --test-timeout=180000 test/*.test.js

# The npm package's tests: the vectors in Node, Chromium and workerd; the engine's and the
# client's promises; OpenFeature through the real SDKs; the packed tarball in every runtime;
# native against WebAssembly on the 100,000 pairs the agreement example writes; and the client
# against the real flag service (the `vexil` binary with the `server` feature) in Node and
# Chromium.
js: wasm
	$(CARGO) run --quiet --example agreement -- target/agreement
	$(CARGO) build --quiet --features server --bin vexil
	cd pkg && node --test --test-timeout=240000 test/*.test.js

bench:
	$(CARGO) bench --bench engine

# The same workload through the npm package's public API in Node, then side by side with two
# pure-JS peers (flagd-core, GrowthBook; pinned in pkg/bench/peers) in one process (see
# docs/benchmarks.md).
bench-js: wasm
	$(CARGO) run --quiet --release --example bench_snapshots -- target/bench-snapshots
	cd pkg && node bench/engine.bench.mjs ../target/bench-snapshots
	cd pkg/bench/peers && npm ci --silent --no-audit --no-fund && node peers.bench.mjs ../../../target/bench-snapshots

# Server rendering at the edge: examples/edge/worker.js in workerd with the 200-flag snapshot,
# cold start to first answer and the cost per request (docs/benchmarks.md).
bench-edge: wasm
	$(CARGO) run --quiet --release --example bench_snapshots -- target/bench-snapshots
	cd pkg && node bench/edge.bench.mjs ../target/bench-snapshots

# The console's first render of 200 flags and its re-evaluation per keystroke, in headless
# Chromium against a real `vexil serve` (docs/benchmarks.md).
bench-console: console
	$(CARGO) run --quiet --release --example bench_snapshots -- target/bench-snapshots
	$(CARGO) build --quiet --features server --bin vexil
	cd www && node bench/console.bench.mjs ../target/bench-snapshots

# Not part of `make test`: the flag service under load over loopback, about eight minutes. It
# starts and stops `vexil serve` and a throwaway PostgreSQL cluster itself; options after
# BENCH_SERVICE= (e.g. BENCH_SERVICE="--runs 5") go to the load generator (docs/benchmarks.md).
bench-service: setup
	$(CARGO) build --quiet --release --features server --bin vexil --example service_load
	$(CARGO) run --quiet --release --features server --example service_load -- $(BENCH_SERVICE)

# What a browser downloads for the default entry, gzip and brotli; fails above the budget of
# 100 KiB gzip (sizes are deterministic for pinned tools, so this is a fair check in CI).
size: wasm
	node scripts/wasm-size.mjs --max-gzip 102400 --remote-max-gzip 4096

# Not part of `make test`: needs cargo-fuzz and takes minutes. See docs/fuzzing.md.
fuzz:
	scripts/fuzz.sh

clean:
	$(CARGO) clean
