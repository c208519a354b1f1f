// readEInvoice in Node.js (issue 21): the samples of tests/fixtures/einvoice (made for the tests;
// each says what it states) read by the package's second module, and refusals as RelanceErrors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as relance from '../package/dist/node.mjs';

const fixture = (name) => readFileSync(new URL(`../../tests/fixtures/einvoice/${name}`, import.meta.url));

async function rejects(promise, code) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof relance.RelanceError, `not a RelanceError: ${e}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

test('a Factur-X PDF, a UBL invoice and a UBL credit note are read', async () => {
  const pdf = await relance.readEInvoice(fixture('facturx-F-2026-0917.pdf'));
  assert.deepEqual([pdf.format, pdf.kind, pdf.number, pdf.issueDate, pdf.dueDate], ['factur_x', 'invoice', 'F-2026-0917', '2026-09-15', '2026-10-15']);
  // 4 000.00 + 20 % VAT, nothing prepaid.
  assert.deepEqual([pdf.total, pdf.prepaid, pdf.amountDue, pdf.currency], ['4800.00', '0', '4800.00', 'EUR']);
  assert.deepEqual([pdf.seller.siren, pdf.buyer.name, pdf.buyer.siren, pdf.iban],
    ['812345678', 'Menuiserie Bellevue SAS', '523456789', 'FR7630006000011234567890189']);
  const cii = await relance.readEInvoice(fixture('cii-F-2026-0917.xml').buffer.slice(0));
  assert.deepEqual({ ...cii, format: 'factur_x' }, pdf, 'the PDF carries the CII invoice');
  const ubl = await relance.readEInvoice(fixture('ubl-F-2026-0952.xml'));
  // 1 200.00 with VAT, of which 200.00 prepaid.
  assert.deepEqual([ubl.format, ubl.total, ubl.prepaid, ubl.amountDue, ubl.buyer.vatId], ['ubl', '1200.00', '200.00', '1000.00', 'DE123456789']);
  const note = await relance.readEInvoice(fixture('ubl-credit-note-AV-2026-0031.xml'));
  assert.deepEqual([note.kind, note.precedingInvoices, note.total], ['credit_note', ['F-2026-0917'], '480.00']);
});

test('what is not an e-invoice is a RelanceError', async () => {
  await rejects(relance.readEInvoice(new TextEncoder().encode('<html><body>404</body></html>')), 'invalid_einvoice');
  await rejects(relance.readEInvoice(new TextEncoder().encode('<!DOCTYPE x [<!ENTITY a "b">]><Invoice/>')), 'invalid_einvoice');
  await rejects(relance.readEInvoice('F-2026-0917.pdf'), 'invalid_type');
});

test('the CommonJS entry reads them too', async () => {
  const cjs = createRequire(import.meta.url)('../package/dist/node.cjs');
  const doc = await cjs.readEInvoice(fixture('facturx-F-2026-0917.pdf'));
  assert.equal(doc.number, 'F-2026-0917');
});
