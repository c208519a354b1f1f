#!/usr/bin/env bash
# Builds the npm package `relance` into wasm/package/dist: the core compiled to wasm32, bound by
# wasm-bindgen (the CLI pinned to the crate's version), shrunk by wasm-opt (npm binaryen), with the
# JavaScript entries. Installs what it needs, idempotently. Prints the module sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
WASM_BINDGEN_VERSION=0.2.130 # must equal the `wasm-bindgen = "=..."` pin in wasm/Cargo.toml

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
[ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/esbuild ] || npm install --no-audit --no-fund

# Two builds of the same code: size-first for browsers, bundlers and Workers (downloaded), and
# speed-first for Node.js. They share one JavaScript glue (scripts/check-glue.mjs).
out=wasm/package/dist
rm -rf "$out" && mkdir -p "$out"
speed="$(mktemp -d)"
trap 'rm -rf "$speed"' EXIT
cargo build --locked --target wasm32-unknown-unknown --profile wasm-release -p relance-wasm
cargo build --locked --target wasm32-unknown-unknown --profile wasm-speed -p relance-wasm --features speed
wasm-bindgen target/wasm32-unknown-unknown/wasm-release/relance_wasm.wasm --target web --out-dir "$out"
wasm-bindgen target/wasm32-unknown-unknown/wasm-speed/relance_wasm.wasm --target web --out-dir "$speed"
# One glue serves both: the size-first build's, which may provide an import the other's optimiser
# dropped, and must differ in nothing else.
node scripts/check-glue.mjs "$out/relance_wasm.js" "$speed/relance_wasm.js"
# What is downloaded is gzipped, so the passes are those whose output gzips smallest, measured on
# 2026-12-01: -Os to a fixed point, then the control flow flattened and rebuilt (--rereloop) and
# -Os to a fixed point again: 398.7 KB, against 401.8 KB for -Os alone and 404.0 KB for -Oz (whose
# raw output is smaller but compresses worse). It takes about 75 s instead of 50 s.
node_modules/.bin/wasm-opt -Os --converge --flatten --rereloop -Os --converge \
  --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$out/relance_wasm_bg.wasm" -o "$out/relance_wasm_bg.wasm"
node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$speed/relance_wasm_bg.wasm" -o "$out/relance_wasm_node.wasm"
# The readers of outside documents, a module of its own that `readEInvoice` and `readRateSource`
# load on first use (their PDF, XML and CSV readers would otherwise be downloaded by every page).
cargo build --locked --target wasm32-unknown-unknown --profile wasm-release -p relance-readers-wasm
wasm-bindgen target/wasm32-unknown-unknown/wasm-release/relance_readers_wasm.wasm --target web --out-dir "$out"
node_modules/.bin/wasm-opt -Os --converge --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$out/relance_readers_wasm_bg.wasm" -o "$out/relance_readers_wasm_bg.wasm"
cp wasm/package/src/api.mjs wasm/package/src/input.mjs wasm/package/src/readers.mjs wasm/package/src/node.mjs wasm/package/src/browser.mjs wasm/package/src/workerd.mjs wasm/package/src/index.d.ts wasm/package/src/node-cjs.mjs "$out/"
node_modules/.bin/esbuild "$out/node-cjs.mjs" --bundle --platform=node --format=cjs \
  --log-level=warning --log-override:empty-import-meta=silent --outfile="$out/node.cjs"
rm "$out/node-cjs.mjs"
raw=$(wc -c < "$out/relance_wasm_bg.wasm")
gz=$(gzip -9 -c "$out/relance_wasm_bg.wasm" | wc -c)
echo "relance_wasm_bg.wasm (browsers, bundlers, Workers): ${raw} bytes raw, ${gz} bytes gzipped ($((gz * 10 / 1024 / 10)).$((gz * 10 / 1024 % 10)) KiB; target: at most 400 KB gzipped)"
echo "relance_wasm_node.wasm (Node.js, speed-first): $(wc -c < "$out/relance_wasm_node.wasm") bytes raw"
echo "relance_readers_wasm_bg.wasm (readEInvoice, readRateSource; loaded on first use): $(gzip -9 -c "$out/relance_readers_wasm_bg.wasm" | wc -c) bytes gzipped"
