// The MSP's project forms (new project, project details): who may manage or be the contact of a
// project, filled into the form's selects, and the form's fields as the API takes them.
import { authed } from './api.js';
import { option } from './forms.js';

// Technicians of the MSP for `manager_id`; the company's people for `contact_id`.
export async function fillPeople(form, company, chosen = {}) {
  const managers = form.elements.manager_id;
  const contacts = form.elements.contact_id;
  if (!managers.options.length) {
    for (const p of await authed('/api/tickets/people')) option(managers, p.id, p.name);
  }
  contacts.replaceChildren();
  option(contacts, '', 'None');
  if (company) {
    for (const p of await authed(`/api/tickets/people?company=${encodeURIComponent(company)}`)) option(contacts, p.id, p.name);
  }
  if (chosen.manager_id) managers.value = chosen.manager_id;
  contacts.value = chosen.contact_id || '';
}

// The project's own fields from a form.
export function projectFields(form) {
  const el = form.elements;
  return {
    name: el.name.value,
    description: el.description.value,
    manager_id: el.manager_id.value,
    contact_id: el.contact_id.value,
    status: el.status.value,
    start: el.start.value,
    expected_completion: el.expected_completion.value,
  };
}
