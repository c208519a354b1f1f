// The package's benchmarks still run and still compare like with like: the JavaScript peer
// (wasm/bench/peer) agrees with the package on every décompte and calendar it is fed (the
// benchmark checks that before it times anything) and the figures come out, at a small scale.
// The figures themselves are printed by the benchmarks, never asserted here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const peer = fileURLToPath(new URL('../bench/peer/bench.mjs', import.meta.url));

test('the JavaScript peer agrees with the package and the ratios are printed', () => {
  const out = execFileSync(process.execPath, [peer, '0.02'], { encoding: 'utf8' });
  for (const row of ['decompte per call, objects', 'decompte per call, json', 'statement of 100 invoices', 'six-step calendar, one invoice per plan call ', 'six-step calendar, one invoice per plan call, compact', 'six-step calendars, 40 invoices']) {
    assert.match(out, new RegExp(`${row}.*package +[0-9.]+ us +peer +[0-9.]+ us +[0-9.]+x`), `no figure for ${row}:\n${out}`);
  }
});
