// Cloudflare Workers (workerd): the runtime hands over the .wasm as a compiled module.
import wasmModule from './relance_wasm_bg.wasm';
import einvoiceModule from './relance_einvoice_wasm_bg.wasm';
import { initSync } from './api.mjs';
import { locateEInvoiceModule } from './einvoice.mjs';

initSync(wasmModule);
locateEInvoiceModule(() => einvoiceModule);

export * from './api.mjs';
export { readEInvoice } from './einvoice.mjs';
