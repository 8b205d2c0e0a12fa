#!/usr/bin/env bash
# Installs what `make demo` and `make test` need on a fresh machine. Idempotent and quick when
# everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install Rust with rustup (https://rustup.rs) and re-run" >&2
  exit 1
fi

# rustfmt and clippy are rustup components; a minimal profile may lack them.
if command -v rustup >/dev/null 2>&1; then
  installed=$(rustup component list --installed 2>/dev/null || true)
  for component in rustfmt clippy; do
    if ! grep -q "^${component}" <<<"$installed"; then
      rustup component add "$component"
    fi
  done
fi

# A Python with the reference xxhash library, to check the published bucketing vectors
# independently of the Rust code.
# jsonschema checks docs/snapshot.schema.json against the shipped snapshots.
# openapi-spec-validator checks docs/openapi.json, the flag service's API.
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import xxhash, jsonschema, openapi_spec_validator' >/dev/null 2>&1; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check 'xxhash==3.*' 'jsonschema==4.*' 'openapi-spec-validator==0.7.*'
fi

# PostgreSQL's server programs, for the flag service's tests: each test starts a throwaway
# cluster of its own on a free port (no system service is started or used).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
  else
    echo "setup: PostgreSQL is needed for the service's tests; install its server package" >&2
    exit 1
  fi
fi
