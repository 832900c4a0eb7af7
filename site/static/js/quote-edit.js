// The MSP's quote editor: a new draft, a draft changed, or a sent quote revised (saving sends the
// new revision to the approvers); lines one-off or recurring, with live totals per recurrence (the
// API computes the same ones); what its approval sets off; save, or save and send.
import { ApiProblem, authed } from './api.js';
import { me, startEarly } from './shell.js';
import { option, renamed, showProblem, whileBusy } from './forms.js';
import { confirmAction } from './confirm.js';
import { fillCompanies, money, moneyInput, params, parseMoney, withCompany } from './billing-common.js';
import { addRow, basisPoints, collectLines, round, rowAmount } from './line-editor.js';
import { labels } from './labels.js';

const $ = (id) => document.getElementById(id);
const form = $('quote-form');
const body = $('line-table').tBodies[0];
const RECURRENCE = labels('recurrence');
// In the API's order: one-off, then monthly, then annually.
const EACH = { one_time: 'one-off', monthly: 'a month', annually: 'a year' };
let quote = null; // the quote being changed, if any
let currency = 'USD';

function totals() {
  const sums = {};
  for (const row of body.rows) {
    const kind = row.querySelector('[data-l="recurrence"]').value;
    sums[kind] = (sums[kind] ?? 0) + (rowAmount(row, currency) ?? 0);
  }
  const bp = basisPoints($('tax_rate_bp').value) ?? 0;
  const list = $('totals');
  list.replaceChildren();
  for (const kind of Object.keys(EACH).filter((k) => k in sums)) {
    const total = sums[kind] + round((sums[kind] * bp) / 10000);
    const dt = document.createElement('dt');
    dt.textContent = `${RECURRENCE[kind]} total (with tax)`;
    const dd = document.createElement('dd');
    dd.textContent = `${money(total, currency)} ${EACH[kind]}`;
    list.append(dt, dd);
  }
}

function addLine(line) {
  // A quote line as the API sends it is an invoice line's fields and its recurrence.
  const row = addRow($('line-row'), body, line, currency, totals);
  if (line) row.querySelector('[data-l="recurrence"]').value = line.recurrence;
  totals();
  return row;
}

form.addEventListener('input', totals);
form.addEventListener('change', totals);
$('add-line').addEventListener('click', () => addLine().querySelector('input').focus());

// The body the API takes, or a problem naming the fields that are not numbers.
function collect() {
  const errors = [];
  const lines = collectLines(body, currency, errors, (row) => ({ recurrence: row.querySelector('[data-l="recurrence"]').value }));
  const bp = basisPoints($('tax_rate_bp').value);
  if (bp === null) errors.push({ field: 'tax_rate_bp', message: 'A percentage such as 8.25' });
  if (!quote && !$('company_id').value) errors.push({ field: 'company_id', message: 'Choose the client company' });
  const onApproval = { create_project: $('create_project').checked };
  if ($('ticket_request_type').value) onApproval.ticket_request_type = $('ticket_request_type').value;
  const kind = $('deposit_kind').value;
  if (kind) {
    const raw = $('deposit_value').value;
    const value = kind === 'percent' ? basisPoints(raw) : parseMoney(raw, currency);
    if (!value) errors.push({ field: 'deposit_value', message: kind === 'percent' ? 'A percentage such as 50' : `An amount such as ${moneyInput(50000, currency)}` });
    onApproval.deposit = { kind, value };
  }
  if (errors.length) throw new ApiProblem(422, { title: 'Please correct the fields marked below.', errors });
  return {
    title: $('title').value, introduction: $('introduction').value, terms: $('terms').value,
    valid_until: $('valid_until').value, currency, lines, tax_rate_bp: bp, on_approval: onApproval,
  };
}

async function save(send) {
  $('lines-error').textContent = '';
  const fields = collect();
  let saved = quote
    ? await authed(withCompany(`/api/quotes/${encodeURIComponent(quote.id)}`, quote.company_id), { method: 'PATCH', body: { ...fields, version: quote.version } })
    : await authed('/api/quotes', { method: 'POST', body: { company_id: $('company_id').value, ...fields } });
  quote = saved;
  if (send && saved.status === 'draft') {
    saved = await authed(withCompany(`/api/quotes/${encodeURIComponent(saved.id)}/send`, saved.company_id), { method: 'POST', body: { version: saved.version } });
  }
  location.assign(withCompany(`/quotes/view/?id=${encodeURIComponent(saved.id)}`, saved.company_id));
}

async function submit(button, send) {
  await whileBusy(button, async () => {
    try {
      await save(send);
    } catch (err) {
      // The API names what approval sets off `on_approval.…`; the form shows it beside its fields.
      showProblem(form, $('form-error'), renamed(err, { 'on_approval.deposit': 'deposit_value', 'on_approval.ticket_request_type': 'ticket_request_type' }));
      if (err instanceof ApiProblem && err.fields.lines) $('lines-error').textContent = err.fields.lines;
    }
  });
}

// A draft is saved as it is; a sent quote changes only as a new revision, which the API sends to
// the approvers at once.
form.addEventListener('submit', (event) => {
  event.preventDefault();
  submit($('save'), false);
});
$('save-send').addEventListener('click', async (event) => {
  if (!form.reportValidity()) return;
  const company = $('company_id').selectedOptions[0]?.textContent || quote?.company_name || '';
  const ok = await confirmAction({
    title: 'Send this quote?',
    text: `Its approvers at ${company} are emailed a link to approve or decline it. It is numbered, and from then on changes only as a new revision.`,
    yes: 'Send quote',
  });
  if (ok) submit(event.target, true);
});

const quotePath = params.get('id') && withCompany(`/api/quotes/${encodeURIComponent(params.get('id'))}`);
startEarly(() => ['/api/companies', '/api/tickets/settings', quotePath]);

function fillFrom(q) {
  $('company_id').value = q.company_id;
  $('company_id').disabled = true;
  currency = q.currency;
  for (const f of ['title', 'introduction', 'terms', 'valid_until']) $(f).value = q[f];
  $('tax_rate_bp').value = q.tax_rate_bp ? String(q.tax_rate_bp / 100) : '';
  $('ticket_request_type').value = q.on_approval.ticket_request_type ?? '';
  $('create_project').checked = q.on_approval.create_project;
  const deposit = q.on_approval.deposit;
  $('deposit_kind').value = deposit?.kind ?? '';
  $('deposit_value').value = !deposit ? '' : deposit.kind === 'percent' ? String(deposit.value / 100) : moneyInput(deposit.value, currency);
  for (const line of q.lines) addLine(line);
}

me.then(async () => {
  await fillCompanies($('company_id'), params.get('company'));
  const settings = await authed('/api/tickets/settings').catch(() => ({ request_types: [] }));
  for (const t of settings.request_types) option($('ticket_request_type'), t, `Yes, as “${t}”`);
  const companyDefaults = () => {
    const chosen = $('company_id').selectedOptions[0];
    currency = chosen?.dataset.currency || 'USD';
    const bp = Number(chosen?.dataset.taxRateBp || 0);
    $('tax_rate_bp').value = bp ? String(bp / 100) : '';
    totals();
  };
  $('company_id').addEventListener('change', companyDefaults);
  if (quotePath) {
    try {
      quote = await authed(quotePath);
    } catch (err) {
      $('form-error').textContent = err.message;
      return;
    }
    if (!['draft', 'sent', 'declined'].includes(quote.status)) {
      $('form-error').textContent = `${quote.label} is ${quote.status}: it can no longer change. Draft a new quote instead.`;
      return;
    }
    fillFrom(quote);
    if (quote.status === 'draft') {
      $('heading').textContent = 'Edit draft quote';
    } else {
      $('heading').textContent = `Revise ${quote.label}`;
      $('revising').textContent = `Saving sends revision ${quote.revision + 1} to the approvers; ${quote.label} is then superseded and can no longer be approved.`;
      $('revising').hidden = false;
      $('save').textContent = 'Send revision';
      $('save-send').hidden = true;
    }
    $('back').href = withCompany(`/quotes/view/?id=${encodeURIComponent(quote.id)}`, quote.company_id);
  } else {
    companyDefaults();
    const inMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    $('valid_until').value = inMonth;
    addLine();
  }
  if (!body.rows.length) addLine();
  totals();
  form.setAttribute('aria-busy', 'false');
});
