#!/usr/bin/env bash
# Installs what building and testing the npm package needs, on top of scripts/setup.sh:
# the wasm32 target, the wasm-bindgen CLI of exactly the version in Cargo.lock, Debian's
# Chromium, and the npm tools pinned in pkg/package-lock.json (wasm-opt, Playwright's browser
# driver, workerd, Deno, the OpenFeature SDKs) and the bundlers in pkg/test/fixtures/bundlers.
# Idempotent and quick when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# The CLI must match the wasm-bindgen crate exactly, or the glue it writes does not fit.
wanted=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$wanted" ]; then
  # `--locked` fails here: a locked dependency version is missing from the registry.
  cargo install --quiet --force wasm-bindgen-cli --version "=$wanted"
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup-wasm: node and npm are needed (Node 20 or later)" >&2
  exit 1
fi

# Headless Chromium for the browser tests, from Debian (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Reinstall only when the lock file changed since the last install.
stamp=pkg/node_modules/.vexil-lock
if [ ! -f "$stamp" ] || ! cmp -s pkg/package-lock.json "$stamp"; then
  # `npm ci` can refuse workerd's lock file (other platforms' optional packages are missing
  # from the registry); `npm install` with the same lock installs the same versions.
  (cd pkg && {
    npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1 || {
      echo "setup-wasm: npm ci refused the lock file; installing the same versions with npm install"
      npm install --no-audit --no-fund --loglevel=error
    }
  })
  cp pkg/package-lock.json "$stamp"
fi

# The bundlers pkg/test/bundlers.test.js builds apps with (Vite 5 to 8, webpack 5, esbuild),
# pinned in their own lock file so the package's tests never download them.
stamp=pkg/test/fixtures/bundlers/node_modules/.vexil-lock
if [ ! -f "$stamp" ] || ! cmp -s pkg/test/fixtures/bundlers/package-lock.json "$stamp"; then
  (cd pkg/test/fixtures/bundlers && {
    npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1 || {
      echo "setup-wasm: npm ci refused the bundlers' lock file; installing the same versions with npm install"
      npm install --no-audit --no-fund --loglevel=error
    }
  })
  cp pkg/test/fixtures/bundlers/package-lock.json "$stamp"
fi

# The console's build and test tools (terser, axe-core), pinned in www/package-lock.json.
stamp=www/node_modules/.vexil-lock
if [ ! -f "$stamp" ] || ! cmp -s www/package-lock.json "$stamp"; then
  (cd www && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp www/package-lock.json "$stamp"
fi

# The TypeScript packaging test's compiler and OpenFeature SDKs (pkg/test/typescript.test.js),
# pinned in their fixture's lock file; the test installs them itself when this has not run.
stamp=pkg/test/fixtures/typescript/node_modules/.vexil-lock
if [ ! -f "$stamp" ] || ! cmp -s pkg/test/fixtures/typescript/package-lock.json "$stamp"; then
  (cd pkg/test/fixtures/typescript && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp pkg/test/fixtures/typescript/package-lock.json "$stamp"
fi

# React, react-dom, esbuild, TypeScript and the OpenFeature React SDK that pkg/test/react.test.js builds,
# renders and hydrates its app with, pinned in their fixture's lock file.
stamp=pkg/test/fixtures/react/node_modules/.vexil-lock
if [ ! -f "$stamp" ] || ! cmp -s pkg/test/fixtures/react/package-lock.json "$stamp"; then
  (cd pkg/test/fixtures/react && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp pkg/test/fixtures/react/package-lock.json "$stamp"
fi

# Next.js and React that pkg/test/next.test.js builds its app with (Turbopack and webpack),
# pinned in their fixture's lock file.
stamp=pkg/test/fixtures/next/node_modules/.vexil-lock
if [ ! -f "$stamp" ] || ! cmp -s pkg/test/fixtures/next/package-lock.json "$stamp"; then
  (cd pkg/test/fixtures/next && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp pkg/test/fixtures/next/package-lock.json "$stamp"
fi

# React, the OpenFeature React and web SDKs and esbuild that pkg/test/openfeature-react.test.js
# bundles its vexil/slim page with, pinned in their fixture's lock file.
stamp=pkg/test/fixtures/openfeature-react/node_modules/.vexil-lock
if [ ! -f "$stamp" ] || ! cmp -s pkg/test/fixtures/openfeature-react/package-lock.json "$stamp"; then
  (cd pkg/test/fixtures/openfeature-react && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp pkg/test/fixtures/openfeature-react/package-lock.json "$stamp"
fi
