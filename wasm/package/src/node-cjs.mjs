// Node.js, CommonJS (bundled to dist/node.cjs by esbuild): same API, same .wasm file as the ES module.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from './api.mjs';
import { locateEInvoiceModule } from './einvoice.mjs';

// The speed-first build of the same code (see scripts/build-wasm.sh).
initSync(readFileSync(join(__dirname, 'relance_wasm_node.wasm')));
locateEInvoiceModule(() => readFileSync(join(__dirname, 'relance_einvoice_wasm_bg.wasm')));

export * from './api.mjs';
export { readEInvoice } from './einvoice.mjs';
