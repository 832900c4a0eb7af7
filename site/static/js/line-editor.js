// What the invoice and quote editors share: quantities and tax rates read as people type them,
// line amounts rounded as the API rounds them, and the names that tie each line's inputs to the
// API's per-field errors (`lines[2].unit_price`).
import { money, moneyInput, parseMoney } from './billing-common.js';

// A quantity like "1.5" in thousandths, or null.
export function thousandths(text) {
  const m = String(text).trim().match(/^(\d*)(?:\.(\d{0,3}))?$/);
  if (!m || (!m[1] && !m[2])) return null;
  return Number(m[1] || 0) * 1000 + Number((m[2] || '').padEnd(3, '0'));
}

// Rounded half away from zero, as the API does.
export const round = (x) => Math.sign(x) * Math.round(Math.abs(x));

// A tax rate typed as a percentage ("8.25") in basis points; 0 when empty, null when not one.
export function basisPoints(text) {
  const t = text.trim();
  if (!t) return 0;
  const m = t.replace('%', '').match(/^(\d{1,3})(?:\.(\d{1,2}))?$/);
  return m ? Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0')) : null;
}

// Name each line's inputs and selects after its place, so the API's errors land beside them.
export function renumber(body) {
  [...body.rows].forEach((row, i) => {
    for (const input of row.querySelectorAll('[data-l]')) {
      if (input.tagName !== 'INPUT' && input.tagName !== 'SELECT') continue;
      input.name = `lines[${i}].${input.dataset.l}`;
      input.setAttribute('aria-label', `Line ${i + 1}: ${input.dataset.l.replace('_', ' ')}`);
      const slot = row.querySelector(`[data-e="${input.dataset.l}"]`);
      if (!slot) continue;
      slot.id = `${input.name}-error`;
      input.setAttribute('aria-describedby', slot.id);
    }
    row.querySelector('[data-l="remove"]').setAttribute('aria-label', `Remove line ${i + 1}`);
  });
}

// A row's amount in minor units (null while its quantity or price is not a number), shown in its
// amount cell.
export function rowAmount(row, currency) {
  const q = thousandths(row.querySelector('[data-l="quantity"]').value);
  const p = parseMoney(row.querySelector('[data-l="unit_price"]').value, currency);
  const amount = q === null || p === null ? null : round((q * p) / 1000);
  row.querySelector('[data-l="amount"]').textContent = amount === null ? '' : money(amount, currency);
  return amount;
}

// A new row from `template`, filled from `line` if given, appended to `body`; `changed()` runs
// after it is added and after it is removed.
export function addRow(template, body, line, currency, changed) {
  const row = template.content.cloneNode(true).querySelector('tr');
  if (line) {
    row.querySelector('[data-l="description"]').value = line.description;
    row.querySelector('[data-l="quantity"]').value = line.quantity;
    row.querySelector('[data-l="unit_price"]').value = moneyInput(line.unit_price, currency);
  }
  row.querySelector('[data-l="remove"]').addEventListener('click', () => {
    row.remove();
    renumber(body);
    changed();
  });
  body.append(row);
  renumber(body);
  changed();
  return row;
}

// Each row's line as the API takes it (`extra(row)` adds fields), pushing a problem for each
// field that is not a number into `errors`.
export function collectLines(body, currency, errors, extra = () => ({})) {
  return [...body.rows].map((row, i) => {
    const value = (f) => row.querySelector(`[data-l="${f}"]`).value;
    const unit = parseMoney(value('unit_price'), currency);
    if (unit === null) errors.push({ field: `lines[${i}].unit_price`, message: `A price such as ${moneyInput(12050, currency)}` });
    if (thousandths(value('quantity')) === null) errors.push({ field: `lines[${i}].quantity`, message: 'A number with up to 3 decimals' });
    return { description: value('description'), quantity: value('quantity').trim(), unit_price: unit, ...extra(row) };
  });
}
