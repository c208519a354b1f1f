// The whole simulation lives in the URL (#s=<base64url JSON>), so a link reproduces it exactly.

export const DEFAULT_STATE = {
  lang: 'fr',
  // Filled from an e-invoice the visitor drops ('' : the sample's).
  number: '',
  customer: '',
  amount: '4800.00',
  issueDate: '2026-01-15',
  termsMode: 'net',
  termsDays: 45,
  dueDate: '',
  kind: 'business',
  country: 'FR',
  policy: 'standard',
  payments: [],
  // What a partial payment pays first: '' (the law's order) or 'principal_first'.
  imputation: '',
  // What the customer answered: replies, promises to pay, calls that reached nobody.
  answers: { replies: [], promises: [], calls: [] },
  plan: null,
  step: null,
  extraRates: {},
};

function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  bytes.forEach((b) => { bin += String.fromCharCode(b); });
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export function encodeState(state) {
  return `#s=${toBase64Url(JSON.stringify(state))}`;
}

/// The state of a URL hash; the defaults for anything missing or unreadable.
export function decodeState(hash) {
  const m = /^#s=([A-Za-z0-9_-]+)$/.exec(hash || '');
  if (!m) return structuredClone(DEFAULT_STATE);
  try {
    const parsed = JSON.parse(fromBase64Url(m[1]));
    return { ...structuredClone(DEFAULT_STATE), ...parsed };
  } catch {
    return structuredClone(DEFAULT_STATE);
  }
}

/// The rows of the promises editor in the order they were made (the ledger's order).
export const promiseOrder = (state) => state.answers.promises.map((_, i) => i)
  .sort((a, b) => state.answers.promises[a].madeOn.localeCompare(state.answers.promises[b].madeOn));

/// The day `n` days after an ISO day (`YYYY-MM-DD`).
export function addDays(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
