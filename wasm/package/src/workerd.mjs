// Cloudflare Workers (workerd): the runtime hands over the .wasm as a compiled module.
import wasmModule from './relance_wasm_bg.wasm';
import readersModule from './relance_readers_wasm_bg.wasm';
import { initSync } from './api.mjs';
import { locateReadersModule } from './readers.mjs';

initSync(wasmModule);
locateReadersModule(() => readersModule);

export * from './api.mjs';
export { readEInvoice, readRateSource } from './readers.mjs';
