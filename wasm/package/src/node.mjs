// Node.js, ES module: the module is instantiated synchronously on import.
import { readFileSync } from 'node:fs';
import { initSync } from './api.mjs';
import { locateReadersModule } from './readers.mjs';

// The speed-first build of the same code (see scripts/build-wasm.sh).
initSync(readFileSync(new URL('./relance_wasm_node.wasm', import.meta.url)));
locateReadersModule(() => readFileSync(new URL('./relance_readers_wasm_bg.wasm', import.meta.url)));

export * from './api.mjs';
export { readEInvoice, readRateSource } from './readers.mjs';
