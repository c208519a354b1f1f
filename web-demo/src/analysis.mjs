// The dashboard's figures, computed by the core's worker (core-worker.mjs).
import * as relance from './vendor/relance/dist/api.mjs';

/// The messages the standard policy would have sent up to `asOf`: the delivery log of a ledger that
/// has none (a CSV, the sample).
function simulatedLog(ledger, asOf) {
  const plan = relance.plan({ ledger, policy: 'standard', asOf });
  return plan.contacts
    .filter((c) => c.date <= asOf && ['past', 'today'].includes(c.status))
    .map((c) => ({ key: c.key, sentAt: c.sendAt, channel: c.channel, stepId: c.items[0].stepId, items: c.items }));
}

/** Every collection figure of a ledger as of a day, with the rates the visitor supplied. */
export function analyze({ ledger, asOf, extraRates }) {
  return relance.analytics({ ledger, sent: simulatedLog(ledger, asOf), asOf, extraRates });
}
