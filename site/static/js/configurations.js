// Configurations: search by each field the ConnectWise guide names, sort, Show more, CSV export;
// MSP staff choose the client company, add configurations and import a CSV file.
import { ApiProblem, api, authed } from './api.js';
import { me, startEarly } from './shell.js';
import { dropColumn, paginatedTable } from './list.js';
import { option, showProblem } from './forms.js';
import { day } from './dates.js';
import {
  CONFIGURATION_STATUS, TYPES, configurationHref, expiryText, fillContacts, fillTypes, formBody,
} from './configurations-common.js';

const params = new URLSearchParams(location.search);
const form = document.getElementById('filters');
const FILTERS = ['q', 'type', 'status', 'contact', 'serial', 'tag', 'model', 'expires_after', 'expires_before', 'sort', 'order'];

function listQuery(staff) {
  const query = new URLSearchParams();
  for (const name of staff ? ['company', ...FILTERS] : FILTERS) {
    const value = params.get(name)?.trim();
    if (value && !(name === 'sort' && value === 'name') && !(name === 'order' && value === 'asc')) query.set(name, value);
  }
  return query;
}

startEarly((data) => {
  const staff = data.capabilities.includes('all_companies');
  return [TYPES, (!staff || params.get('company')) && `/api/configurations?${listQuery(staff)}`];
});

me.then(async (data) => {
  const can = new Set(data.capabilities);
  const staff = can.has('all_companies');
  const company = staff ? (params.get('company') || '') : '';
  const typesLoaded = fillTypes(form.elements.type, { any: true, current: params.get('type') || '' });
  for (const name of FILTERS) if (form.elements[name] && name !== 'type' && name !== 'contact') form.elements[name].value = params.get(name) || form.elements[name].value;
  document.getElementById('scope-note').textContent = can.has('view_company_configurations')
    ? '' : 'You see the ones you are the contact of.';
  if (can.has('view_company_configurations') && (!staff || company)) {
    document.getElementById('contact-filter').hidden = false;
    fillContacts(form.elements.contact, company, { first: 'Anyone', current: params.get('contact') || '' }).catch(() => {});
  }
  if (staff) {
    document.getElementById('company-filter').hidden = false;
    const companies = await authed('/api/companies');
    for (const c of companies.items) if (c.kind !== 'msp') option(form.elements.company, c.id, c.name);
    form.elements.company.value = company;
    form.elements.company.addEventListener('change', () => form.requestSubmit());
  }
  if (!can.has('view_company_configurations')) dropColumn('configurations', 'contact');
  await typesLoaded;
  if (staff && !company) {
    document.getElementById('company-needed').hidden = false;
    document.getElementById('configurations-table').closest('[role="region"]').hidden = true;
    document.getElementById('export').hidden = true;
    return;
  }
  const query = listQuery(staff);
  document.getElementById('export').href = `/api/configurations/export?${query}`;
  return paginatedTable({
    id: 'configurations',
    url: `/api/configurations?${query}`,
    empty: [...query.keys()].some((k) => k !== 'company') ? 'No configurations match this search.' : 'No configurations yet.',
    cells: (c) => ({
      name: { text: c.name, href: configurationHref(c.id, company) },
      type: c.type,
      status: CONFIGURATION_STATUS[c.status] || c.status,
      serial: c.serial,
      tag: c.tag,
      model: c.model,
      contact: c.contact_name || '',
      expires: c.expires ? day(c.expires) : '',
    }),
    decorate: (row, c) => {
      const warning = expiryText(c);
      if (!warning) return;
      const badge = Object.assign(document.createElement('span'), { className: `badge ${warning.className}`, textContent: c.expiry === 'expired' ? 'Expired' : 'Expiring soon' });
      row.querySelector('[data-field="expires"]').append(' ', badge);
    },
  });
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const q = new URLSearchParams();
  for (const name of ['company', ...FILTERS]) {
    const el = form.elements[name];
    if (el?.value && !el.closest('[hidden]')) q.set(name, el.value.trim());
  }
  location.assign(`?${q}`);
});

// Add a configuration (MSP staff).
const addDialog = document.getElementById('new-configuration-dialog');
const addForm = document.getElementById('new-configuration-form');
const addError = document.getElementById('new-configuration-error');
document.getElementById('new-configuration').addEventListener('click', async () => {
  const company = params.get('company');
  if (!company) {
    form.elements.company.focus();
    return;
  }
  addForm.reset();
  addError.textContent = '';
  addDialog.showModal();
  await Promise.all([fillTypes(addForm.elements.type), fillContacts(addForm.elements.contact_id, company)]);
});
document.getElementById('new-configuration-cancel').addEventListener('click', () => addDialog.close());
addForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const button = addForm.querySelector('button[type="submit"]');
  button.disabled = true;
  const company = params.get('company');
  try {
    const made = await api(`/api/configurations?company=${encodeURIComponent(company)}`, { method: 'POST', body: formBody(addForm) });
    location.assign(configurationHref(made.id, company));
  } catch (err) {
    showProblem(addForm, addError, err);
  } finally {
    button.disabled = false;
  }
});

// Import a CSV file (MSP staff): every row checked first; the bad ones listed by line.
const importDialog = document.getElementById('import-dialog');
const importForm = document.getElementById('import-form');
const importError = document.getElementById('import-error');
const importStatus = document.getElementById('import-status');
const report = document.getElementById('import-report');
document.getElementById('import-configurations').addEventListener('click', () => {
  if (!params.get('company')) {
    form.elements.company.focus();
    return;
  }
  importForm.reset();
  importError.textContent = '';
  importStatus.textContent = '';
  report.hidden = true;
  importDialog.showModal();
});
document.getElementById('import-cancel').addEventListener('click', () => importDialog.close());
importForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = importForm.elements.file.files[0];
  importError.textContent = '';
  report.hidden = true;
  if (!file) {
    importError.textContent = 'Choose a CSV file to import.';
    return;
  }
  const button = importForm.querySelector('button[type="submit"]');
  button.disabled = true;
  importStatus.textContent = 'Checking and importing…';
  try {
    const response = await fetch(`/api/configurations/import?company=${encodeURIComponent(params.get('company'))}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'text/csv', 'idempotency-key': crypto.randomUUID(), accept: 'application/json' },
      body: file,
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiProblem(response.status, answer);
    const ignored = answer.ignored_columns.length ? ` Columns not imported: ${answer.ignored_columns.join(', ')}.` : '';
    importStatus.textContent = `Imported ${answer.imported} configurations.${ignored}`;
    setTimeout(() => location.reload(), 1500);
  } catch (err) {
    importStatus.textContent = '';
    importError.textContent = [err.message, err.problem?.detail].filter(Boolean).join(' ');
    const rows = err.problem?.rows || [];
    if (rows.length) {
      const body = report.querySelector('tbody');
      body.replaceChildren();
      for (const r of rows) {
        const tr = body.insertRow();
        for (const text of [r.line, r.column, r.message]) tr.insertCell().textContent = text;
      }
      report.hidden = false;
    }
  } finally {
    button.disabled = false;
  }
});
