// The invoice editor's "Unbilled time" (MSP admins, a new invoice): what a draft from the chosen
// company's unbilled time holds, and drafting it (docs/agreements.md, "Invoicing time"). The
// draft then opens in the editor like any other.
import { ApiProblem, authed } from './api.js';
import { whileBusy } from './forms.js';
import { money, parseMoney, withCompany } from './billing-common.js';
import { hours } from './agreements-common.js';

const $ = (id) => document.getElementById(id);
// One draft per visit to the page: a retried click answers the same draft.
const key = crypto.randomUUID();
let shown = null; // { company, currency, rate }

function cell(text, num) {
  const td = document.createElement('td');
  td.textContent = text;
  if (num) td.className = 'num';
  return td;
}

// The rate typed, in minor units; undefined when empty, null when not a price.
function typedRate(currency) {
  const text = $('unbilled_rate').value.trim();
  if (!text) return undefined;
  const minor = parseMoney(text, currency);
  return minor && minor > 0 ? minor : null;
}

// Say what is wrong with the rate beside it ('' clears it).
function rateProblem(message) {
  $('unbilled_rate-error').textContent = message;
  if (message) $('unbilled_rate').setAttribute('aria-invalid', 'true');
  else $('unbilled_rate').removeAttribute('aria-invalid');
}

// Show what a draft from `company`'s unbilled time would hold (nothing shown without a company).
export async function showUnbilled(company) {
  const box = $('unbilled');
  $('unbilled-error').textContent = '';
  rateProblem('');
  if (!company) {
    box.hidden = true;
    return;
  }
  const rate = shown?.company === company ? typedRate(shown.currency) : undefined;
  if (rate === null) {
    rateProblem('A price per hour such as 150.00');
    $('unbilled_rate').focus();
    return;
  }
  let answer;
  try {
    answer = await authed(`/api/invoices/unbilled?company=${encodeURIComponent(company)}${rate ? `&rate=${rate}` : ''}`);
  } catch (err) {
    box.hidden = false;
    $('unbilled-error').textContent = err.message;
    return;
  }
  shown = { company, currency: answer.currency, rate };
  const cur = answer.currency;
  $('unbilled-table').tBodies[0].replaceChildren(...answer.lines.map((line) => {
    const tr = document.createElement('tr');
    tr.append(cell(line.description), cell(line.quantity, true), cell(money(line.unit_price, cur), true), cell(money(line.amount, cur), true));
    return tr;
  }));
  const any = answer.lines.length > 0;
  $('unbilled-lines').hidden = !any;
  $('from-time').hidden = !any;
  const needsRate = answer.without_rate_minutes > 0 || rate !== undefined;
  $('unbilled-rate-row').hidden = !needsRate;
  $('unbilled-refresh').hidden = !needsRate;
  const parts = [any
    ? `${answer.entries} time ${answer.entries === 1 ? 'entry' : 'entries'} on ${answer.tickets.length} ${answer.tickets.length === 1 ? 'ticket' : 'tickets'}${answer.lines.length > answer.tickets.length ? ' and hours past prepaid ones' : ''}: ${money(answer.subtotal, cur)} before tax.`
    : 'No billable time waits to be invoiced.'];
  if (answer.without_rate_minutes) parts.push(`${hours(answer.without_rate_minutes)} with no agreement waits for a rate per hour.`);
  if (answer.more) parts.push('More time waits than one invoice takes: draft again afterwards.');
  $('unbilled-summary').textContent = parts.join(' ');
  box.hidden = false;
}

$('unbilled-refresh').addEventListener('click', (event) => whileBusy(event.target, () => showUnbilled(shown?.company)));

$('from-time').addEventListener('click', (event) => whileBusy(event.target, async () => {
  const { company, rate } = shown;
  try {
    const answer = await authed('/api/invoices/from-time', {
      method: 'POST',
      body: rate ? { company_id: company, rate } : { company_id: company },
      headers: { 'Idempotency-Key': key },
    });
    location.assign(withCompany(`/invoices/edit/?id=${encodeURIComponent(answer.invoice.id)}`, company));
  } catch (err) {
    if (err instanceof ApiProblem && err.fields.rate) rateProblem(err.fields.rate);
    else $('unbilled-error').textContent = err.message;
    if (err instanceof ApiProblem && err.status === 409) showUnbilled(company);
  }
}));
