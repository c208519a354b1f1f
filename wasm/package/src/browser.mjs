// Browsers and bundlers (ES module): the module is fetched and instantiated before the import
// completes (top-level await), so the API is ready to call right after `import`.
import { init } from './api.mjs';
import { locateReadersModule } from './readers.mjs';

await init(new URL('./relance_wasm_bg.wasm', import.meta.url));
locateReadersModule(() => new URL('./relance_readers_wasm_bg.wasm', import.meta.url));

export * from './api.mjs';
export { readEInvoice, readRateSource } from './readers.mjs';
