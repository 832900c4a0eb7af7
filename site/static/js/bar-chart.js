// A bar chart of values by month (an SVG, hidden from screen readers) with its table twin, drawn at
// the width it is shown (one SVG unit a CSS pixel) so its text keeps its size on a phone; where the
// months are narrow, every other one is labelled. Drawn again when its width changes.
const SVG = 'http://www.w3.org/2000/svg';
const monthName = new Intl.DateTimeFormat(undefined, { month: 'short', year: '2-digit', timeZone: 'UTC' });
const short = new Intl.DateTimeFormat(undefined, { month: 'short', timeZone: 'UTC' });

function svg(name, attrs, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

// `rows`: `[{ month: 'yyyy-mm', value: number, text: string }]`, oldest first; `text` is what a
// bar and its table cell say.
function draw(container, tableBody, rows) {
  const width = Math.max(280, container.clientWidth || 600);
  const height = 200;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const slot = width / rows.length;
  const every = slot < 44 ? 2 : 1;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height + 40}`, width, height: height + 40, class: 'bar-chart', focusable: 'false' });
  rows.forEach((r, i) => {
    const date = new Date(`${r.month}-01T00:00:00Z`);
    const h = Math.round((r.value / max) * height);
    const bar = svg('rect', { x: i * slot + slot * 0.15, y: height - h + 16, width: slot * 0.7, height: h, class: 'bar' });
    bar.append(svg('title', {}, `${monthName.format(date)}: ${r.text}`));
    root.append(bar);
    root.append(svg('text', { x: i * slot + slot / 2, y: height - h + 12, 'text-anchor': 'middle', class: 'value' }, r.text));
    // The newest month is always labelled; the others as room allows.
    if ((rows.length - 1 - i) % every === 0) {
      root.append(svg('text', { x: i * slot + slot / 2, y: height + 34, 'text-anchor': 'middle', class: 'month' }, short.format(date)));
    }
  });
  container.replaceChildren(root);
  tableBody.replaceChildren();
  for (const r of rows) {
    const row = tableBody.insertRow();
    row.insertCell().textContent = monthName.format(new Date(`${r.month}-01T00:00:00Z`));
    row.insertCell().textContent = r.text;
  }
}

// Draw `rows` into `container` (its table twin's body: `tableBody`), and again as its width changes.
export function barChart(container, tableBody, rows) {
  draw(container, tableBody, rows);
  let drawn = container.clientWidth;
  new ResizeObserver(() => {
    const now = container.clientWidth;
    if (Math.abs(now - drawn) > 8) {
      drawn = now;
      draw(container, tableBody, rows);
    }
  }).observe(container);
}
