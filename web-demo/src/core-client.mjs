// The page's side of the core's worker (core-worker.mjs): `core.simulate(state)` and the like
// answer a promise of the worker's result, or reject with an Error carrying the core's code and path.
const worker = new Worker(new URL('./core-worker.mjs', import.meta.url), { type: 'module' });
const waiting = new Map();
let last = 0;

worker.onmessage = ({ data: { id, value, error } }) => {
  const job = waiting.get(id);
  waiting.delete(id);
  if (error) job.reject(Object.assign(new Error(error.message), error));
  else job.resolve(value);
};

const ask = (name) => (input, transfer = []) => new Promise((resolve, reject) => {
  const id = ++last;
  waiting.set(id, { resolve, reject });
  worker.postMessage({ id, name, input }, transfer);
});

export const core = Object.freeze(Object.fromEntries(
  ['version', 'presets', 'readAmount', 'simulate', 'message', 'readEInvoice', 'invoicesFromCsv', 'analyze'].map((name) => [name, ask(name)]),
));
