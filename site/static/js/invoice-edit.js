// The MSP's invoice editor: a new draft, or a draft changed; lines with live totals (the API
// computes the same ones); save, or save and issue.
import { ApiProblem, authed } from './api.js';
import { me, startEarly } from './shell.js';
import { showProblem, whileBusy } from './forms.js';
import { confirmIssue, fillCompanies, money, params, withCompany } from './billing-common.js';
import { addRow, basisPoints as rate, collectLines, round, rowAmount } from './line-editor.js';
import { showUnbilled } from './unbilled-time.js';

const $ = (id) => document.getElementById(id);
const form = $('invoice-form');
const body = $('line-table').tBodies[0];
let draft = null; // the invoice being changed, if any

const currency = () => ($('currency').value.trim().toUpperCase() || 'USD');

function totals() {
  const cur = currency();
  let subtotal = 0;
  for (const row of body.rows) subtotal += rowAmount(row, cur) ?? 0;
  const bp = basisPoints() ?? 0;
  const tax = round((subtotal * bp) / 10000);
  $('subtotal').textContent = money(subtotal, cur);
  $('tax').textContent = money(tax, cur);
  $('total').textContent = money(subtotal + tax, cur);
}

const basisPoints = () => rate($('tax_rate_bp').value);

const addLine = (line) => addRow($('line-row'), body, line, currency(), totals);

form.addEventListener('input', totals);
$('add-line').addEventListener('click', () => addLine().querySelector('input').focus());

// The body the API takes, or a problem naming the fields that are not numbers.
function collect() {
  const cur = currency();
  const errors = [];
  const lines = collectLines(body, cur, errors);
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
