#!/usr/bin/env bash
# Builds the Cloudflare Worker into worker/build (the `main` of wrangler.toml) with worker-build,
# pinned, using the pinned wasm-bindgen CLI and the npm wasm-opt and esbuild: worker-build would
# otherwise download them. Installs what it needs, idempotently. wrangler.toml's [build] calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Up to date when no source is newer than the module (wrangler dev's [build] step then costs nothing).
wasm=worker/build/index_bg.wasm
if [ -f "$wasm" ] && [ -f worker/build/index.js ] && \
   [ -z "$(find core worker/src worker/Cargo.toml Cargo.toml Cargo.lock -newer "$wasm" -print -quit)" ]; then
  echo "worker/build is up to date"
  exit 0
fi
WORKER_BUILD_VERSION=0.8.7   # the `worker = "=..."` pin in worker/Cargo.toml
WASM_BINDGEN_VERSION=0.2.130 # the `wasm-bindgen = "=..."` pin in worker/Cargo.toml and wasm/Cargo.toml

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if ! worker-build --version 2>/dev/null | grep -q "$WORKER_BUILD_VERSION"; then
  cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked
fi
[ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/esbuild ] || npm install --no-audit --no-fund

WASM_BINDGEN_BIN="$(command -v wasm-bindgen)" \
WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt" \
ESBUILD_BIN="$PWD/node_modules/.bin/esbuild" \
  worker-build --release worker
raw=$(wc -c < "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "worker module: ${raw} bytes raw, ${gz} bytes gzipped (Workers limit: 3 MB gzipped on the free plan)"
