// The package as a user gets it: `npm pack`, installed from the tarball into a fresh project,
// then used from Node ESM `import` and CommonJS `require`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = fileURLToPath(new URL('../package/', import.meta.url));

test('the packed tarball installs and runs from ESM and CommonJS', () => {
  const work = mkdtempSync(join(tmpdir(), 'relance-pack-'));
  try {
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: pkgDir, stdio: ['ignore', 'pipe', 'inherit'] });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack produced a tarball');
    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, version: '1.0.0' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(work, tarball)], { cwd: app, stdio: ['ignore', 'pipe', 'inherit'] });
    writeFileSync(join(app, 'esm.mjs'), `import { nextBusinessDay, RelanceError } from 'relance';
      try { nextBusinessDay({ calendar: 'fr' }); } catch (e) { if (!(e instanceof RelanceError)) throw e; }
      console.log(nextBusinessDay({ calendar: 'fr', date: '2026-07-13' }));`);
    writeFileSync(join(app, 'cjs.cjs'), `const { decompte } = require('relance');
      const d = decompte({ invoice: { id: 'F-1', issueDate: '2025-05-21', dueDate: '2025-06-20', currency: 'EUR', total: '12000.00',
        payments: [{ date: '2025-07-10', amount: '12000.00' }] }, regime: { type: 'fr_b2b' }, asOf: '2025-07-31' });
      console.log(d.totals.interest);`);
    assert.equal(execFileSync('node', ['esm.mjs'], { cwd: app }).toString().trim(), '2026-07-15');
    assert.equal(execFileSync('node', ['cjs.cjs'], { cwd: app }).toString().trim(), '83.18');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
