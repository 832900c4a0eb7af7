// The MSP's invoice editor: a new draft, or a draft changed; lines with live totals (the API
// computes the same ones); save, or save and issue.
import { ApiProblem, authed } from './api.js';
import { me, startEarly } from './shell.js';
import { showProblem, whileBusy } from './forms.js';
import { confirmIssue, fillCompanies, money, moneyInput, params, parseMoney, withCompany } from './billing-common.js';
import { showUnbilled } from './unbilled-time.js';

const $ = (id) => document.getElementById(id);
const form = $('invoice-form');
const body = $('line-table').tBodies[0];
let draft = null; // the invoice being changed, if any

const currency = () => ($('currency').value.trim().toUpperCase() || 'USD');

// A quantity like "1.5" in thousandths, or null.
function thousandths(text) {
  const m = String(text).trim().match(/^(\d*)(?:\.(\d{0,3}))?$/);
  if (!m || (!m[1] && !m[2])) return null;
  return Number(m[1] || 0) * 1000 + Number((m[2] || '').padEnd(3, '0'));
}

// Rounded half away from zero, as the API does.
const round = (x) => Math.sign(x) * Math.round(Math.abs(x));

function basisPoints() {
  const t = $('tax_rate_bp').value.trim();
  if (!t) return 0;
  const m = t.replace('%', '').match(/^(\d{1,3})(?:\.(\d{1,2}))?$/);
  return m ? Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0')) : null;
}

function renumber() {
  [...body.rows].forEach((row, i) => {
    for (const input of row.querySelectorAll('[data-l]')) {
      if (input.tagName !== 'INPUT') continue;
      input.name = `lines[${i}].${input.dataset.l}`;
      input.setAttribute('aria-label', `Line ${i + 1}: ${input.dataset.l.replace('_', ' ')}`);
      const slot = row.querySelector(`[data-e="${input.dataset.l}"]`);
      slot.id = `${input.name}-error`;
      input.setAttribute('aria-describedby', slot.id);
    }
    row.querySelector('[data-l="remove"]').setAttribute('aria-label', `Remove line ${i + 1}`);
  });
}

function totals() {
  const cur = currency();
  let subtotal = 0;
  for (const row of body.rows) {
    const q = thousandths(row.querySelector('[data-l="quantity"]').value);
    const p = parseMoney(row.querySelector('[data-l="unit_price"]').value, cur);
    const amount = q === null || p === null ? null : round((q * p) / 1000);
    row.querySelector('[data-l="amount"]').textContent = amount === null ? '' : money(amount, cur);
    subtotal += amount ?? 0;
  }
  const bp = basisPoints() ?? 0;
  const tax = round((subtotal * bp) / 10000);
  $('subtotal').textContent = money(subtotal, cur);
  $('tax').textContent = money(tax, cur);
  $('total').textContent = money(subtotal + tax, cur);
}

function addLine(line) {
  const row = $('line-row').content.cloneNode(true).querySelector('tr');
  if (line) {
    row.querySelector('[data-l="description"]').value = line.description;
    row.querySelector('[data-l="quantity"]').value = line.quantity;
    row.querySelector('[data-l="unit_price"]').value = moneyInput(line.unit_price, currency());
  }
  row.querySelector('[data-l="remove"]').addEventListener('click', () => {
    row.remove();
    renumber();
    totals();
  });
  body.append(row);
  renumber();
  totals();
  return row;
}

form.addEventListener('input', totals);
$('add-line').addEventListener('click', () => addLine().querySelector('input').focus());

// The body the API takes, or a problem naming the fields that are not numbers.
function collect() {
  const cur = currency();
  const errors = [];
  const lines = [...body.rows].map((row, i) => {
    const value = (f) => row.querySelector(`[data-l="${f}"]`).value;
    const unit = parseMoney(value('unit_price'), cur);
    if (unit === null) errors.push({ field: `lines[${i}].unit_price`, message: `A price such as ${moneyInput(12050, cur)}` });
    if (thousandths(value('quantity')) === null) errors.push({ field: `lines[${i}].quantity`, message: 'A number with up to 3 decimals' });
    return { description: value('description'), quantity: value('quantity').trim(), unit_price: unit };
  });
  const bp = basisPoints();
  if (bp === null) errors.push({ field: 'tax_rate_bp', message: 'A percentage such as 8.25' });
  const tickets = $('tickets').value.split(/[\s,]+/).filter(Boolean).map((t) => Number(t.replace('#', '')));
  if (tickets.some((n) => !Number.isSafeInteger(n) || n <= 0)) errors.push({ field: 'tickets', message: 'Ticket numbers such as 1042, 1043' });
  if (!draft && !$('company_id').value) errors.push({ field: 'company_id', message: 'Choose the client company' });
  if (errors.length) throw new ApiProblem(422, { title: 'Please correct the fields marked below.', errors });
  const invoice = { currency: cur, lines, tax_rate_bp: bp, notes: $('notes').value, tickets };
  // Dates left empty are left out: the API then takes them when the invoice is issued.
  for (const date of ['issue_date', 'due_date']) if ($(date).value) invoice[date] = $(date).value;
  return invoice;
}

async function save(issue) {
  $('lines-error').textContent = '';
  const invoice = collect();
  const saved = draft
    ? await authed(withCompany(`/api/invoices/${encodeURIComponent(draft.id)}`, draft.company_id), { method: 'PATCH', body: { ...invoice, version: draft.version } })
    : await authed('/api/invoices', { method: 'POST', body: { company_id: $('company_id').value, ...invoice } });
  draft = saved;
  let outcome = '';
  if (issue) {
    const answer = await authed(withCompany(`/api/invoices/${encodeURIComponent(saved.id)}/issue`, saved.company_id), { method: 'POST', body: { version: saved.version } });
    // The invoice page says what issuing did (autopay charging or failed included).
    outcome = `&issued=${encodeURIComponent(answer.autopay)}`;
  }
  location.assign(withCompany(`/invoices/view/?id=${encodeURIComponent(saved.id)}${outcome}`, saved.company_id));
}

async function submit(button, issue) {
  await whileBusy(button, async () => {
    try {
      await save(issue);
    } catch (err) {
      showProblem(form, $('form-error'), err);
      if (err instanceof ApiProblem && err.fields.lines) $('lines-error').textContent = err.fields.lines;
    }
  });
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  submit($('save'), false);
});
$('save-issue').addEventListener('click', async (event) => {
  if (!form.reportValidity()) return;
  const company = draft?.company_id || $('company_id').value;
  const bp = basisPoints() ?? 0;
  const tax = `Tax: ${bp ? `${bp / 100} %, ${$('tax').textContent}` : 'none'}. `;
  if (await confirmIssue(company, $('total').textContent, tax)) submit(event.target, true);
});

const draftPath = params.get('id') && withCompany(`/api/invoices/${encodeURIComponent(params.get('id'))}`);
startEarly(() => ['/api/companies', draftPath]);

me.then(async () => {
  await fillCompanies($('company_id'), params.get('company'));
  // A new draft starts with the company's currency and tax rate (both can be changed).
  const companyCurrency = () => {
    const chosen = $('company_id').selectedOptions[0];
    if (chosen?.dataset.currency) $('currency').value = chosen.dataset.currency;
    const bp = Number(chosen?.dataset.taxRateBp || 0);
    $('tax_rate_bp').value = bp ? String(bp / 100) : '';
    totals();
  };
  $('company_id').addEventListener('change', companyCurrency);
  if (params.get('id')) {
    try {
      draft = await authed(draftPath);
    } catch (err) {
      $('form-error').textContent = err.message;
      return;
    }
    $('title').textContent = 'Edit draft invoice';
    $('company_id').value = draft.company_id;
    $('company_id').disabled = true;
    $('currency').value = draft.currency;
    $('tax_rate_bp').value = draft.tax_rate_bp ? String(draft.tax_rate_bp / 100) : '';
    $('issue_date').value = draft.issue_date ?? '';
    $('due_date').value = draft.due_date ?? '';
    $('notes').value = draft.notes;
    $('tickets').value = draft.tickets.join(', ');
    for (const line of draft.lines) addLine(line);
  } else {
    $('currency').value = 'USD';
    companyCurrency();
    addLine();
    // A new invoice may be drafted from the company's unbilled time instead.
    $('company_id').addEventListener('change', () => showUnbilled($('company_id').value));
    showUnbilled($('company_id').value);
  }
  if (!body.rows.length) addLine();
  totals();
  form.setAttribute('aria-busy', 'false');
});
