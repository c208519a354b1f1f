// Writes the demo's French strings into its HTML pages (web-demo/dist), so the first paint shows
// every label before any script runs: the page reads at once, and nothing moves when the scripts
// fill the same strings in. The strings stay in one place, web-demo/src/i18n.mjs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STRINGS } from '../web-demo/src/i18n.mjs';

const out = process.argv[2];
const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// An element holding only text and naming its string: <tag ... data-i18n="key" ...>text</tag>.
const labelled = /(<(\w+)\b[^>]*\bdata-i18n="(\w+)"[^>]*>)[^<]*(<\/\2>)/g;

for (const page of ['index.html', 'dashboard.html']) {
  const file = join(out, page);
  const html = readFileSync(file, 'utf8').replace(labelled, (whole, open, tag, key, close) => {
    const text = STRINGS.fr[key];
    if (typeof text !== 'string') throw new Error(`${page}: no French string "${key}" in web-demo/src/i18n.mjs`);
    return `${open}${escape(text)}${close}`;
  });
  writeFileSync(file, html);
}
