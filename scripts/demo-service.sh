#!/usr/bin/env bash
# The second half of `make demo`: the flag service on a fresh temporary data folder, seeded
# with the example flags, with its console (built by `make console`, embedded in the binary)
# and copy-paste commands to try the API. Runs until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${VEXIL_DEMO_PORT:-8080}"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT INT TERM

cargo build --quiet --features server --bin vexil
vexil="${CARGO_TARGET_DIR:-target}/debug/vexil"

# A fresh admin token for this demo, in the service's format (256 random bits).
token="vxa_$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')_$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
base="http://127.0.0.1:$port"

cat <<TEXT

The flag service, on a fresh SQLite database in $data, seeded with examples/snapshot.json.

  console:          $base/
  admin token:      $token
                    (paste it into the console's sign-in; it stays in that browser tab only)

  admin API:        $base/api/v1/flags
  config endpoint:  $base/sdk/v1/snapshot  (the SDK keys are printed below)

Or try the API from another terminal:

  export VEXIL_TOKEN=$token
  # the kill switch: turn new-checkout off
  curl -s -X POST $base/api/v1/flags/new-checkout/toggle -H "Authorization: Bearer \$VEXIL_TOKEN" -d '{"enabled": false}'
  # force user-42 onto the "on" variant of new-checkout
  curl -s -X POST $base/api/v1/flags/new-checkout/overrides -H "Authorization: Bearer \$VEXIL_TOKEN" -d '{"targetingKey": "user-42", "variant": "on", "note": "QA"}'
  # read new-checkout's history, newest first, with before/after and a diff
  curl -s $base/api/v1/flags/new-checkout/history -H "Authorization: Bearer \$VEXIL_TOKEN"
  # every flag for one user, as a page's vexil/remote client asks (the client key is printed below)
  curl -s -X POST $base/api/v1/evaluate -H "Authorization: Bearer vxc_…" -d '{"context": {"targetingKey": "user-42", "jurisdiction": "quebec"}}'
  # watch a browser pick changes up (needs \`make wasm\` once; the client key is printed below):
  python3 -m http.server 8000   # then open
  # http://localhost:8000/examples/browser/?service=$base&key=vxc_…

Ctrl-C stops the service and removes the data folder.

TEXT
VEXIL_ADMIN_TOKEN="$token" "$vexil" serve --data "$data" --listen "127.0.0.1:$port" --seed examples/snapshot.json &
pid=$!
# Whatever ends this script (Ctrl-C, SIGTERM, an error) ends the service by its PID first;
# Ctrl-C is how the demo is meant to end, so it is not an error.
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap stop EXIT
trap 'stop; trap - EXIT; exit 0' INT TERM
wait "$pid"
