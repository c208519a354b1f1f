// Shared by the packaging tests: pack the package once and unpack it into fresh projects.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const pkgDir = fileURLToPath(new URL('../package/', import.meta.url));
export const artifacts = fileURLToPath(new URL('../../tests/artifacts/', import.meta.url));

/** A fresh directory holding the packed tarball of the package; returns its path and the tarball's. */
export function packed(prefix) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: pkgDir, stdio: ['ignore', 'pipe', 'inherit'] });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  return { work, tarball: join(work, tarball) };
}

/** Unpacks the tarball as node_modules/relance of `project` (what `npm install` does, offline). */
export function unpackInto(tarball, project) {
  const dest = join(project, 'node_modules', 'relance');
  mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', dest, '--strip-components=1']);
  return dest;
}

const TYPES = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/** A static server on loopback (right MIME type for .wasm), on a free port. */
export function serve(root) {
  const server = createServer((req, res) => {
    const path = join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!path.startsWith(root) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Debian's Chromium, headless, with the flags this closed network needs. */
export async function launch() {
  assert.ok(existsSync('/usr/bin/chromium'), 'Debian chromium is missing: scripts/test.sh installs it (apt-get install chromium)');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    // playwright launches every browser with a fresh, empty profile of its own.
  });
}

