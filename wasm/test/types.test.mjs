// The TypeScript types are checked against reality: real golden inputs and the package's real
// outputs are written as object literals typed with the declared types, and `tsc --strict` must
// accept them (a missing, extra or mistyped field fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as relance from '../package/dist/node.mjs';
import { packed, unpackInto } from './support.mjs';

const tsc = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url));
const golden = new URL('../../tests/golden/', import.meta.url);

test('the declared types accept the real inputs and outputs', () => {
  const lines = [`import * as r from 'relance';`, `import type * as T from 'relance';`];
  let n = 0;
  const typed = (type, value) => lines.push(`export const v${n++}: ${type} = ${JSON.stringify(value)};`);
  for (const file of readdirSync(new URL('planner/', golden)).sort()) {
    const { input, expected } = JSON.parse(readFileSync(new URL(`planner/${file}`, golden), 'utf8'));
    if (expected.error) continue;
    if (input.function === 'dueActions') {
      const args = { ledger: input.ledger, policy: input.policy, sentLog: input.sentLog, now: input.now };
      typed('Parameters<typeof r.dueActions>[0]', args);
      typed('T.Action[]', relance.dueActions(args));
    } else {
      const args = { ledger: input.ledger, policy: input.policy, asOf: input.asOf, ...(input.compact ? { compact: true } : {}) };
      typed('Parameters<typeof r.plan>[0]', args);
      typed(input.compact ? 'T.CompactPlan' : 'T.Plan', relance.plan(args));
    }
  }
  const { cases } = JSON.parse(readFileSync(new URL('penalties.json', golden), 'utf8'));
  const requests = cases.filter((c) => !c.expectedError).map((c) => c.request);
  for (const request of requests) {
    typed('T.PenaltyRequest', request);
    typed('T.Decompte', relance.decompte(request));
  }
  typed('T.CurvePoint[]', relance.curve({ request: requests[2], from: '2024-03-10', to: '2024-04-20' }));
  typed('T.Statement', relance.statement(requests.slice(0, 3)));
  typed('T.Policy[]', relance.presets());
  typed('T.Holiday[]', relance.holidays({ calendar: 'gb-england-wales', year: 2022 }));
  typed('T.CalendarId', relance.calendarFor({ country: 'FR' }));
  typed('T.TermsAnswer', relance.evaluateTerms({ issueDate: '2025-01-10', dueDate: '2025-04-15', debtorKind: 'business', creditorCountry: 'FR' }));
  typed('ReturnType<typeof r.rateTables>', relance.rateTables());
  const ledger = JSON.parse(readFileSync(new URL('../../samples/ledger.json', import.meta.url), 'utf8'));
  const request = { template: 'formal_notice', stepId: 'formal-notice', channel: 'registered_letter', level: 5, debtorId: 'd-brasserie',
    invoiceIds: ['inv-1041'], messageDate: '2026-06-30', deadlineDate: '2026-07-10' };
  typed('T.MessageRequest', request);
  typed('T.RenderedMessage', relance.renderMessage({ ledger, request }));
  typed('T.PenaltyRequest', relance.penaltyRequest({ ledger, invoiceId: 'inv-1041', asOf: '2026-06-30' }));
  for (const file of readdirSync(new URL('analytics/', golden)).sort()) {
    const { input } = JSON.parse(readFileSync(new URL(`analytics/${file}`, golden), 'utf8'));
    typed('T.AnalyticsRequest', input);
    typed('T.Analytics', relance.analytics(input));
  }
  typed('T.Invoice[]', relance.invoicesFromCsv('id,number,debtorId,issueDate,terms,currency,total\nc1,C-1,d1,2026-10-01,net:30,EUR,100.00\n'));
  typed('string', relance.json.decompte(JSON.stringify(requests[0])));
  // The declared JsonFunction names are exactly the json functions (a missing or extra key fails).
  lines.push(`export const jsonFunctions: Record<T.JsonFunction, (input: string) => string> = { ${
    Object.keys(relance.json).map((k) => `${k}: r.json.${k}`).join(', ')} };`);
  // The overloads: asked for, the compact form is what the declared return type says.
  lines.push(`export const compactOf = (ledger: T.Ledger): T.CompactPlan => r.plan({ ledger, policy: 'standard', asOf: '2026-11-23', compact: true });`);
  lines.push(`export const fullOf = (ledger: T.Ledger): T.Plan => r.plan({ ledger, policy: 'standard', asOf: '2026-11-23' });`);
  lines.push(`try { r.plan({ ledger: v0.ledger, policy: 'standard', asOf: '2026-11-23' }); } catch (e) { if (e instanceof r.RelanceError) { const c: string = e.code; const p: string = e.path; void c; void p; } }`);

  const { work, tarball } = packed('relance-types-');
  try {
    unpackInto(tarball, work);
    writeFileSync(join(work, 'check.ts'), lines.join('\n') + '\n');
    writeFileSync(join(work, 'package.json'), '{"type":"module"}');
    try {
      execFileSync(tsc, ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', 'check.ts'], { cwd: work });
    } catch (e) {
      assert.fail(`tsc rejected the real values:\n${e.stdout}`);
    }
    assert.ok(n > 60, `${n} values checked`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
