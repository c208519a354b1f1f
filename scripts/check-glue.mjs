// The npm package ships one JavaScript glue for its two builds of the same code (size-first and
// speed-first). The optimiser may drop an import from one build only (a JS function the code no
// longer reaches once inlined differently), so the two glues can differ by import functions
// alone. Checks that the glue kept (the size-first build's) provides every import of the other
// build and differs from its glue in nothing else. Usage: node scripts/check-glue.mjs KEPT OTHER
import { readFileSync } from 'node:fs';

const [kept, other] = process.argv.slice(2).map((path) => readFileSync(path, 'utf8'));
// One import of the glue's import object: `        __wbg_name_hash: function(args) { ... },`
const block = /^ {8}(__wbg_\w+): function\([^)]*\) \{\n[\s\S]*?^ {8}\},\n/gm;
const imports = (glue) => new Set([...glue.matchAll(block)].map((m) => m[1]));
const otherImports = imports(other);
const missing = [...otherImports].filter((name) => !imports(kept).has(name));
const onlyKept = kept.replace(block, (whole, name) => (otherImports.has(name) ? whole : ''));
if (missing.length > 0 || onlyKept !== other) {
  console.error(`check-glue: the two builds need different JavaScript glue${missing.length ? ` (missing: ${missing.join(', ')})` : ''}`);
  process.exit(1);
}
