// Node.js, CommonJS (bundled to dist/node.cjs by esbuild): same API, same .wasm file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from './api.mjs';

initSync(readFileSync(join(__dirname, 'relance_wasm_bg.wasm')));

export * from './api.mjs';
