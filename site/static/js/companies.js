// Companies: the MSP's directory (staff), search by name, add and edit (MSP admins).
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { showProblem } from './forms.js';
import { paginatedTable } from './list.js';

const $ = (id) => document.getElementById(id);
const form = $('company-form');
let editing = null;
let table = null;

function openDialog(company) {
  editing = company;
  form.reset();
  showProblem(form, $('company-error'), { message: '' });
  $('company-dialog-title').textContent = company ? `${company.name}: settings` : 'Add a company';
  const e = form.elements;
  e.name.value = company?.name ?? '';
  e.billing_email.value = company?.billing_email ?? '';
  e.phone.value = company?.phone ?? '';
  e.address.value = company?.address ?? '';
  e.time_zone.value = company?.time_zone ?? 'UTC';
  e.currency.value = company?.currency ?? 'USD';
  e.payment_terms_days.value = company?.payment_terms_days ?? 30;
  e.tax_rate_bp.value = company?.tax_rate_bp ? String(company.tax_rate_bp / 100) : '';
  e.overdue_reminders.checked = company?.overdue_reminders ?? true;
  e.mfa_required.checked = company?.mfa_required ?? false;
  $('company-dialog').showModal();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const e = form.elements;
  const body = {
    name: e.name.value, billing_email: e.billing_email.value, phone: e.phone.value, address: e.address.value,
    time_zone: e.time_zone.value, currency: e.currency.value,
    payment_terms_days: Number(e.payment_terms_days.value), overdue_reminders: e.overdue_reminders.checked,
    // Typed as a percentage; kept in basis points.
    tax_rate_bp: Math.round(Number(e.tax_rate_bp.value.replace('%', '').trim() || 0) * 100),
    mfa_required: e.mfa_required.checked,
  };
  try {
    const saved = editing
      ? await authed(`/api/companies/${encodeURIComponent(editing.id)}`, { method: 'PATCH', body: { ...body, version: editing.version } })
      : await authed('/api/companies', { method: 'POST', body });
    $('company-dialog').close();
    $('companies-status').textContent = editing
      ? `${saved.name} saved.`
      : `${saved.name} added. Invite its first Full Admin from its Users page.`;
    table.reload();
  } catch (err) {
    showProblem(form, $('company-error'), err);
  }
});
$('company-dialog-close').addEventListener('click', () => $('company-dialog').close());
$('add-company').addEventListener('click', () => openDialog(null));

$('company-search').addEventListener('submit', (event) => {
  event.preventDefault();
  const q = $('q').value.trim();
  table.reload(q ? `/api/companies?q=${encodeURIComponent(q)}` : '/api/companies');
});

startEarly(() => ['/api/companies']);

me.then((data) => {
  const admin = data.capabilities.includes('manage_companies');
  const manager = data.capabilities.includes('manage_users');
  table = paginatedTable({
    id: 'companies',
    url: '/api/companies',
    cells: (c) => ({
      name: c.name,
      kind: c.kind === 'msp' ? 'MSP' : 'Client',
      mfa: c.mfa_required ? 'Required' : 'Optional',
      users: manager ? { text: 'Users', href: `/users/?company=${encodeURIComponent(c.id)}` } : '',
      audit: { text: 'Audit trail', href: `/audit/?company=${encodeURIComponent(c.id)}` },
    }),
    decorate: (row, company) => {
      if (!admin) return;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary compact';
      button.textContent = 'Edit';
      button.setAttribute('aria-label', `Edit ${company.name}`);
      button.addEventListener('click', () => openDialog(company));
      row.querySelector('[data-field="edit"]').append(button);
    },
  });
});
