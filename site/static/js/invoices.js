// Invoices: Outstanding, Paid (and, for MSP admins, Drafts) tabs, search by number, and paying
// several outstanding invoices at once with an amount for each (never more than its balance).
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { dropColumn, paginatedTable } from './list.js';
import {
  METHODS, amountProblem, day, dayOf, fillCompanies, fillPayWith, invoiceHref, invoiceStatus, keepCompany, money, moneyInput, params, parseMoney, pay,
} from './billing-common.js';

const $ = (id) => document.getElementById(id);
const TABS = { open: 'Outstanding invoices', closed: 'Paid and void invoices', draft: 'Draft invoices' };
const tab = TABS[params.get('tab')] ? params.get('tab') : 'open';
const chosen = new Map(); // invoice id → { inv, check, input }

if (params.get('checkout') === 'cancelled') {
  $('page-status').textContent = 'Payment cancelled: nothing was charged.';
}

// The list's query: the tab, the company staff chose, the number searched for.
function listQuery(staff) {
  const query = new URLSearchParams({ tab });
  if (staff && params.get('company')) query.set('company', params.get('company'));
  if (params.get('q')) query.set('q', params.get('q'));
  return query;
}
startEarly((data) => {
  const staff = data.capabilities.includes('all_companies');
  const paying = !staff && tab === 'open';
  return [!params.get('q') && `/api/invoices?${listQuery(staff)}`, staff && '/api/companies', paying && METHODS];
});

function paySummary() {
  const picked = [...chosen.values()].filter((c) => c.check.checked);
  $('pay').disabled = picked.length === 0;
  if (!picked.length) {
    $('pay-summary').textContent = 'Choose the invoices to pay.';
    return;
  }
  const totals = {};
  for (const { inv, input } of picked) {
    const amount = parseMoney(input.value, inv.currency);
    totals[inv.currency] = (totals[inv.currency] || 0) + (amount > 0 ? amount : 0);
  }
  const sum = Object.entries(totals).map(([cur, v]) => money(v, cur)).join(' + ');
  $('pay-summary').textContent = `${picked.length} ${picked.length === 1 ? 'invoice' : 'invoices'} selected: ${sum}.`;
}

function payCells(row, inv) {
  const check = document.createElement('input');
  check.type = 'checkbox';
  check.name = 'pick';
  check.value = inv.id;
  check.setAttribute('aria-label', `Pay ${inv.label}`);
  const input = document.createElement('input');
  input.type = 'text';
  input.inputMode = 'decimal';
  input.name = `amount-${inv.id}`;
  input.value = moneyInput(inv.balance, inv.currency);
  input.setAttribute('aria-label', `Amount to pay on ${inv.label} (${inv.currency})`);
  check.addEventListener('change', paySummary);
  input.setAttribute('aria-describedby', 'pay-error');
  input.addEventListener('input', () => {
    check.checked = true;
    paySummary();
    // Checked as it is typed: said under the table, at the Pay button, naming the invoice.
    const problem = amountProblem(input.value, inv);
    if (problem) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    const wrong = [...chosen.values()].find((c) => c.check.checked && amountProblem(c.input.value, c.inv));
    $('pay-error').textContent = wrong ? `${wrong.inv.label}: ${amountProblem(wrong.input.value, wrong.inv)}` : '';
  });
  row.querySelector('[data-field="pick"]').append(check);
  row.querySelector('[data-field="amount"]').append(input);
  chosen.set(inv.id, { inv, check, input });
}

$('pay-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = $('pay-error');
  error.textContent = '';
  const invoices = [];
  for (const { inv, check, input } of chosen.values()) {
    input.removeAttribute('aria-invalid');
    if (!check.checked) continue;
    const amount = parseMoney(input.value, inv.currency);
    const problem = amountProblem(input.value, inv);
    if (problem) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      error.textContent = `${inv.label}: ${problem}`;
      return;
    }
    invoices.push({ invoice_id: inv.id, amount });
  }
  if (!invoices.length) return;
  const button = $('pay');
  button.setAttribute('aria-busy', 'true');
  button.disabled = true;
  const currency = [...chosen.values()].find((c) => c.check.checked).inv.currency;
  const total = money(invoices.reduce((sum, i) => sum + i.amount, 0), currency);
  try {
    await pay(invoices, total);
  } catch (err) {
    error.textContent = err.message;
  }
  button.removeAttribute('aria-busy');
  button.disabled = false;
});

me.then(async (data) => {
  const can = new Set(data.capabilities);
  const staff = can.has('all_companies');
  keepCompany();
  for (const name of Object.keys(TABS)) {
    const link = $(`tab-${name}`);
    const q = new URLSearchParams(params);
    q.set('tab', name);
    q.delete('q');
    q.delete('checkout');
    link.href = `?${q}`;
    if (name === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const paying = !staff && tab === 'open';
  if (paying) {
    $('invoices-table').classList.add('cards-on-phone');
    fillPayWith();
  }
  if (!paying) {
    dropColumn('invoices', 'pick');
    dropColumn('invoices', 'amount');
  }
  if (tab !== 'closed') dropColumn('invoices', 'paid_on');
  if (staff) {
    $('company-filter').hidden = false;
    await fillCompanies($('company'), params.get('company'));
  } else {
    dropColumn('invoices', 'company');
  }
  const query = listQuery(staff);
  const exported = new URLSearchParams(query);
  exported.delete('q');
  $('export').href = `/api/invoices/export?${exported}`;
  $('q').value = params.get('q') ?? '';
  $('invoices-caption').textContent = `${TABS[tab]}${query.get('q') ? ` numbered “${query.get('q')}”` : ''}`;
  // An invoice number opens that invoice, whichever tab it is in (never listed under the wrong one).
  if (query.get('q')) {
    const anywhere = new URLSearchParams(query);
    anywhere.delete('tab');
    const found = await authed(`/api/invoices?${anywhere}`);
    if (found.items.length === 1) {
      location.replace(invoiceHref(found.items[0], staff));
      return;
    }
  }
  await paginatedTable({
    id: 'invoices',
    url: `/api/invoices?${query}`,
    empty: query.get('q') ? `No invoice numbered “${query.get('q')}”.` : `No ${TABS[tab].toLowerCase()}.`,
    cells: (inv) => ({
      number: { text: inv.label, href: invoiceHref(inv, staff) },
      company: inv.company_name,
      issued: day(inv.issue_date),
      due: day(inv.due_date),
      paid_on: dayOf(inv.last_paid_at),
      total: money(inv.total, inv.currency),
      balance: money(inv.balance, inv.currency),
      status: invoiceStatus(inv),
    }),
    decorate: (row, inv) => {
      for (const f of ['total', 'balance']) row.querySelector(`[data-field="${f}"]`).classList.add('num');
      if (paying && inv.status === 'issued' && inv.balance > 0) payCells(row, inv);
    },
    loaded: (page) => {
      $('online-off').hidden = page.online_payment || !paying;
      $('pay-bar').hidden = !(paying && page.online_payment && chosen.size > 0);
      if (!page.online_payment) for (const { check, input } of chosen.values()) check.disabled = input.disabled = true;
    },
  });
  paySummary();
});

$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  const q = new URLSearchParams({ tab });
  const number = $('q').value.trim();
  if (number) q.set('q', number);
  if ($('company').value && !$('company-filter').hidden) q.set('company', $('company').value);
  location.assign(`?${q}`);
});
