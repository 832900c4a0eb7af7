// Credit notes and store credit: the company's balance per currency and its credit notes, newest
// first, each with its PDF; MSP admins issue a credit note (optionally about an invoice). MSP staff
// choose the company.
import { ApiProblem, authed } from './api.js';
import { me, startEarly } from './shell.js';
import { paginatedTable } from './list.js';
import { showProblem, whileBusy } from './forms.js';
import { day, fillCompanies, keepCompany, money, moneyInput, params, parseMoney, withCompany } from './billing-common.js';

const $ = (id) => document.getElementById(id);
const LIST = () => withCompany('/api/credit-notes');
const dialog = $('credit-dialog');
const form = $('credit-form');
let currency = 'USD';
let table = null;
let key = null; // one credit note per opening of the dialog, however often Issue is pressed

const label = (number) => `CN-${String(number).padStart(4, '0')}`;

startEarly((data) => {
  const staff = data.capabilities.includes('all_companies');
  return [(!staff || params.get('company')) && LIST(), staff && '/api/companies'];
});

function showBalance(page) {
  const b = page.balances;
  $('credit-balance').textContent = b.length ? b.map((x) => money(x.amount, x.currency)).join(' + ') : money(0, currency);
  $('credit-summary').hidden = false;
}

function list() {
  table = paginatedTable({
    id: 'credit-notes',
    url: LIST(),
    empty: 'No credit notes.',
    loaded: showBalance,
    cells: (n) => ({
      number: label(n.number),
      date: day(n.created_at.slice(0, 10)),
      amount: money(n.amount, n.currency),
      reason: n.reason,
      invoice: n.invoice ? { text: n.invoice.label, href: withCompany(`/invoices/view/?id=${encodeURIComponent(n.invoice.invoice_id)}`) } : '—',
      pdf: { text: 'PDF', href: withCompany(`/api/credit-notes/${n.number}/pdf`) },
    }),
    decorate: (row, n) => {
      row.querySelector('[data-field="amount"]').classList.add('num');
      row.querySelector('[data-field="pdf"] a').setAttribute('aria-label', `${label(n.number)} as a PDF`);
    },
  });
}

// The invoice the MSP names (`INV-0007`, `7`), as its id; '' for none.
async function invoiceId(text) {
  if (!text.trim()) return '';
  const found = await authed(withCompany(`/api/invoices?tab=closed&q=${encodeURIComponent(text.trim())}`));
  const open = found.items.length ? found : await authed(withCompany(`/api/invoices?q=${encodeURIComponent(text.trim())}`));
  if (!open.items.length) {
    throw new ApiProblem(422, { title: 'Please correct the fields marked below.', errors: [{ field: 'invoice', message: `No invoice ${text.trim()} of this company` }] });
  }
  return open.items[0].id;
}

$('new-credit').addEventListener('click', () => {
  form.reset();
  showProblem(form, $('credit-form-error'), { message: '' });
  key = crypto.randomUUID();
  dialog.showModal();
});
$('credit-cancel').addEventListener('click', () => dialog.close());

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  await whileBusy($('credit-save'), async () => {
    try {
      const amount = parseMoney(form.elements.amount.value, currency);
      if (!amount || amount <= 0) {
        throw new ApiProblem(422, { title: 'Please correct the fields marked below.', errors: [{ field: 'amount', message: `An amount such as ${moneyInput(5000, currency)}` }] });
      }
      const body = { company_id: params.get('company') || '', amount, reason: form.elements.reason.value };
      const invoice = await invoiceId(form.elements.invoice.value);
      if (invoice) body.invoice_id = invoice;
      const note = await authed('/api/credit-notes', { method: 'POST', body, headers: { 'Idempotency-Key': key } });
      dialog.close();
      await table.reload();
      $('page-status').textContent = `${label(note.number)} issued: ${money(note.amount, note.currency)} added to the store credit.`;
    } catch (err) {
      showProblem(form, $('credit-form-error'), err);
    }
  });
});

me.then(async (data) => {
  keepCompany();
  const staff = data.capabilities.includes('all_companies');
  const company = params.get('company');
  currency = data.company.currency || 'USD';
  if (staff) {
    $('company-picker').hidden = false;
    await fillCompanies($('company'), company);
    if (!company) {
      $('credit-notes-table').hidden = true;
      return;
    }
    currency = $('company').selectedOptions[0]?.dataset.currency || 'USD';
    $('new-credit').hidden = !data.capabilities.includes('manage_billing');
  }
  list();
});
