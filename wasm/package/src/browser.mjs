// Browsers and bundlers (ES module): the module is fetched and instantiated before the import
// completes (top-level await), so the API is ready to call right after `import`.
import { init } from './api.mjs';
import { locateEInvoiceModule } from './einvoice.mjs';

await init(new URL('./relance_wasm_bg.wasm', import.meta.url));
locateEInvoiceModule(() => new URL('./relance_einvoice_wasm_bg.wasm', import.meta.url));

export * from './api.mjs';
export { readEInvoice } from './einvoice.mjs';
