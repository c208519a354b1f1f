// The package in a browser, as an ES module through an import map: headless Chromium (Debian's,
// driven by playwright-core) loads a page served from loopback and runs the core in WebAssembly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync, rmSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { packed, unpackInto, artifacts, serve, launch } from './support.mjs';

test('the package runs in Chromium as an ES module', async () => {
  const { work, tarball } = packed('relance-browser-');
  const site = join(work, 'site');
  unpackInto(tarball, site);
  copyFileSync(new URL('../../tests/fixtures/einvoice/facturx-F-2026-0917.pdf', import.meta.url), join(site, 'facturx.pdf'));
  writeFileSync(join(site, 'index.html'), `<!doctype html><meta charset="utf-8"><title>relance in a browser</title>
<script type="importmap">{ "imports": { "relance": "./node_modules/relance/dist/browser.mjs" } }</script>
<script type="module">
  import { nextBusinessDay, decompte, readEInvoice, RelanceError } from 'relance';
  const out = { next: nextBusinessDay({ calendar: 'fr', date: '2026-07-13' }) };
  out.interest = decompte({ invoice: { id: 'F-1', issueDate: '2025-05-21', dueDate: '2025-06-20', currency: 'EUR', total: '12000.00',
    payments: [{ date: '2025-07-10', amount: '12000.00' }] }, regime: { type: 'fr_b2b' }, asOf: '2025-07-31' }).totals.interest;
  try { nextBusinessDay({ calendar: 'fr', date: 'tomorrow' }); } catch (e) { out.error = [e instanceof RelanceError, e.code, e.path]; }
  // The e-invoice reader is downloaded on the first call only, and reads the PDF in the page.
  const readerLoaded = () => performance.getEntriesByType('resource').some((r) => r.name.includes('relance_readers_wasm_bg'));
  out.readerBefore = readerLoaded();
  const doc = await readEInvoice(new Uint8Array(await (await fetch('./facturx.pdf')).arrayBuffer()));
  out.einvoice = [doc.format, doc.number, doc.amountDue, doc.buyer.siren];
  out.readerAfter = readerLoaded();
  document.body.textContent = JSON.stringify(out);
  document.body.dataset.done = 'yes';
</script>`);
  const server = await serve(site);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    await page.waitForSelector('body[data-done="yes"]', { timeout: 20000 });
    const out = JSON.parse(await page.textContent('body'));
    assert.deepEqual(errors, []);
    assert.deepEqual(out, { next: '2026-07-15', interest: '83.18', error: [true, 'invalid_date', 'date'],
      readerBefore: false, einvoice: ['factur_x', 'F-2026-0917', '4800.00', '523456789'], readerAfter: true });
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'package-in-chromium.png') });
  } finally {
    await browser.close();
    server.close();
    rmSync(work, { recursive: true, force: true });
  }
});
