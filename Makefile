# `make demo` runs Vexil on the built-in example; `make test` runs every check.
# Both install what they need first (scripts/setup.sh, idempotent).

CARGO ?= cargo
PYTHON := .venv/bin/python

.PHONY: all setup demo test fmt lint doc unit vectors schema bench fuzz clean

all: test

setup:
	@scripts/setup.sh

demo: setup
	$(CARGO) run --quiet --features cli --bin vexil -- demo examples/snapshot.json examples/users.jsonl --now 2026-11-28T12:00:00Z

test: setup fmt lint doc unit vectors schema

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --all-targets --all-features -- -D warnings

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --all-features

unit:
	$(CARGO) test --all-features

# The vectors: bucketing recomputed with the reference xxhash library; all files as generated.
vectors:
	scripts/check_vectors.sh

# The snapshot JSON Schema, checked against every shipped snapshot and a few broken ones.
schema:
	$(PYTHON) scripts/check_schema.py

bench:
	$(CARGO) bench --bench engine

# Not part of `make test`: needs cargo-fuzz and takes minutes. See docs/fuzzing.md.
fuzz:
	scripts/fuzz.sh

clean:
	$(CARGO) clean
