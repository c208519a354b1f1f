// Node.js, CommonJS (bundled to dist/node.cjs by esbuild): same API, same .wasm file as the ES module.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from './api.mjs';
import { locateReadersModule } from './readers.mjs';

// The speed-first build of the same code (see scripts/build-wasm.sh).
initSync(readFileSync(join(__dirname, 'relance_wasm_node.wasm')));
locateReadersModule(() => readFileSync(join(__dirname, 'relance_readers_wasm_bg.wasm')));

export * from './api.mjs';
export { readEInvoice, readRateSource } from './readers.mjs';
