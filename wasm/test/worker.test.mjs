// The package inside a Cloudflare Worker written in JavaScript: esbuild bundles a Worker against
// the packed package (the `workerd` export condition, the .wasm kept as a compiled module) and
// Miniflare runs it locally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, rmSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { packed, unpackInto } from './support.mjs';

const esbuild = fileURLToPath(new URL('../../node_modules/.bin/esbuild', import.meta.url));

test('the package runs in a JavaScript Worker under Miniflare', async () => {
  const { work, tarball } = packed('relance-worker-');
  try {
    unpackInto(tarball, work);
    writeFileSync(join(work, 'worker.mjs'), `import { plan, holidays, RelanceError } from 'relance';
      export default {
        async fetch(request) {
          const ledger = await request.json();
          const p = plan({ ledger, policy: 'firm', asOf: '2026-11-23' });
          let error = null;
          try { holidays({ calendar: 'fr', year: 1700 }); } catch (e) { error = [e instanceof RelanceError, e.code]; }
          return Response.json({ contacts: p.contacts.length, first: p.invoices[0].steps[0].date, error });
        },
      };`);
    execFileSync(esbuild, ['worker.mjs', '--bundle', '--format=esm', '--platform=neutral', '--conditions=workerd,worker',
      '--loader:.wasm=copy', '--outdir=out', '--log-level=warning'], { cwd: work, stdio: 'inherit' });
    assert.ok(readdirSync(join(work, 'out')).some((f) => f.endsWith('.wasm')), 'the .wasm is shipped next to the Worker');
    const mf = new Miniflare({
      modules: true,
      scriptPath: join(work, 'out', 'worker.js'),
      modulesRoot: join(work, 'out'),
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate: '2026-04-20',
    });
    try {
      const ledger = readFileSync(new URL('../../samples/ledger.json', import.meta.url), 'utf8');
      const res = await mf.dispatchFetch('http://localhost/', { method: 'POST', body: ledger });
      const out = await res.json();
      // Firm policy: courtesy 5 days before the 30 Oct due date is Sunday 25 Oct, moved to Monday.
      assert.equal(out.first, '2026-10-26');
      assert.ok(out.contacts > 20, JSON.stringify(out));
      assert.deepEqual(out.error, [true, 'date_out_of_range']);
    } finally {
      await mf.dispose();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
