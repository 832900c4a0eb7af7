// What the billing pages share: money in minor units shown and read per currency, dates, labels,
// links that keep MSP staff's chosen company, and paying (a saved method, or Stripe Checkout).
import { authed } from './api.js';
import { confirmAction } from './confirm.js';
import { option } from './forms.js';
import { labels } from './labels.js';

// Digits after the point of a currency (USD 2, JPY 0), as the browser's Intl knows them.
export function digits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

export function money(minor, currency) {
  const d = digits(currency);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: d }).format(minor / 10 ** d);
  } catch {
    return `${(minor / 10 ** d).toFixed(d)} ${currency}`;
  }
}

// Minor units as an input's text: 12050 USD → "120.50".
export function moneyInput(minor, currency) {
  const d = digits(currency);
  return (minor / 10 ** d).toFixed(d);
}

// An amount typed by a person ("1,234.5", "$99") in minor units, or null when it is not one.
export function parseMoney(text, currency) {
  const d = digits(currency);
  const clean = String(text).trim().replace(/[,\s]/g, '').replace(/^[^\d.-]+/, '');
  const m = clean.match(/^(-?)(\d*)(?:\.(\d*))?$/);
  if (!m || (!m[2] && !m[3]) || (m[3] && m[3].length > d)) return null;
  const minor = Number(m[2] || 0) * 10 ** d + Number((m[3] || '').padEnd(d, '0') || 0);
  return Number.isSafeInteger(minor) ? (m[1] ? -minor : minor) : null;
}

export { day, dayOf } from './dates.js';

export { invoiceLabel } from './labels.js';

export const INVOICE_STATUS = labels('invoice_status');
export const PAYMENT_STATUS = labels('payment_status');

// An invoice's status as people read it.
export function invoiceStatus(inv) {
  if (inv.overdue) return 'Overdue';
  if (inv.status === 'issued' && inv.paid > 0) return 'Partly paid';
  return INVOICE_STATUS[inv.status] || inv.status;
}

// `?company=` for MSP staff's requests and links ('' for clients).
export const params = new URLSearchParams(location.search);
export function withCompany(path, company = params.get('company')) {
  if (!company) return path;
  return `${path}${path.includes('?') ? '&' : '?'}company=${encodeURIComponent(company)}`;
}

export function invoiceHref(inv, staff) {
  const path = `/invoices/view/?id=${encodeURIComponent(inv.id)}`;
  return staff ? withCompany(path, inv.company_id) : path;
}

// Billing sub-navigation links keep the company staff are looking at.
export function keepCompany() {
  for (const a of document.querySelectorAll('a[data-keep-company]')) a.href = withCompany(a.getAttribute('href'));
}

// Fill a company <select> with the client companies (MSP staff).
export async function fillCompanies(select, chosen) {
  const companies = await authed('/api/companies').catch(() => ({ items: [] }));
  for (const c of companies.items) {
    if (c.kind === 'msp') continue;
    option(select, c.id, c.name);
    select.lastElementChild.dataset.currency = c.currency;
    select.lastElementChild.dataset.taxRateBp = c.tax_rate_bp ?? 0;
  }
  if (chosen) select.value = chosen;
}

// Start paying `invoices` ([{ invoice_id, amount }]) and send the browser to Stripe. The same
// key is sent again if the same choice is retried, so a double click pays once.
let attempt = null;
export async function checkout(invoices) {
  const choice = JSON.stringify(invoices);
  if (!attempt || attempt.choice !== choice) attempt = { choice, key: crypto.randomUUID() };
  const started = await authed('/api/payments/checkout', {
    method: 'POST',
    body: { invoices },
    headers: { 'idempotency-key': attempt.key },
  });
  location.assign(started.url);
  return new Promise(() => {});
}

// Paying with a saved method: charged at once, after a dialog that names the method and the
// amount. `fillPayWith(onChange)` offers the company's saved methods (the default chosen) and
// Stripe's page; with none saved, the choice stays hidden and paying goes to Stripe's page.
export const METHODS = '/api/payment-methods';
let saved = [];
export async function fillPayWith(onChange = () => {}) {
  try {
    saved = (await authed(METHODS)).methods;
  } catch {
    saved = [];
  }
  if (!saved.length) return;
  const chosen = (saved.find((m) => m.default) ?? saved[0]).id;
  const choices = [
    ...saved.map((m) => [m.id, m.default ? `${m.label} (your default)` : m.label]),
    ['stripe', "A new card or bank account, on Stripe's page"],
  ];
  const box = document.getElementById('pay-with-options');
  for (const [value, text] of choices) {
    const input = Object.assign(document.createElement('input'), { type: 'radio', name: 'pay_with', value, checked: value === chosen });
    input.addEventListener('change', onChange);
    const label = document.createElement('label');
    label.append(input, ` ${text}`);
    box.append(label);
  }
  document.getElementById('pay-with').hidden = false;
  onChange();
}

// The saved method chosen to pay with, or null for Stripe's page.
export function chosenMethod() {
  const value = document.querySelector('input[name="pay_with"]:checked')?.value;
  return saved.find((m) => m.id === value) ?? null;
}

// Pay `invoices` ([{ invoice_id, amount }]) of `total` (formatted) with the chosen saved method,
// once the client says yes, then show the receipt (which follows Stripe's confirmation); or on
// Stripe's page. Answers false when the client changed their mind.
export async function pay(invoices, total) {
  const method = chosenMethod();
  if (!method) return checkout(invoices);
  const yes = await confirmAction({
    title: `Pay ${total} with ${method.label}?`,
    text: `${method.label} is charged ${total} now, as you agreed when you saved it. ${invoices.length === 1 ? 'The invoice shows' : 'The invoices show'} as paid once Stripe confirms the payment.`,
    yes: `Pay ${total}`,
    no: 'Cancel',
  });
  if (!yes) return false;
  try {
    const started = await authed('/api/payments/charge', { method: 'POST', body: { invoices, payment_method_id: method.id } });
    location.assign(`/payments/receipt/?id=${encodeURIComponent(started.payment_id)}`);
    return new Promise(() => {});
  } catch (err) {
    // A decline says why, and what to do instead.
    if (err.problem?.detail) err.message = `${err.message}. ${err.problem.detail}`;
    throw err;
  }
}

// Ask before issuing an invoice of `total` (formatted) to `company`: issuing numbers and freezes it,
// emails the billing contacts, and where the company has autopay on, charges its default method
// at once, which the dialog names.
export async function confirmIssue(company, total, tax = '') {
  let charge = '';
  try {
    const account = await authed(withCompany(METHODS, company));
    const method = account.methods.find((m) => m.default);
    if (account.autopay_active && method) charge = ` Autopay is on: ${method.label} is charged ${total} at once.`;
  } catch {
    charge = ' If the company has autopay on, its default payment method is charged at once.';
  }
  return confirmAction({
    title: `Issue this invoice for ${total}?`,
    text: `${tax}It takes the next invoice number and can no longer be edited, only voided. The billing contacts are emailed.${charge}`,
    yes: charge.startsWith(' Autopay is on') ? `Issue and charge ${total}` : 'Issue and email',
    no: 'Not yet',
  });
}

// What is wrong with `text` as an amount to pay on `inv` ('' when nothing): more than zero and at
// most the balance. The pages check as the client types; the API checks again.
export function amountProblem(text, inv) {
  const amount = parseMoney(text, inv.currency);
  if (amount !== null && amount > 0 && amount <= inv.balance) return '';
  return `More than zero and at most the balance, ${money(inv.balance, inv.currency)}.`;
}
