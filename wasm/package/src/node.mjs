// Node.js, ES module: the module is instantiated synchronously on import.
import { readFileSync } from 'node:fs';
import { initSync } from './api.mjs';

initSync(readFileSync(new URL('./relance_wasm_bg.wasm', import.meta.url)));

export * from './api.mjs';
