// The core's worker: the WebAssembly module compiles and every figure is computed here, off the
// page's thread, so that neither a page's first load nor a change typed in the form keeps it from
// answering. The page asks by name (core-client.mjs) and gets plain data back, or the core's error
// as {code, path, message}.
//
// The module is fetched before the package's JavaScript is imported, so that the two downloads
// overlap (an import map does not reach a worker: the package is imported by its path).
const wasm = fetch(new URL('./vendor/relance/dist/relance_wasm_bg.wasm', import.meta.url));
const ready = (async () => {
  const relance = await import('./vendor/relance/dist/api.mjs');
  await relance.init(wasm);
  const simulation = await import('./simulation.mjs');
  const dashboard = await import('./analysis.mjs');
  return {
    version: () => relance.version(),
    presets: () => relance.presets(),
    readAmount: (text) => relance.readAmount(text),
    simulate: simulation.simulate,
    message: simulation.message,
    readEInvoice: async (bytes) => (await eInvoiceReader()).readEInvoice(bytes),
    invoicesFromCsv: (text) => relance.invoicesFromCsv(text),
    analyze: dashboard.analyze,
  };
})();

/** The e-invoice reader, a module of its own: downloaded when a visitor first drops a file. */
async function eInvoiceReader() {
  const readers = await import('./vendor/relance/dist/readers.mjs');
  readers.locateReadersModule(() => new URL('./vendor/relance/dist/relance_readers_wasm_bg.wasm', import.meta.url));
  return readers;
}

self.onmessage = async ({ data: { id, name, input } }) => {
  try {
    const jobs = await ready;
    self.postMessage({ id, value: await jobs[name](input) });
  } catch (e) {
    self.postMessage({ id, error: { code: e?.code ?? 'internal_error', path: e?.path ?? '', message: e?.message ?? String(e) } });
  }
};
