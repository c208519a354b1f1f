#!/usr/bin/env bash
# The main job, locally and with no account: builds the worker and the web demo, starts the worker
# under `wrangler dev` with a local D1 (migrations applied, the sample ledger seeded through the
# API), fires one scheduled run at a fixed time, prints what was sent (the local outbox) and the
# tasks created, and serves the demo page. Both keep running until Ctrl-C (`--once` stops after the
# report, having checked that the demo page is served).
# Installs what it needs, idempotently.
set -euo pipefail
cd "$(dirname "$0")/.."
ONCE=0
[ "${1:-}" = "--once" ] && ONCE=1
PORT="${RELANCE_PORT:-8787}"
DEMO_PORT="${RELANCE_DEMO_PORT:-$((PORT + 1))}"
BASE="http://127.0.0.1:$PORT"
# The scheduled time of the demonstration run (a Monday, 10:30 in Paris): the sample ledger's dates
# are set around it, so every kind of step is due.
RUN_AT="${RELANCE_RUN_AT:-2026-11-23T09:30:00Z}"
export WRANGLER_SEND_METRICS=false

[ -x node_modules/.bin/wrangler ] || npm install --no-audit --no-fund
bash scripts/build-worker.sh
bash scripts/build-demo.sh

# Local secrets for wrangler dev (never committed): the API token.
if [ ! -f .dev.vars ]; then
  echo "API_TOKEN=local-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" > .dev.vars
fi
TOKEN=$(sed -n 's/^API_TOKEN=//p' .dev.vars)

# A fresh local D1 each time, migrated.
rm -rf .wrangler/state/v3/d1
npx wrangler d1 migrations apply relance --local >/dev/null

if curl -fsS "$BASE/v1/health" >/dev/null 2>&1; then
  echo "Port $PORT is taken (another wrangler dev?): stop it or set RELANCE_PORT." >&2
  exit 1
fi
LOG=.wrangler/dev.log
mkdir -p .wrangler
# Its own process group, so that stopping it stops workerd too.
# wrangler dev answers /cdn-cgi/handler/scheduled (a run at a chosen time) with a 500 when static
# assets are configured (wrangler 4.86), so the local worker runs from wrangler.toml without its
# [assets] table (the last one), and web-demo/serve.mjs serves the demo as the deployment does.
sed '/^\[assets\]/,$d' wrangler.toml > wrangler.local.toml
setsid npx wrangler dev --config wrangler.local.toml --local --test-scheduled --ip 127.0.0.1 --port "$PORT" \
  --var EMAIL_PROVIDER:outbox >"$LOG" 2>&1 &
DEV_PID=$!
node web-demo/serve.mjs "$DEMO_PORT" > .wrangler/demo.log 2>&1 &
DEMO_PID=$!
trap 'kill -- -$DEV_PID 2>/dev/null || true; kill $DEMO_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS "$BASE/v1/health" >/dev/null 2>&1 && break
  kill -0 $DEV_PID 2>/dev/null || { cat "$LOG"; echo "wrangler dev stopped" >&2; exit 1; }
  sleep 1
done
curl -fsS "$BASE/v1/health"; echo

api() { curl -fsS -X "$1" "$BASE$2" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${3:+--data-binary "$3"}; }
echo "Seeding the sample ledger (samples/ledger.json) through the API..."
api POST /v1/import/ledger @samples/ledger.json; echo
api PUT /v1/settings '{"defaultPolicy": "standard"}' >/dev/null
echo "Importing an e-invoice (tests/fixtures/einvoice/facturx-F-2026-0917.pdf, Factur-X) through the API..."
curl -fsS -X POST "$BASE/v1/import/einvoice" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/pdf' \
  --data-binary @tests/fixtures/einvoice/facturx-F-2026-0917.pdf |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(`  ${r.outcome}: invoice ${r.einvoice.number} (${r.einvoice.total} ${r.einvoice.currency}, due ${r.einvoice.dueDate}) for ${r.einvoice.buyer.name}, debtor ${r.debtorId}${r.newDebtor?" (new)":""}; original kept in R2 as ${r.document.name}, sha256 ${r.document.sha256.slice(0,12)}...`)})'

echo "What the run at $RUN_AT will do (GET /v1/dry-run):"
api GET "/v1/dry-run?at=$RUN_AT" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s);console.log(`  ${p.actions.length} action(s), ${p.retries.length} retry(ies), ${p.deferred} deferred`)})'

ms=$(node -e "console.log(Date.parse('$RUN_AT'))")
echo "Firing the scheduled run (cron */15) at $RUN_AT..."
curl -fsS "$BASE/cdn-cgi/handler/scheduled?cron=*/15+*+*+*+*&time=$ms" >/dev/null
sleep 1
node scripts/show-run.mjs "$BASE" "$TOKEN"
grep -h "relance: run" "$LOG" | tail -1 || true

curl -fsS "http://127.0.0.1:$DEMO_PORT/index.html" | grep "Simulateur de relance" > /dev/null
echo
echo "Web demo (the same core, in the browser): http://127.0.0.1:$DEMO_PORT/  (dashboard: /dashboard.html)"
if [ "$ONCE" = 1 ]; then
  exit 0
fi
cat <<MSG

The worker keeps running at $BASE (Ctrl-C to stop).
  API token: in .dev.vars     e.g.  curl -H "Authorization: Bearer $TOKEN" $BASE/v1/deliveries
  Another run:                      curl "$BASE/cdn-cgi/handler/scheduled?cron=*/15+*+*+*+*&time=<epoch ms>"
  Fetch the reference rates now:    curl "$BASE/cdn-cgi/handler/scheduled?cron=0+5+*+*+*"   (needs the internet)
MSG
wait $DEV_PID
