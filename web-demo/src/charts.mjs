// Small SVG bars (a label each; the figures are written beside them).
const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/// Horizontal bars. rows: [{label, value, text}].
export function bars(container, { title, rows, color = '#1d4ed8' }) {
  container.replaceChildren();
  const W = 640, rowH = 26, L = 120, R = 150;
  const H = rows.length * rowH + 8;
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart' });
  const max = Math.max(...rows.map((r) => r.value), 1);
  rows.forEach((r, i) => {
    const yy = 4 + i * rowH;
    svg.append(el('text', { x: L - 6, y: yy + 16, 'text-anchor': 'end', class: 'axis' }, r.label));
    svg.append(el('rect', { x: L, y: yy + 4, width: Math.max(1, (r.value / max) * (W - L - R)), height: rowH - 8, fill: color }));
    svg.append(el('text', { x: L + (r.value / max) * (W - L - R) + 6, y: yy + 16, class: 'axis' }, r.text));
  });
  container.append(svg);
}
