#!/usr/bin/env bash
# Runs every test of the project. Installs what it needs first, idempotently: the wasm32 Rust
# target, a Python virtual environment with the pinned `holidays` reference, the npm tooling
# (npm install against the lock) and the pinned wasm-bindgen CLI (scripts/build-wasm.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
# A one-shot run on a clean clone gains nothing from incremental caches, which cost close to a
# gigabyte of disk.
if [ -n "${CI:-}" ]; then
  export CARGO_INCREMENTAL=0
fi

# Runs the Node test files of a folder and adds their counts to the totals.
node_tests() {
  local log
  log="$(mktemp)"
  node --test "$1" 2>&1 | tee "$log"
  passed=$((passed + $(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log")))
  failed=$((failed + $(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log")))
  rm -f "$log"
}

echo "== setup"
rustup target add wasm32-unknown-unknown
# `npm install` against the committed lock (exact pins): npm 11's `npm ci` rejects the lock for
# lacking other platforms' optional Rollup packages.
npm install --no-audit --no-fund
# The JavaScript peer of the package's benchmark (wasm/bench/peer), which a test runs at a small scale.
npm install --prefix wasm/bench/peer --no-audit --no-fund
# Browser tests drive Debian's Chromium (a browser download of playwright's own cannot work here).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "Debian's chromium is needed for the browser tests: sudo apt-get install chromium" >&2
    exit 1
  fi
fi
if [ ! -x .tools/venv/bin/python ]; then
  python3 -m venv .tools/venv
fi
.tools/venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
export RELANCE_PYTHON="$PWD/.tools/venv/bin/python"
# Property tests: at least 1 000 cases each (override with PROPTEST_CASES for a quick run).
export PROPTEST_CASES="${PROPTEST_CASES:-1000}"

echo "== format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown -p relance-worker -- -D warnings
cargo clippy --locked -p relance-wasm --features typescript --all-targets -- -D warnings

echo "== native tests (unit, doc, golden, property, holiday cross-check)"
log="$(mktemp)"
cargo test --workspace --locked 2>&1 | tee "$log"
# The package's index.d.ts is what the Rust types declare (ts-rs, a dev-time feature).
cargo test --locked -p relance-wasm --features typescript --test typescript 2>&1 | tee -a "$log"
passed=$(grep -Eo '^test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '; [0-9]+ failed' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"

echo "== the core stays pure: it builds for wasm32 (no clock, no I/O)"
cargo build --locked --target wasm32-unknown-unknown -p relance-core -p relance-wasm

echo "== the core's plan example still plans the sample"
cargo run --quiet --locked -p relance-core --example plan -- samples/ledger.json standard 2026-11-23 > /dev/null

echo "== the npm package: build, then its tests (golden byte-for-byte, errors, Node ESM/CJS, Chromium, Worker)"
bash scripts/build-wasm.sh
node_tests wasm/test/

echo "== the worker: build, then Miniflare tests on it and the main command (wrangler dev, local D1)"
bash scripts/build-worker.sh
node_tests tests/worker/

echo "== the web demo: build, then its Chromium tests (screenshots in tests/artifacts/web-demo)"
bash scripts/build-demo.sh
node_tests web-demo/test/
echo "tests: ${passed} passed, ${failed} failed"
