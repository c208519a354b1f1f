// Miniflare on the built worker (worker/build, from scripts/build-worker.sh), with a fresh D1
// migrated from worker/migrations, the settings of a test and a fake outside world for its fetches.
import { Miniflare } from 'miniflare';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const TOKEN = 'test-token-0123456789';

/// The statements of a migration file (comments dropped, split at `;` ending a line).
export function migrationStatements() {
  const dir = join(root, 'worker', 'migrations');
  return readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n').filter((l) => !l.trim().startsWith('--')).join('\n')
      .split(/;\s*\n/).map((s) => s.trim()).filter(Boolean));
}

/// A worker with its D1. `vars` override the settings; `outbound(request)` answers its fetches.
export async function startWorker({ vars = {}, outbound, persist } = {}) {
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(root, 'worker', 'build', 'index.js'),
    modulesRoot: join(root, 'worker', 'build'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-20',
    d1Databases: { DB: 'relance-test' },
    d1Persist: persist ?? false,
    r2Buckets: ['DOCUMENTS'],
    r2Persist: persist ?? false,
    bindings: { API_TOKEN: TOKEN, EMAIL_PROVIDER: 'outbox', ...vars },
    outboundService: outbound ?? (() => new Response('no network in tests', { status: 599 })),
    cf: false,
    // The local email endpoint (/cdn-cgi/handler/email), as `wrangler dev` has it.
    unsafeTriggerHandlers: true,
  });
  const db = await mf.getD1Database('DB');
  const tables = await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'").all();
  if (tables.results.length === 0) {
    await db.batch(migrationStatements().map((s) => db.prepare(s)));
  }
  const api = async (method, path, body, headers = {}) => {
    const init = { method, headers: { Authorization: `Bearer ${TOKEN}`, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers['Content-Type'] ??= 'application/json';
    }
    const res = await mf.dispatchFetch(`http://relance.test${path}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  // A request with a body of bytes (a document), answered as bytes (a document) or JSON.
  const upload = async (method, path, bytes, contentType) => {
    const init = { method, headers: { Authorization: `Bearer ${TOKEN}` } };
    if (bytes !== undefined) {
      init.body = bytes;
      init.headers['Content-Type'] = contentType;
    }
    const res = await mf.dispatchFetch(`http://relance.test${path}`, init);
    const raw = new Uint8Array(await res.arrayBuffer());
    const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: res.status, headers: res.headers, raw, body: json && raw.length ? JSON.parse(new TextDecoder().decode(raw)) : null };
  };
  // The reminders trigger by default; `cron` names another (the daily rates refresh, `0 5 * * *`).
  const scheduled = async (at, cron = '*/15 * * * *') => {
    const worker = await mf.getWorker();
    return worker.scheduled({ cron, scheduledTime: new Date(at) });
  };
  // A message delivered to the email handler, as Email Routing would hand it over.
  const email = async (from, to, raw) => {
    const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const res = await mf.dispatchFetch(`http://relance.test/cdn-cgi/handler/email?${query}`, { method: 'POST', body: raw });
    return { status: res.status, text: await res.text() };
  };
  return { mf, db, api, upload, scheduled, email, dispose: () => mf.dispose() };
}

/// Loads a ledger and a default policy through the API.
export async function seed(w, ledger, policy = 'standard') {
  const r = await w.api('POST', '/v1/import/ledger', ledger);
  if (r.status !== 201) throw new Error(`seed: ${r.status} ${JSON.stringify(r.body)}`);
  const s = await w.api('PUT', '/v1/settings', { defaultPolicy: policy });
  if (s.status !== 200) throw new Error(`seed policy: ${s.status} ${JSON.stringify(s.body)}`);
}

export function golden(name) {
  return JSON.parse(readFileSync(join(root, 'tests', 'golden', 'planner', name), 'utf8'));
}
