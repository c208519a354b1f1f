#!/usr/bin/env bash
# The main job, locally: plans the sample ledger under a ready-made policy and prints its reminder
# calendar and what would be sent now. Arguments are passed on: [LEDGER.json] [POLICY] [AS_OF].
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
  set -- samples/ledger.json standard 2026-11-23
fi
cargo run --quiet --locked --release -p relance-core --example plan -- "$@"
