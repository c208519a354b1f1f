#!/usr/bin/env bash
# Brings core/data/rates.json up to date from the official sources (run where they are reachable;
# the tests never need them): the ECB's main refinancing rate, the Bundesbank's Basiszinssatz and
# the Bank of England's Bank Rate, read by the readers the worker's daily refresh uses
# (core/src/rate_sources.rs). A response that is not what the source publishes, or that gives a
# shipped rate otherwise, stops the script and changes nothing. Review `git diff` before committing.
# The French legal rates (arrêtés each half-year) are not read here: they are added by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
get() { curl --fail --silent --show-error --location --max-time 60 -H "Accept: $2" -o "$work/$1" "$3"; }

get ecb_mro.csv 'text/csv' \
  'https://data-api.ecb.europa.eu/service/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV?format=csvdata&detail=dataonly'
get de_basiszinssatz.csv 'application/vnd.sdmx.data+csv;version=1.0.0' \
  'https://api.statistiken.bundesbank.de/rest/data/BBIN1/M.DE.BBK.BBKBAS2.EUR.ME'
get boe_bank_rate.csv 'text/csv' \
  "https://www.bankofengland.co.uk/boeapps/database/_iadb-FromShowColumns.asp?csv.x=yes&Datefrom=01/Jan/2019&Dateto=now&SeriesCodes=IUDBEDR&CSVF=TN&UsingCodes=Y&VPD=Y&VFD=N"

cargo run --quiet --locked -p relance-core --example update_rates -- core/data/rates.json "$(date -u +%F)" \
  "ecb_mro=$work/ecb_mro.csv" "de_basiszinssatz=$work/de_basiszinssatz.csv" "boe_bank_rate=$work/boe_bank_rate.csv"
git --no-pager diff --stat -- core/data/rates.json
