// A configuration: its facts and notes (the MSP's internal notes for staff only), the tickets about
// it, "Raise a ticket about this", and the MSP's edit form.
import { api, authed } from './api.js';
import { me, startEarly } from './shell.js';
import { showProblem } from './forms.js';
import { day, when } from './dates.js';
import { statusName, ticketHref } from './tickets-common.js';
import {
  CONFIGURATION_STATUS, configurationHref, expiryText, fillContacts, fillForm, fillTypes, formBody,
} from './configurations-common.js';

const params = new URLSearchParams(location.search);
const id = params.get('id') || '';
const company = params.get('company') || '';
const path = `/api/configurations/${encodeURIComponent(id)}${company ? `?company=${encodeURIComponent(company)}` : ''}`;
const article = document.getElementById('configuration');
let current = null;

startEarly(() => [id && path]);

function show(detail) {
  const c = detail.configuration;
  current = c;
  document.title = `${c.name} · ${document.title.split(' · ').pop()}`;
  document.getElementById('c-name').textContent = c.name;
  document.getElementById('c-status').textContent = CONFIGURATION_STATUS[c.status] || c.status;
  const badge = document.getElementById('c-expiry');
  const warning = expiryText(c);
  badge.hidden = !warning;
  if (warning) {
    badge.textContent = warning.text;
    badge.className = `badge ${warning.className}`;
  }
  const facts = {
    type: c.type, manufacturer: c.manufacturer, model: c.model, serial: c.serial, tag: c.tag,
    contact: c.contact_name, location: c.location,
    purchased: c.purchase_date ? day(c.purchase_date) : '', expires: c.expires ? day(c.expires) : '',
  };
  for (const [name, value] of Object.entries(facts)) {
    document.querySelector(`[data-c="${name}"]`).textContent = value || '—';
  }
  document.getElementById('c-notes').textContent = c.notes || 'No notes.';
  document.getElementById('c-internal').textContent = c.internal_notes || 'None.';
  const raise = new URLSearchParams({ configuration: c.id });
  if (company) raise.set('company', company);
  document.getElementById('raise').href = `/tickets/new/?${raise}`;
  document.getElementById('back').href = company ? `/configurations/?company=${encodeURIComponent(company)}` : '/configurations/';
  const body = document.querySelector('#tickets-table tbody');
  body.replaceChildren();
  for (const t of detail.tickets) {
    const row = body.insertRow();
    const number = row.insertCell();
    if (t.may_open) number.append(Object.assign(document.createElement('a'), { href: ticketHref(t.number), textContent: `#${t.number}` }));
    else number.textContent = `#${t.number}`;
    row.insertCell().textContent = t.summary;
    row.insertCell().textContent = statusName(t);
    row.insertCell().textContent = when(t.updated_at);
  }
  if (!detail.tickets.length) {
    const cell = body.insertRow().insertCell();
    cell.colSpan = 4;
    cell.textContent = 'No tickets about it yet.';
  }
  article.setAttribute('aria-busy', 'false');
}

me.then(async () => {
  try {
    show(await authed(path));
  } catch (err) {
    article.hidden = true;
    if (err.status === 404) document.getElementById('not-found').hidden = false;
    else document.getElementById('load-error').textContent = err.message;
  }
});

// Edit (MSP staff): every field, over the version shown.
const dialog = document.getElementById('edit-dialog');
const form = document.getElementById('edit-form');
const error = document.getElementById('edit-error');
document.getElementById('edit').addEventListener('click', async () => {
  if (!current) return;
  error.textContent = '';
  fillForm(form, current);
  dialog.showModal();
  await Promise.all([
    fillTypes(form.elements.type, { current: current.type }),
    fillContacts(form.elements.contact_id, company, { current: current.contact_id || '' }),
  ]);
});
document.getElementById('edit-cancel').addEventListener('click', () => dialog.close());
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    await api(path, { method: 'PATCH', body: { ...formBody(form), version: current.version } });
    location.assign(configurationHref(current.id, company));
  } catch (err) {
    showProblem(form, error, err);
  } finally {
    button.disabled = false;
  }
});
