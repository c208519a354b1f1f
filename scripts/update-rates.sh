#!/usr/bin/env bash
# Brings core/data/rates.json up to date from the official sources (run where they are reachable;
# the tests never need them): the ECB's main refinancing rate, the Bundesbank's Basiszinssatz, the
# Bank of England's Bank Rate and the French legal rates (service-public.fr's fiche F783), read by
# the readers the worker's daily refresh uses (core/src/rate_sources.rs). A response that is not
# what the source publishes, or that gives a shipped rate otherwise, stops the script and changes
# nothing. Review `git diff` before committing.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
args=()
# The addresses are the core's (rate_sources::Source::address), the ones the worker fetches.
while IFS=$'\t' read -r table accept url; do
  curl --fail --silent --show-error --location --max-time 60 -H "Accept: $accept" -o "$work/$table" "$url"
  args+=("$table=$work/$table")
done < <(cargo run --quiet --locked -p relance-core --example update_rates -- --addresses)

cargo run --quiet --locked -p relance-core --example update_rates -- core/data/rates.json "$(date -u +%F)" "${args[@]}"
git --no-pager diff --stat -- core/data/rates.json
