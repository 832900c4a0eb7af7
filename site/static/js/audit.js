// Audit trail: a company's entries, newest first, filtered by who, what and when; CSV export.
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { option, when } from './forms.js';
import { paginatedTable } from './list.js';
import { labels } from './labels.js';

const $ = (id) => document.getElementById(id);
const form = $('audit-filters');
const LABELS = labels('audit_action');
let base = '';
let table = null;

function query() {
  const params = new URLSearchParams();
  for (const name of ['user', 'action', 'from', 'to']) {
    const value = form.elements[name].value;
    if (value) params.set(name, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function apply() {
  $('audit-export').href = `${base}/export${query()}`;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  apply();
  table.reload(`${base}${query()}`);
});

const asked = new URLSearchParams(location.search).get('company');
const companyPath = (id) => `/api/companies/${encodeURIComponent(id)}`;
startEarly((data) => {
  const id = asked || data.company.id;
  return [
    asked && asked !== data.company.id && companyPath(asked), `${companyPath(id)}/audit`,
    data.capabilities.includes('manage_users') && `${companyPath(id)}/users`,
  ];
});

me.then(async (data) => {
  let company = data.company;
  if (asked && asked !== data.company.id) company = await authed(companyPath(asked));
  base = `${companyPath(company.id)}/audit`;
  $('audit-heading').textContent = company.id === data.company.id ? 'Audit trail' : `Audit trail of ${company.name}`;
  // The "who" picker lists the company's users where the viewer may list them (not a technician:
  // asking would only be refused).
  // Loaded beside the trail, not before it.
  if (data.capabilities.includes('manage_users')) {
    authed(`${companyPath(company.id)}/users`).then((users) => {
      for (const u of users.items) option($('user'), u.id, `${u.name} (${u.email})`);
    }).catch(() => { $('user-filter').hidden = true; });
  } else {
    $('user-filter').hidden = true;
  }
  apply();
  table = paginatedTable({
    id: 'audit',
    url: base,
    cells: (e) => ({
      at: when(e.at),
      who: e.actor_name || e.actor_email || 'Someone not signed in',
      action: LABELS[e.action] || e.action,
      summary: e.summary,
      ip: e.source_ip || '',
    }),
  });
});
