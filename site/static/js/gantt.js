// The Gantt chart of a project's plan: an SVG drawn here (no chart library), one row per phase
// (sub-phases indented under theirs), bars on a time axis with month ticks and today's line, each
// bar's done part filled. Each phase is a button: a click, Enter or Space opens it.
import { day } from './dates.js';

const NS = 'http://www.w3.org/2000/svg';
const ROW = 34;
const AXIS = 30;
const LABEL = 190;
const DAY_MS = 86400000;

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

const toDay = (iso) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
export const days = (phase) => toDay(phase.end) - toDay(phase.start) + 1;

// Draw `phases` (as the API gives them: in plan order, with progress) from `start` to `end` (ISO
// dates, the project's) into `container`; `open(phase)` is called when a phase is chosen.
export function drawGantt(container, { phases, start, end, today }, open) {
  const first = Math.min(toDay(start), ...phases.map((p) => toDay(p.start)));
  const last = Math.max(toDay(end), ...phases.map((p) => toDay(p.end))) + 1;
  const span = Math.max(1, last - first);
  // At least 10 px a week: a long project scrolls in its region rather than squeezing its bars.
  const width = Math.max(container.clientWidth || 640, LABEL + (span / 7) * 10, 520);
  const height = AXIS + phases.length * ROW + 8;
  // Room on the right for the last bar's "100 % · 21 d · late".
  const x = (d) => LABEL + ((d - first) / span) * (width - LABEL - 130);
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'gantt-chart', 'aria-label': 'Gantt chart of the plan' });

  // Month ticks along the top.
  const cursor = new Date(first * DAY_MS);
  cursor.setUTCDate(1);
  const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  while (cursor.getTime() / DAY_MS < last) {
    const d = cursor.getTime() / DAY_MS;
    if (d >= first) {
      svg.append(el('line', { x1: x(d), x2: x(d), y1: AXIS - 8, y2: height, class: 'tick' }));
      svg.append(el('text', { x: x(d) + 3, y: AXIS - 12, class: 'axis' }, monthFormat.format(cursor)));
    }
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }

  phases.forEach((p, i) => {
    const y = AXIS + i * ROW;
    const sub = Boolean(p.parent);
    const late = p.late ? ', late' : '';
    const name = `${p.name}: ${day(p.start)} to ${day(p.end)}, ${days(p)} days, ${p.percent_complete} % complete${late}`;
    const g = el('g', { class: `phase${sub ? ' sub' : ''}${p.late ? ' late' : ''}${p.status === 'completed' ? ' done' : ''}`, tabindex: 0, role: 'button', 'aria-label': name, 'data-phase': p.id });
    g.append(el('title', {}, name));
    g.append(el('text', { x: sub ? 22 : 6, y: y + ROW / 2 + 5, class: 'label' }, p.name.length > 24 ? `${p.name.slice(0, 23)}…` : p.name));
    const x0 = x(toDay(p.start));
    const x1 = x(toDay(p.end) + 1);
    const barH = sub ? 12 : 18;
    const top = y + (ROW - barH) / 2;
    g.append(el('rect', { x: x0, y: top, width: Math.max(3, x1 - x0), height: barH, rx: 3, class: 'bar' }));
    g.append(el('rect', { x: x0, y: top, width: Math.max(0, ((x1 - x0) * p.percent_complete) / 100), height: barH, rx: 3, class: 'done-part' }));
    g.append(el('text', { x: x1 + 4, y: y + ROW / 2 + 5, class: 'pct' }, `${p.percent_complete} % · ${days(p)} d${p.late ? ' · late' : ''}`));
    g.addEventListener('click', () => open(p));
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open(p);
      }
    });
    svg.append(g);
  });

  // Today's line, over the bars, where today is inside the chart.
  const t = toDay(today);
  if (t >= first && t <= last) {
    svg.append(el('line', { x1: x(t), x2: x(t), y1: AXIS - 4, y2: height, class: 'today' }));
    svg.append(el('text', { x: x(t) + 3, y: height - 2, class: 'today-label' }, 'Today'));
  }
  container.replaceChildren(svg);
}
