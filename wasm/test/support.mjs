// Shared by the packaging tests: pack the package once and unpack it into fresh projects.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
