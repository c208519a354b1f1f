// Prints what the local worker did: the run's deliveries, the emails in the local outbox, the
// tasks for people, and how far each reference-rate table is known. Usage: node scripts/show-run.mjs BASE_URL TOKEN
const [base, token] = process.argv.slice(2);
const get = async (path) => {
  const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
};
const { deliveries } = await get('/v1/deliveries?limit=1000');
const { outbox } = await get('/v1/outbox?limit=1000');
const { tasks } = await get('/v1/tasks?limit=1000');
const byStatus = deliveries.reduce((m, d) => ({ ...m, [d.status]: (m[d.status] ?? 0) + 1 }), {});
console.log(`\nDeliveries: ${deliveries.length} (${Object.entries(byStatus).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'})`);
for (const d of deliveries) {
  const invoices = d.items.map((i) => i.invoiceId).join(', ');
  console.log(`  ${d.status.padEnd(12)} ${d.channel.padEnd(17)} ${d.debtorId.padEnd(16)} ${d.stepId.padEnd(18)} ${invoices}${d.lastError ? `\n          ${d.lastError}` : ''}`);
}
console.log(`\nLocal outbox (EMAIL_PROVIDER=outbox): ${outbox.length} email(s)`);
for (const m of outbox) {
  const attached = JSON.parse(m.attachments ?? '[]').map((a) => a.name);
  console.log(`  to ${JSON.parse(m.recipients).join(', ')}\n  subject: ${m.subject}${attached.length ? `\n  attached: ${attached.join(', ')}` : ''}`);
}
if (outbox[0]) {
  console.log(`\n--- first email, as sent ---\n${outbox[0].text_body}\n---------------------------`);
}
console.log(`\nTasks for people: ${tasks.length}`);
for (const t of tasks) {
  console.log(`  ${t.status.padEnd(5)} ${t.kind.padEnd(18)} ${t.debtor_id.padEnd(16)} due ${t.due_on}`);
}
const rates = await get('/v1/rates');
console.log(`\nReference rates (GET /v1/rates): ${rates.waitingDeliveries} delivery(ies) waiting for one`);
for (const t of rates.tables) {
  const from = t.source ? `fetched daily from ${t.source.publisher}${t.source.fetchedAt ? `, last ${t.source.fetchedAt}` : ', not fetched yet'}` : 'set by hand in settings extraRates';
  const missing = t.missing.length ? `; missing ${t.missing.join(', ')}` : '';
  console.log(`  ${t.table.padEnd(20)} known until ${t.knownUntil}${missing} (${from})`);
}
