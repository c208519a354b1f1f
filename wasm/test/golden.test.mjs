// The shared golden cases replayed through the npm package: the planner's outputs must be
// identical, byte for byte, to the native core's (through the object functions and the `json` ones) (the expected outputs were written by it), and
// the penalty figures must match the hand-stated periods and amounts.
//
// The package holds two builds of the same code (size-first for browsers and Workers, speed-first
// for Node.js): every case runs through each.
import { test as testCase } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../../tests/golden/', import.meta.url);

/** The package's API on one of its two .wasm builds (a copy of dist, so that each has its own glue). */
async function loadBuild(wasmFile) {
  const dir = mkdtempSync(join(tmpdir(), 'relance-build-'));
  cpSync(new URL('../package/dist/', import.meta.url), dir, { recursive: true });
  writeFileSync(join(dir, 'entry.mjs'), `import { readFileSync } from 'node:fs';
import { initSync } from './api.mjs';
initSync(readFileSync(new URL('./${wasmFile}', import.meta.url)));
export * from './api.mjs';
`);
  try {
    // Once imported (the module instantiated from its bytes), the copy is no longer read.
    return await import(pathToFileURL(join(dir, 'entry.mjs')).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const wasmFile of ['relance_wasm_node.wasm', 'relance_wasm_bg.wasm']) {
  const relance = await loadBuild(wasmFile);
  const test = (name, fn) => testCase(`${name} (${wasmFile})`, fn);

  test('planner golden cases give the native output byte for byte', () => {
    const dir = new URL('planner/', root);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    assert.ok(files.length >= 14, `${files.length} planner cases`);
    for (const file of files) {
      const { input, expected } = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
      const fn = input.function === 'dueActions' ? relance.dueActions : relance.plan;
      const args = input.function === 'dueActions'
        ? { ledger: input.ledger, policy: input.policy, sentLog: input.sentLog, now: input.now }
        : { ledger: input.ledger, policy: input.policy, asOf: input.asOf, ...(input.compact ? { compact: true } : {}) };
      if (expected.error) {
        assert.throws(() => fn(args), (e) => e instanceof relance.RelanceError && e.code === expected.error.code
          && e.path === expected.error.path, file);
      } else {
        const output = fn(args);
        assert.deepEqual(output, expected.output, file);
        // Byte for byte: the native core's exact text, written by `cargo test` (core/tests/golden.rs).
        const native = readFileSync(new URL(`../../target/golden-native/planner/${file}`, import.meta.url), 'utf8');
        assert.equal(JSON.stringify(output), native, file);
        assert.equal(relance.json[input.function === 'dueActions' ? 'dueActions' : 'plan'](JSON.stringify(args)), native, file);
      }
    }
  });

  test('penalty golden cases give the hand-computed figures', () => {
    const { cases } = JSON.parse(readFileSync(new URL('penalties.json', root), 'utf8'));
    assert.ok(cases.length >= 40);
    for (const c of cases) {
      if (c.expectedError) {
        assert.throws(() => relance.decompte(c.request), (e) => e instanceof relance.RelanceError
          && e.code === c.expectedError.code && e.path === c.expectedError.path, c.name);
        continue;
      }
      const d = relance.decompte(c.request);
      const e = c.expected;
      const num = (s) => Number(s);
      assert.equal(d.daysLate, e.daysLate, c.name);
      for (const k of ['interest', 'indemnity', 'principalOutstanding', 'totalDue']) {
        assert.equal(num(d.totals[k]), num(e[k]), `${c.name} ${k}`);
      }
      assert.deepEqual(d.lines.map((l) => [l.from, l.to, l.days, num(l.base), num(l.rate)]),
        e.periods.map(([f, t, n, b, r]) => [f, t, n, num(b), num(r)]), c.name);
    }
  });

  test('analytics golden cases give the hand-checked figures, byte for byte with the native core', () => {
    const dir = new URL('analytics/', root);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    assert.ok(files.length >= 2, `${files.length} analytics cases`);
    for (const file of files) {
      const { input, expected } = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
      const output = relance.analytics(input);
      assert.deepEqual(output, expected, file);
      const native = readFileSync(new URL(`../../target/golden-native/analytics/${file}`, import.meta.url), 'utf8');
      assert.equal(JSON.stringify(output), native, file);
      assert.equal(relance.json.analytics(JSON.stringify(input)), native, file);
    }
  });

  test('CSV invoices parse as in the worker, errors naming row and column', () => {
    const csv = 'id,number,debtorId,issueDate,terms,currency,total\nc1,C-1,d1,2026-10-01,net:30,EUR,100.00\n';
    assert.deepEqual(relance.invoicesFromCsv(csv).map((i) => [i.id, i.terms.days]), [['c1', 30]]);
    assert.throws(() => relance.invoicesFromCsv(csv.replace('100.00', 'cent')),
      (e) => e instanceof relance.RelanceError && e.code === 'invalid_amount' && e.path === 'rows[0].total');
    // The same file as a French spreadsheet saves it.
    const fr = 'id;number;debtorId;issueDate;terms;currency;total\r\nc1;C-1;d1;01/10/2026;net:30;EUR;4 800,50\r\n';
    assert.deepEqual(relance.invoicesFromCsv(fr).map((i) => [i.issueDate, i.total]), [['2026-10-01', '4800.50']]);
  });

  test('amounts typed the French or the English way read as the CSV import reads them', () => {
    for (const [typed, value] of [['4 800,50', '4800.50'], ['4800,50', '4800.50'], ['4800.50', '4800.50'], ['4\u202f800,5', '4800.5']]) {
      assert.equal(relance.readAmount(typed), value, typed);
    }
    for (const bad of ['', 'quatre', '4 80,5', '1,234']) {
      assert.throws(() => relance.readAmount(bad), (e) => e instanceof relance.RelanceError && e.code === 'invalid_amount', bad);
    }
  });
}
