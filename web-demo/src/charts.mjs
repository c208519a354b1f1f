// Small accessible SVG charts (a title and a description each; the numbers are also in tables).
const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/// Stacked areas of series over dates. points: [{date, values: [number...]}]; series: [{label, color}].
export function stackedArea(container, { title, desc, points, series, markers = [], format }) {
  container.replaceChildren();
  const W = 640, H = 240, L = 84, R = 12, T = 12, B = 28;
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc', class: 'chart' });
  svg.append(el('title', { id: 'chart-title' }, title), el('desc', { id: 'chart-desc' }, desc));
  if (points.length < 2) { container.append(svg); return; }
  const max = Math.max(...points.map((p) => p.values.reduce((a, b) => a + b, 0))) || 1;
  const x = (i) => L + (i / (points.length - 1)) * (W - L - R);
  const y = (v) => H - B - (v / max) * (H - T - B);
  let below = points.map(() => 0);
  series.forEach((s, k) => {
    const top = points.map((p, i) => below[i] + p.values[k]);
    const d = [...top.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`),
      ...below.map((v, i) => `L${x(below.length - 1 - i).toFixed(1)},${y(below[below.length - 1 - i]).toFixed(1)}`), 'Z'].join(' ');
    svg.append(el('path', { d, fill: s.color, 'fill-opacity': '0.85', stroke: 'none' }));
    below = top;
  });
  for (const f of [0, 0.5, 1]) {
    svg.append(el('line', { x1: L, x2: W - R, y1: y(max * f), y2: y(max * f), stroke: '#999', 'stroke-width': '0.5' }));
    svg.append(el('text', { x: L - 6, y: y(max * f) + 4, 'text-anchor': 'end', class: 'axis' }, format(max * f)));
  }
  svg.append(el('text', { x: L, y: H - 8, class: 'axis' }, points[0].date));
  svg.append(el('text', { x: W - R, y: H - 8, 'text-anchor': 'end', class: 'axis' }, points[points.length - 1].date));
  for (const m of markers) {
    const i = points.findIndex((p) => p.date === m.date);
    if (i < 0) continue;
    svg.append(el('line', { x1: x(i), x2: x(i), y1: T, y2: H - B, stroke: '#222', 'stroke-dasharray': '3 3' }));
    svg.append(el('text', { x: x(i) + 3, y: T + 10, class: 'axis' }, m.label));
  }
  const legend = document.createElement('ul');
  legend.className = 'legend';
  for (const s of series) {
    const li = document.createElement('li');
    li.innerHTML = `<span class="swatch" style="background:${s.color}"></span>`;
    li.append(s.label);
    legend.append(li);
  }
  container.append(svg, legend);
}

/// Horizontal bars. rows: [{label, value, text}].
export function bars(container, { title, rows, color = '#0b5394' }) {
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
