// The package through a bundler: a Vite production build of an app that imports `relance`
// (the .wasm becomes a hashed asset), served from loopback and run in headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { packed, unpackInto, artifacts, serve, launch } from './support.mjs';

test('a Vite build of an app importing relance runs in Chromium', async () => {
  const { work, tarball } = packed('relance-vite-');
  unpackInto(tarball, work);
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  writeFileSync(join(work, 'index.html'), '<!doctype html><meta charset="utf-8"><title>relance via vite</title><script type="module" src="./main.js"></script>');
  writeFileSync(join(work, 'main.js'), `import { plan, presets } from 'relance';
    const ledger = { creditor: { name: 'C', address: { country: 'FR' } },
      debtors: [{ id: 'd', name: 'D', kind: 'business', country: 'FR', locale: 'fr', timeZone: 'Europe/Paris' }],
      invoices: [{ id: 'i', number: 'N', debtorId: 'd', issueDate: '2026-09-15', currency: 'EUR', total: '100.00', terms: { type: 'net', days: 45 } }] };
    const p = plan({ ledger, policy: 'gentle', asOf: '2026-11-23' });
    document.body.textContent = JSON.stringify({ presets: presets().length, first: p.invoices[0].steps[0].date });
    document.body.dataset.done = 'yes';`);
  let srv = { close() {} };
  const browser = await launch();
  try {
    await build({ root: work, logLevel: 'warn', build: { outDir: 'dist', emptyOutDir: true } });
    const assets = readdirSync(join(work, 'dist', 'assets'));
    assert.ok(assets.some((f) => f.endsWith('.wasm')), `the .wasm is emitted as an asset: ${assets}`);
    srv = await serve(join(work, 'dist'));
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${srv.address().port}/index.html`);
    await page.waitForSelector('body[data-done="yes"]', { timeout: 20000 });
    assert.deepEqual(errors, []);
    // Gentle: courtesy 7 days before the 30 Oct due date = Friday 23 Oct.
    assert.deepEqual(JSON.parse(await page.textContent('body')), { presets: 3, first: '2026-10-23' });
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'package-via-vite.png') });
  } finally {
    await browser.close();
    srv.close();
    rmSync(work, { recursive: true, force: true });
  }
});
