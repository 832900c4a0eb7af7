// New ticket: request type from the MSP's settings, on behalf of a colleague for roles that may,
// MSP staff choose the client company and contact; files are uploaded once the ticket exists.
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { SETTINGS, fileDrop, option, showProblem, ticketHref, uploadAll } from './tickets-common.js';
import { suggestArticles } from './kb-suggest.js';

const form = document.getElementById('ticket-form');
const error = document.getElementById('form-error');
const status = document.getElementById('form-status');
const files = fileDrop('files', form.elements.description);
const company = form.elements.company_id;
const contact = form.elements.contact_id;
const idempotencyKey = crypto.randomUUID();
const params = new URLSearchParams(location.search);
const picker = form.elements.configuration_id;
const pickerSearch = document.getElementById('configuration-search');
let suggestions = null;

// The configuration picker: the configurations the user may see (a company's for staff), the
// first 50 by name or those whose name starts with what is typed; `?configuration=` preselects one.
async function loadConfigurations(companyId, q = '', keep = picker.value) {
  const query = new URLSearchParams();
  if (companyId) query.set('company', companyId);
  if (q) query.set('q', q);
  const page = await authed(`/api/configurations?${query}`);
  const chosen = [...picker.options].find((o) => o.value === keep && keep);
  picker.replaceChildren();
  option(picker, '', 'None');
  if (chosen && !page.items.some((c) => c.id === keep)) picker.append(chosen);
  for (const c of page.items) option(picker, c.id, c.serial ? `${c.name} (${c.type}, ${c.serial})` : `${c.name} (${c.type})`);
  picker.value = keep || '';
  document.getElementById('configuration-field').hidden = false;
}
let searchTimer;
pickerSearch.addEventListener('input', () => {
  clearTimeout(searchTimer);
  const staff = !document.getElementById('company-field').hidden;
  if (staff && !company.value) return;
  searchTimer = setTimeout(() => loadConfigurations(staff ? company.value : '', pickerSearch.value.trim()).catch(() => {}), 250);
});

// The contact picker: colleagues (first "me" for clients), or a client company's people for staff.
async function loadContacts(companyId, self) {
  contact.replaceChildren();
  option(contact, '', self ? `Me (${self.name})` : 'Choose…');
  const url = companyId ? `/api/tickets/people?company=${encodeURIComponent(companyId)}` : '/api/tickets/people';
  for (const p of await authed(url)) if (!self || p.id !== self.id) option(contact, p.id, p.name);
}

startEarly((data) => {
  const can = new Set(data.capabilities);
  const staff = can.has('all_companies');
  return [SETTINGS, staff && '/api/companies', !staff && can.has('submit_on_behalf') && '/api/tickets/people'];
});

me.then(async (data) => {
  const can = new Set(data.capabilities);
  if (!can.has('submit_ticket')) {
    error.textContent = 'Your role cannot raise tickets. Ask your portal administrator, or call support.';
    form.hidden = true;
    return;
  }
  const settings = await authed(SETTINGS);
  for (const type of settings.request_types) option(form.elements.request_type, type, type);
  if (can.has('all_companies')) {
    document.getElementById('company-field').hidden = false;
    document.getElementById('contact-field').hidden = false;
    const companies = await authed('/api/companies');
    for (const c of companies.items) if (c.kind !== 'msp') option(company, c.id, c.name);
    contact.replaceChildren();
    option(contact, '', 'Choose the company first');
    company.addEventListener('change', () => {
      if (!company.value) return;
      loadContacts(company.value, null);
      loadConfigurations(company.value, '', '').catch(() => {});
    });
    if (params.get('company')) {
      company.value = params.get('company');
      await loadContacts(company.value, null);
    }
  } else if (can.has('submit_on_behalf')) {
    document.getElementById('contact-field').hidden = false;
    await loadContacts(null, data.user);
  }
  const staff = can.has('all_companies');
  // "Still need help?" on an article sends its title here.
  if (params.get('summary')) form.elements.summary.value = params.get('summary').slice(0, 200);
  if (can.has('read_knowledge_base')) suggestions = suggestArticles(form.elements.summary, { countDeflections: !staff });
  if (!staff || company.value) {
    await loadConfigurations(staff ? company.value : '', '', params.get('configuration') || '').catch(() => {});
  }
  form.setAttribute('aria-busy', 'false');
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  error.textContent = '';
  const el = form.elements;
  const body = {
    request_type: el.request_type.value,
    summary: el.summary.value,
    description: el.description.value,
    priority: el.priority.value,
    emergency: el.emergency.checked,
    due_date: el.due_date.value || null,
    po_number: el.po_number.value || null,
  };
  if (!document.getElementById('contact-field').hidden && contact.value) body.contact_id = contact.value;
  if (!document.getElementById('company-field').hidden) body.company_id = company.value || null;
  if (picker.value) body.configuration_id = picker.value;
  try {
    // One key per ticket being raised: resubmitting after a lost answer cannot raise it twice.
    const ticket = await authed('/api/tickets', { method: 'POST', body, headers: { 'idempotency-key': idempotencyKey } });
    // Raised: the articles opened did not answer it.
    suggestions?.submitted();
    const failed = await uploadAll(ticket.number, files.files(), (text) => {
      status.textContent = `Ticket #${ticket.number} raised. ${text}`;
    });
    const q = new URLSearchParams({ number: ticket.number, created: '1' });
    if (failed.length) q.set('failed', failed.join('\n'));
    location.assign(`${ticketHref(ticket.number).split('?')[0]}?${q}`);
  } catch (err) {
    showProblem(form, error, err);
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
});
