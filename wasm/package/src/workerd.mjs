// Cloudflare Workers (workerd): the runtime hands over the .wasm as a compiled module.
import wasmModule from './relance_wasm_bg.wasm';
import { initSync } from './api.mjs';

initSync(wasmModule);

export * from './api.mjs';
