// Company preferences (a client's Full Admins): the company's address, main phone, billing email
// and time zone, and the email preferences new users start with. Saved with the version read.
import { authed } from './api.js';
import { me } from './shell.js';
import { showProblem, whileBusy } from './forms.js';

const $ = (id) => document.getElementById(id);
const NOTIFY = ['ticket_confirmations', 'ticket_replies', 'status_changes', 'invoices', 'project_updates', 'expiry_digest', 'executive_report'];
const form = $('prefs-form');
let company = null;

function fill(c) {
  company = c;
  form.elements.address.value = c.address;
  form.elements.phone.value = c.phone;
  form.elements.billing_email.value = c.billing_email || '';
  form.elements.time_zone.value = c.time_zone;
  for (const key of NOTIFY) form.elements[key].checked = c.default_notify[key];
  form.setAttribute('aria-busy', 'false');
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  $('prefs-status').textContent = '';
  whileBusy(form.querySelector('button[type="submit"]'), async () => {
    try {
      const e = form.elements;
      fill(await authed(`/api/companies/${encodeURIComponent(company.id)}/preferences`, {
        method: 'PATCH',
        body: {
          address: e.address.value, phone: e.phone.value, billing_email: e.billing_email.value,
          time_zone: e.time_zone.value, version: company.version,
          default_notify: Object.fromEntries(NOTIFY.map((key) => [key, e[key].checked])),
        },
      }));
      showProblem(form, $('prefs-error'), { message: '' });
      $('prefs-status').textContent = 'Preferences saved.';
    } catch (err) {
      if (err.status === 409) {
        fill(await authed(`/api/companies/${encodeURIComponent(company.id)}`));
        $('prefs-error').textContent = 'Someone saved these meanwhile. The form now shows theirs; make your change again.';
      } else {
        showProblem(form, $('prefs-error'), err);
      }
    }
  });
});

me.then(async (data) => {
  const id = new URLSearchParams(location.search).get('company') || data.company.id;
  fill(await authed(`/api/companies/${encodeURIComponent(id)}`));
  $('prefs-heading').textContent = `Company preferences of ${company.name}`;
});
