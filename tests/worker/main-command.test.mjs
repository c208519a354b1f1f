// The README's main command, end to end: builds the worker, starts wrangler dev with a fresh local
// D1, seeds the sample ledger, fires the scheduled run, prints what was sent and serves the demo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './support.mjs';

test('scripts/run.sh --once sends the sample run through wrangler dev', () => {
  const out = spawnSync('bash', ['scripts/run.sh', '--once'], {
    cwd: root, encoding: 'utf8', timeout: 600_000, env: { ...process.env, RELANCE_PORT: '8797', RELANCE_DEMO_PORT: '8796' },
  });
  const text = `${out.stdout}\n${out.stderr}`;
  assert.equal(out.status, 0, text.slice(-3000));
  assert.match(text, /"status":"ok"/);
  assert.match(text, /"debtors":6,"invoices":7/);
  // The standard policy on Monday 23 November 2026, 10:30 Paris: three emails (samples/ledger.json).
  assert.match(text, /created: invoice F-2026-0917 \(4800\.00 EUR, due 2026-10-15\) for Menuiserie Bellevue SAS, debtor siren-523456789 \(new\); original kept in R2 as F-2026-0917\.pdf/);
  assert.match(text, /Deliveries: 3 \(3 sent\)/);
  assert.match(text, /subject: Relance facture impayée n° F-2026-1055/);
  assert.match(text, /Local outbox \(EMAIL_PROVIDER=outbox\): 3 email\(s\)/);
  // Each rate table, how far it is known; the French legal rates lack 2026-H2 until the daily fetch.
  assert.match(text, /Reference rates \(GET \/v1\/rates\)/);
  assert.match(text, /fr_legal_other\s+known until 2026-06-30; missing 2026-H2/);
  assert.match(text, /ecb_mro\s+known until 2026-01-01; missing 2026-H2 \(fetched daily from ECB Data Portal, not fetched yet\)/);
  assert.match(text, /Web demo \(the same core, in the browser\): http:\/\/127\.0\.0\.1:8796\//);
});

test('wrangler deploy takes the web demo as the worker\'s static assets (a dry run, offline)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'relance-deploy-'));
  try {
    const out = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    const text = `${out.stdout}\n${out.stderr}`;
    assert.equal(out.status, 0, text.slice(-3000));
    const files = Number(/Read (\d+) files from the assets directory/.exec(text)?.[1]);
    // The demo's pages, scripts and the browser's package files; not the Node.js module.
    assert.ok(files >= 20, text.slice(-3000));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
