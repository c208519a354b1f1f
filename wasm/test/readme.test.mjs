// The package README's examples are executed against the packed package: each `// → text`
// comment is the line the example must print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packed, unpackInto, pkgDir } from './support.mjs';

test('every README example runs and prints what it says', () => {
  const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(examples.length >= 4, `${examples.length} examples`);
  const { work, tarball } = packed('relance-readme-');
  try {
    unpackInto(tarball, work);
    writeFileSync(join(work, 'package.json'), '{"type":"module"}');
    examples.forEach((code, i) => {
      const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1].trim());
      assert.ok(expected.length > 0, `example ${i} states what it prints`);
      const file = join(work, `example-${i}.mjs`);
      writeFileSync(file, code);
      const printed = execFileSync('node', [file], { cwd: work }).toString().trim().split('\n');
      assert.deepEqual(printed, expected, `README example ${i}`);
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
