// What the configuration pages share: links, the expiry badge, the MSP's form (types, contacts,
// fields in and out).
import { authed } from './api.js';
import { labels } from './labels.js';
import { option } from './forms.js';
import { day } from './dates.js';

export const CONFIGURATION_STATUS = labels('configuration_status');
export const TYPES = '/api/configuration-types';

// The configuration page of `id`; MSP staff name the company too.
export function configurationHref(id, company) {
  const q = new URLSearchParams({ id });
  if (company) q.set('company', company);
  return `/configurations/view/?${q}`;
}

// "Expired Mar 3, 2026" / "Expires Jan 5, 2027", and the badge class, or null without a warning.
export function expiryText(c) {
  if (c.expiry === 'expired') return { text: `Expired ${day(c.expires)}`, className: 'expired' };
  if (c.expiry === 'soon') return { text: `Expires ${day(c.expires)}`, className: 'expiring' };
  return null;
}

// Fill a type select with the MSP's list (plus `current`, a type since taken off the list).
export async function fillTypes(select, { any = false, current = '' } = {}) {
  const list = await authed(TYPES);
  select.replaceChildren();
  if (any) option(select, '', 'Any type');
  for (const t of list.types) option(select, t, t);
  if (current && !list.types.includes(current)) option(select, current, `${current} (no longer listed)`);
  select.value = current;
}

// Fill a contact select with the company's active users (`company` for MSP staff).
export async function fillContacts(select, company, { first = 'None', current = '' } = {}) {
  const q = company ? `?company=${encodeURIComponent(company)}` : '';
  select.replaceChildren();
  option(select, '', first);
  for (const p of await authed(`/api/tickets/people${q}`)) option(select, p.id, p.name);
  select.value = current || '';
}

const FIELDS = ['name', 'type', 'status', 'manufacturer', 'model', 'serial', 'tag', 'contact_id',
  'location', 'purchase_date', 'expires', 'notes', 'internal_notes'];

// The form's fields as the API takes them.
export function formBody(form) {
  const body = {};
  for (const name of FIELDS) body[name] = form.elements[name].value;
  return body;
}

// Put a configuration's fields into the form.
export function fillForm(form, c) {
  for (const name of FIELDS) {
    const value = c[name];
    if (form.elements[name].tagName !== 'SELECT') form.elements[name].value = value ?? '';
  }
  form.elements.status.value = c.status;
}
