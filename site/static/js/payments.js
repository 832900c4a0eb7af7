// Payment history: every payment of the company, newest first, with the invoices it paid and a
// link to its receipt. MSP staff choose the company.
import { me, startEarly } from './shell.js';
import { paginatedTable } from './list.js';
import { when } from './forms.js';
import { PAYMENT_STATUS, invoiceLabel, fillCompanies, keepCompany, money, params, withCompany } from './billing-common.js';

const KIND = { checkout: 'Online', autopay: 'Autopay', manual: 'Recorded by us', saved_method: 'Saved method' };

startEarly((data) => {
  const staff = data.capabilities.includes('all_companies');
  return [(!staff || params.get('company')) && withCompany('/api/payments'), staff && '/api/companies'];
});

me.then(async (data) => {
  keepCompany();
  const staff = data.capabilities.includes('all_companies');
  const company = params.get('company');
  if (staff) {
    document.getElementById('company-picker').hidden = false;
    await fillCompanies(document.getElementById('company'), company);
    if (!company) {
      document.getElementById('payments-table').hidden = true;
      return;
    }
  }
  paginatedTable({
    id: 'payments',
    url: withCompany('/api/payments'),
    cells: (p) => ({
      date: when(p.paid_at || p.created_at),
      amount: money(p.amount, p.currency),
      method: p.method && KIND[p.kind] ? `${p.method} (${KIND[p.kind]})` : p.method || KIND[p.kind],
      invoices: p.allocations.map((a) => invoiceLabel(a.number)).join(', '),
      status: PAYMENT_STATUS[p.status] || p.status,
      receipt: { text: 'Receipt', href: withCompany(`/payments/receipt/?id=${encodeURIComponent(p.id)}`) },
    }),
    decorate: (row, p) => {
      row.querySelector('[data-field="amount"]').classList.add('num');
      row.querySelector('[data-field="receipt"] a').setAttribute('aria-label', `Receipt for ${money(p.amount, p.currency)} paid ${when(p.paid_at || p.created_at)}`);
    },
  });
});
