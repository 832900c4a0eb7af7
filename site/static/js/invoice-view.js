// One invoice: its lines and totals, the PDF, paying it (clients), paying it with store credit
// (invoice-credit.js), and for MSP admins editing a draft, issuing, deleting, voiding and
// recording a payment received.
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { showProblem, whileBusy, when } from './forms.js';
import { confirmAction } from './confirm.js';
import { offerCredit } from './invoice-credit.js';
import {
  METHODS, amountProblem, chosenMethod, confirmIssue, day, fillPayWith, invoiceStatus, keepCompany, money, moneyInput, params, parseMoney, pay, withCompany,
} from './billing-common.js';

const $ = (id) => document.getElementById(id);
const id = params.get('id') || '';
const path = withCompany(`/api/invoices/${encodeURIComponent(id)}`);
let invoice = null;

function fill(inv) {
  invoice = inv;
  const m = (v) => money(v, inv.currency);
  document.title = `${inv.label} · ${document.title.split(' · ').pop()}`;
  $('title').textContent = inv.status === 'draft' ? 'Draft invoice' : `Invoice ${inv.label}`;
  const badge = $('status-badge');
  badge.textContent = invoiceStatus(inv);
  badge.classList.toggle('overdue', inv.overdue);
  const values = {
    company_name: inv.company_name, issue_date: day(inv.issue_date) || 'When issued', due_date: day(inv.due_date) || 'From payment terms',
    total: m(inv.total), balance: m(inv.balance), subtotal: m(inv.subtotal), tax: m(inv.tax), paid: m(inv.paid), notes: inv.notes,
  };
  for (const el of document.querySelectorAll('[data-i]')) el.textContent = values[el.dataset.i] ?? '';
  $('tax-label').textContent = `Tax (${(inv.tax_rate_bp / 100).toLocaleString()} %)`;
  const body = $('lines').tBodies[0];
  body.replaceChildren();
  for (const line of inv.lines) {
    const row = body.insertRow();
    row.insertCell().textContent = line.description;
    for (const text of [line.quantity, m(line.unit_price), m(line.amount)]) {
      const cell = row.insertCell();
      cell.className = 'num';
      cell.textContent = text;
    }
  }
  $('tickets-line').hidden = !inv.tickets.length;
  $('tickets').replaceChildren(...inv.tickets.flatMap((n, i) => {
    const a = document.createElement('a');
    a.href = `/tickets/view/?number=${n}`;
    a.textContent = `#${n}`;
    return i ? [', ', a] : [a];
  }));
  fillPayments(inv);
  $('pdf').href = withCompany(`/api/invoices/${encodeURIComponent(inv.id)}/pdf`);
  $('pdf').hidden = inv.status === 'draft';
  $('pdf').setAttribute('download', `${inv.label}.pdf`);
  $('invoice').setAttribute('aria-busy', 'false');
}

// The payments that paid it, each with a link to its receipt.
function fillPayments(inv) {
  $('payments-section').hidden = !inv.payments.length;
  const body = $('payments').tBodies[0];
  body.replaceChildren();
  for (const p of inv.payments) {
    const row = body.insertRow();
    row.insertCell().textContent = when(p.paid_at);
    row.insertCell().textContent = p.method || 'Online payment';
    const amount = row.insertCell();
    amount.className = 'num';
    amount.textContent = money(p.amount, inv.currency);
    const link = document.createElement('a');
    link.href = withCompany(`/payments/receipt/?id=${encodeURIComponent(p.payment_id)}`);
    link.textContent = 'Receipt';
    link.setAttribute('aria-label', `Receipt for ${amount.textContent} paid ${row.cells[0].textContent}`);
    row.insertCell().append(link);
  }
}

async function load() {
  try {
    fill(await authed(path));
    return true;
  } catch (err) {
    $('load-error').textContent = err.status === 404 ? 'There is no such invoice, or it is not yours to see.' : err.message;
    $('invoice').hidden = true;
    return false;
  }
}

function clientActions() {
  const payable = invoice.status === 'issued' && invoice.balance > 0;
  $('online-off').hidden = !payable || invoice.online_payment;
  $('pay-section').hidden = !payable || !invoice.online_payment;
  if (payable) $('amount').value = moneyInput(invoice.balance, invoice.currency);
  if (payable && invoice.online_payment) {
    fillPayWith(() => {
      const method = chosenMethod();
      $('pay').textContent = method ? `Pay with ${method.label}` : 'Pay with Stripe';
    });
  }
}

// The MSP's actions that apply to the invoice as it is now; none (paid, void): no section.
function staffActions() {
  $('draft-actions').hidden = invoice.status !== 'draft';
  $('edit').href = withCompany(`/invoices/edit/?id=${encodeURIComponent(invoice.id)}`, invoice.company_id);
  $('void-actions').hidden = !(invoice.status === 'issued' && invoice.paid === 0);
  $('record-form').hidden = !(invoice.status === 'issued' && invoice.balance > 0);
  $('record_amount').value = moneyInput(invoice.balance, invoice.currency);
  $('staff-section').hidden = ['draft-actions', 'void-actions', 'record-form'].every((part) => $(part).hidden);
}

// The amount is checked as it is typed: said at the field, before "Pay".
function checkAmount() {
  const problem = amountProblem($('amount').value, invoice);
  if (problem) $('amount').setAttribute('aria-invalid', 'true');
  else $('amount').removeAttribute('aria-invalid');
  $('amount-error').textContent = problem;
  return !problem;
}
$('amount').addEventListener('input', checkAmount);

$('pay-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const amount = parseMoney($('amount').value, invoice.currency);
  if (!checkAmount()) {
    $('amount').focus();
    return;
  }
  await whileBusy(form.querySelector('button'), () =>
    pay([{ invoice_id: invoice.id, amount }], money(amount, invoice.currency)).catch((err) => showProblem(form, $('pay-error'), err)));
});

// A staff action: POST `action` with the version read, then show the invoice again.
async function act(button, action, done) {
  $('staff-error').textContent = '';
  await whileBusy(button, async () => {
    try {
      const answer = await authed(withCompany(`/api/invoices/${encodeURIComponent(invoice.id)}/${action}`, invoice.company_id), {
        method: 'POST', body: { version: invoice.version },
      });
      fill(answer.invoice ?? answer);
      staffActions();
      $('page-status').textContent = done(answer);
    } catch (err) {
      $('staff-error').textContent = err.message;
    }
  });
}

// What issuing did, from the issue answer's label and autopay outcome.
function issued(label, autopay) {
  const charge = { charging: ' Autopay is charging the default payment method.', failed: ' Autopay failed; the billing contacts were emailed a link to pay.' }[autopay] || '';
  return `Issued as ${label}; the billing contacts were emailed.${charge}`;
}

$('issue').addEventListener('click', async (e) => {
  const tax = `Tax: ${invoice.tax_rate_bp ? `${invoice.tax_rate_bp / 100} %, ${money(invoice.tax, invoice.currency)}` : 'none'}. `;
  if (!(await confirmIssue(invoice.company_id, money(invoice.total, invoice.currency), tax))) return;
  act(e.target, 'issue', (a) => issued(a.invoice.label, a.autopay));
});
$('void').addEventListener('click', (e) => {
  confirmAction({
    title: `Void ${invoice.label}?`,
    text: `It keeps its number, can no longer be paid, and cannot be un-voided. To bill again, issue a new invoice.`,
    yes: `Void ${invoice.label}`,
    no: 'Keep it',
    danger: true,
  }).then((yes) => yes && act(e.target, 'void', () => `${invoice.label} is void.`));
});
$('delete').addEventListener('click', async (e) => {
  if (!(await confirmAction({ title: 'Delete this draft?', text: 'The draft and its lines are gone for good. It never had a number.', yes: 'Delete the draft', no: 'Keep it', danger: true }))) return;
  await whileBusy(e.target, async () => {
    try {
      await authed(withCompany(`/api/invoices/${encodeURIComponent(invoice.id)}`, invoice.company_id), { method: 'DELETE' });
      location.assign('/invoices/?tab=draft');
    } catch (err) {
      $('staff-error').textContent = err.message;
    }
  });
});

$('record-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const amount = parseMoney($('record_amount').value, invoice.currency);
  if (amount === null) {
    showProblem(form, $('staff-error'), { message: '' });
    $('record_amount').setAttribute('aria-invalid', 'true');
    $('record_amount-error').textContent = 'An amount such as 120.50';
    return;
  }
  await whileBusy(form.querySelector('button[type="submit"]'), async () => {
    try {
      const payment = await authed(withCompany(`/api/invoices/${encodeURIComponent(invoice.id)}/payments`, invoice.company_id), {
        method: 'POST',
        body: { amount, method: $('method').value, reference: $('reference').value, version: invoice.version },
      });
      showProblem(form, $('staff-error'), { message: '' });
      await load();
      staffActions();
      $('page-status').textContent = `Recorded ${money(payment.amount, payment.currency)} (${payment.method}).`;
    } catch (err) {
      if (err.fields?.amount) err.problem.errors = [{ field: 'record_amount', message: err.fields.amount }];
      showProblem(form, $('staff-error'), err);
    }
  });
});

startEarly((data) => [path, data.company.kind !== 'msp' && METHODS]);

me.then(async (data) => {
  const can = new Set(data.capabilities);
  keepCompany();
  $('back').href = withCompany('/invoices/');
  if (!(await load())) return;
  // Issued from the editor ("Save and issue"): say what happened, once (not again on reload).
  if (params.has('issued')) {
    $('page-status').textContent = issued(invoice.label, params.get('issued'));
    const url = new URL(location.href);
    url.searchParams.delete('issued');
    history.replaceState(null, '', url);
  }
  const actions = () => (can.has('manage_billing') ? staffActions() : clientActions());
  actions();
  // Store credit pays it too: shown with what it would take, applied in place.
  const credit = () => offerCredit(invoice, async (answer) => {
    fill(answer.invoice);
    actions();
    $('page-status').textContent = `Paid ${money(answer.payment.amount, answer.payment.currency)} with store credit.`;
    await credit();
  });
  await credit();
});
