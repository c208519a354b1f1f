// The simulator's chart of the amount owed over time, drawn by uPlot on a canvas (its figures are
// also in the timeline table, and its steps listed under it).
import uPlot from 'uplot';

/** Each container's chart and its width, kept by a ResizeObserver: reading the width from the
 * layout while the page is being rebuilt would force a layout on every recomputation. */
const drawn = new WeakMap();

function sizing(container) {
  let entry = drawn.get(container);
  if (!entry) {
    // Until the observer reports, a guess from the window (corrected at the first layout).
    entry = { chart: null, width: Math.max(200, Math.min(window.innerWidth - 64, 880)) };
    new ResizeObserver(([e]) => {
      const width = Math.max(200, Math.floor(e.contentRect.width));
      if (width === entry.width) return;
      entry.width = width;
      entry.chart?.setSize({ width, height: HEIGHT });
    }).observe(container);
    drawn.set(container, entry);
  }
  return entry;
}

const HEIGHT = 260;

/**
 * The amount owed over time, drawn by uPlot: the total owed and the principal on the left scale,
 * the penalties (interest plus indemnity) on their own scale on the right, so that 170 EUR of
 * penalties on a 4 800 EUR invoice is a rising line, not a sliver. Each step is a numbered
 * vertical line, listed under the chart with its date; the due date a dashed one.
 * points: [{date, principal, penalties}]; steps: [{date, label}]; labels: the series' names.
 */
export function owedOverTime(container, { title, desc, points, steps, dueDate, labels, money, shortDate, longDate }) {
  // labels: {total, principal, penalties, dueLine}
  const entry = sizing(container);
  entry.chart?.destroy();
  entry.chart = null;
  container.replaceChildren();
  container.setAttribute('role', 'figure');
  container.setAttribute('aria-label', `${title}. ${desc}`);
  if (points.length < 2) return;
  const day = (iso) => Date.parse(`${iso}T00:00:00Z`) / 1000;
  const data = [points.map((p) => day(p.date)), points.map((p) => p.principal + p.penalties), points.map((p) => p.principal), points.map((p) => p.penalties)];
  const colors = { total: '#1d4ed8', principal: '#64748b', penalties: '#c2410c' };
  const marks = [{ x: day(dueDate), label: '', dash: [6, 4], color: '#0f172a' }, ...steps.map((s, i) => ({ x: day(s.date), label: String(i + 1), dash: [], color: '#94a3b8' }))];
  const plot = document.createElement('div');
  plot.setAttribute('aria-hidden', 'true');
  container.append(plot, legendOf([[labels.total, colors.total], [labels.principal, colors.principal], [labels.penalties, colors.penalties]]), stepList(steps, labels.dueLine, longDate));
  entry.chart = new uPlot({
    width: entry.width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { show: false },
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, niceTop(max)] }, pen: { range: (u, min, max) => [0, niceTop(Math.max(max, 1))] } },
    series: [
      {},
      { label: labels.total, stroke: colors.total, width: 2, scale: 'y' },
      { label: labels.principal, stroke: colors.principal, width: 1.5, dash: [4, 3], scale: 'y' },
      { label: labels.penalties, stroke: colors.penalties, width: 2, fill: 'rgba(194,65,12,.08)', scale: 'pen' },
    ],
    axes: [
      { values: (u, splits) => splits.map((s) => shortDate(new Date(s * 1000).toISOString().slice(0, 10))), stroke: '#475569', grid: { stroke: '#e2e8f0' } },
      { scale: 'y', values: (u, splits) => splits.map((v) => money(v)), size: 84, stroke: colors.total, grid: { stroke: '#e2e8f0' } },
      { scale: 'pen', side: 1, values: (u, splits) => splits.map((v) => money(v)), size: 72, stroke: colors.penalties, grid: { show: false } },
    ],
    hooks: { draw: [(u) => drawMarks(u, marks)] },
  }, data, plot);
}

/** A round top for a scale: 1, 2, 2.5 or 5 times a power of ten, at or above the largest value. */
function niceTop(max) {
  const power = 10 ** Math.floor(Math.log10(max || 1));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((v) => v >= max);
}

function drawMarks(u, marks) {
  const { ctx } = u;
  const top = u.bbox.top, bottom = u.bbox.top + u.bbox.height;
  ctx.save();
  ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  for (const m of marks) {
    const x = Math.round(u.valToPos(m.x, 'x', true));
    ctx.strokeStyle = m.color;
    ctx.lineWidth = devicePixelRatio;
    ctx.setLineDash(m.dash.map((d) => d * devicePixelRatio));
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
    ctx.stroke();
    if (m.label) {
      ctx.fillStyle = '#0f172a';
      ctx.fillText(m.label, x, top + 12 * devicePixelRatio);
    }
  }
  ctx.restore();
}

function legendOf(entries) {
  const legend = document.createElement('ul');
  legend.className = 'legend';
  for (const [label, color] of entries) {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = color;
    li.append(swatch, label);
    legend.append(li);
  }
  return legend;
}

/** The numbered steps of the chart, with their dates and names. */
function stepList(steps, dueLine, longDate) {
  const list = document.createElement('ol');
  list.className = 'chart-steps';
  const due = document.createElement('p');
  due.className = 'chart-due';
  due.textContent = dueLine;
  for (const s of steps) {
    const li = document.createElement('li');
    li.textContent = `${longDate(s.date)} — ${s.label}`;
    list.append(li);
  }
  const box = document.createElement('div');
  box.append(due, list);
  return box;
}
