// Users: a company's portal users (the signed-in admin's own company, or ?company= for MSP staff):
// invite, change role, deactivate and reactivate, resend invitations, reset two-factor.
import { confirmAction } from './confirm.js';
import { authed } from './api.js';
import { labels } from './labels.js';
import { me, startEarly } from './shell.js';
import { option, showProblem, when, whileBusy } from './forms.js';
import { paginatedTable } from './list.js';

const $ = (id) => document.getElementById(id);
const CLIENT_ROLES = labels('client_role');
const STAFF_ROLES = labels('staff_role');
const ROLE_ABOUT = labels('role_description');

// Under each role picker, what the chosen role allows.
for (const id of ['role', 'new-role']) {
  const select = $(id);
  select.setAttribute('aria-describedby', `${select.getAttribute('aria-describedby') || ''} ${id}-about`.trim());
  select.addEventListener('change', () => describeRole(id));
}
function describeRole(id) {
  $(`${id}-about`).textContent = ROLE_ABOUT[$(id).value] || '';
}
const STATUS = labels('user_status');

let base = '';
let table = null;
let current = null;

function say(text) {
  $('users-status').textContent = text;
}

function setRoles(kind) {
  const roles = kind === 'msp' ? STAFF_ROLES : CLIENT_ROLES;
  for (const select of [$('role'), $('new-role')]) {
    select.replaceChildren();
    for (const [value, label] of Object.entries(roles)) option(select, value, label);
  }
  $('role').value = kind === 'msp' ? 'technician' : 'standard_user';
  describeRole('role');
}

function openDialog(user) {
  current = user;
  const roles = { ...CLIENT_ROLES, ...STAFF_ROLES };
  $('user-dialog-title').textContent = user.name;
  $('user-dialog-facts').textContent =
    `${user.email} · ${roles[user.role]} · ${STATUS[user.status]} · two-factor ${user.mfa_enabled ? 'on' : 'off'}`;
  $('new-role').value = user.role;
  describeRole('new-role');
  $('toggle-active').textContent = user.status === 'deactivated' ? 'Reactivate' : 'Deactivate';
  $('resend').hidden = user.status !== 'invited';
  $('reset-mfa').hidden = !user.mfa_enabled;
  // Roles that see only their own tickets can be let see the company's (client companies).
  const ownOnly = ['standard_user', 'billing_admin', 'ticket_read_only'].includes(user.role);
  $('sees-form').hidden = !ownOnly;
  $('sees-company-tickets').checked = Boolean(user.sees_company_tickets);
  $('user-dialog-error').textContent = '';
  $('user-dialog').showModal();
}

async function change(body, done) {
  $('user-dialog-error').textContent = '';
  try {
    const user = await authed(`${base}/users/${current.id}`, { method: 'PATCH', body: { version: current.version, ...body } });
    $('user-dialog').close();
    say(done(user));
    table.reload();
  } catch (err) {
    $('user-dialog-error').textContent = err.problem?.errors?.length ? err.problem.errors.map((e) => e.message).join('. ') : err.message;
  }
}

$('role-form').addEventListener('submit', (event) => {
  event.preventDefault();
  change({ role: $('new-role').value }, (u) => `${u.name} is now ${({ ...CLIENT_ROLES, ...STAFF_ROLES })[u.role]}.`);
});
$('sees-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const sees = $('sees-company-tickets').checked;
  change({ sees_company_tickets: sees }, (u) => (sees ? `${u.name} now sees every ticket of the company.` : `${u.name} sees only their own tickets again.`));
});
$('toggle-active').addEventListener('click', async () => {
  const reactivate = current.status === 'deactivated';
  if (!reactivate && !(await confirmAction({
    title: `Deactivate ${current.name}?`,
    text: `${current.name} is signed out everywhere at once and can no longer sign in. Their tickets and history stay. You can reactivate them later.`,
    yes: 'Deactivate',
    no: 'Keep them active',
    danger: true,
  }))) return;
  change({ status: reactivate ? 'active' : 'deactivated' }, (u) =>
    reactivate ? `${u.name} is reactivated.` : `${u.name} is deactivated and signed out everywhere.`);
});
$('resend').addEventListener('click', async () => {
  try {
    await authed(`${base}/users/${current.id}/invitation`, { method: 'POST' });
    $('user-dialog').close();
    say(`A new invitation is on its way to ${current.email}.`);
  } catch (err) {
    $('user-dialog-error').textContent = err.message;
  }
});
$('reset-mfa').addEventListener('click', async () => {
  if (!(await confirmAction({
    title: `Reset ${current.name}'s two-factor authentication?`,
    text: 'Their authenticator app and recovery codes stop working. They sign in with their password alone until they set it up again; where the company requires two-factor, the portal asks them to at their next sign-in.',
    yes: 'Reset two-factor',
    no: 'Keep it',
    danger: true,
  }))) return;
  try {
    await authed(`${base}/users/${current.id}/mfa`, { method: 'DELETE' });
    $('user-dialog').close();
    say(`${current.name}'s two-factor authentication is reset.`);
    table.reload();
  } catch (err) {
    $('user-dialog-error').textContent = err.message;
  }
});
$('user-dialog-close').addEventListener('click', () => $('user-dialog').close());

$('invite-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const e = form.elements;
  await whileBusy(form.querySelector('button[type="submit"]'), async () => {
    try {
      const user = await authed(`${base}/users`, {
        method: 'POST',
        body: { name: e.name.value, email: e.email.value, phone: e.phone.value, role: e.role.value },
      });
      showProblem(form, $('invite-error'), { message: '' });
      form.reset();
      $('invite').open = false;
      say(`Invitation sent to ${user.email}.`);
      table.reload();
    } catch (err) {
      showProblem(form, $('invite-error'), err);
    }
  });
});

// Requests for access: a row each, with the role to give and Approve / Refuse.
async function showRequests() {
  const { items } = await authed(`${base}/access-requests`);
  $('access-requests').hidden = items.length === 0;
  const body = $('requests-table').querySelector('tbody');
  body.replaceChildren();
  for (const request of items) {
    const row = document.createElement('tr');
    const cell = (text) => {
      const td = document.createElement('td');
      td.textContent = text;
      row.append(td);
      return td;
    };
    cell(request.name);
    cell(request.email);
    cell(when(request.asked_at));
    const role = document.createElement('select');
    role.setAttribute('aria-label', `Role for ${request.name}`);
    for (const [value, label] of Object.entries(CLIENT_ROLES)) option(role, value, label);
    role.value = 'standard_user';
    cell('').append(role);
    const actions = cell('');
    const approve = document.createElement('button');
    approve.type = 'button';
    approve.className = 'compact';
    approve.textContent = 'Approve';
    approve.setAttribute('aria-label', `Approve ${request.name}`);
    const refuse = document.createElement('button');
    refuse.type = 'button';
    refuse.className = 'secondary compact';
    refuse.textContent = 'Refuse';
    refuse.setAttribute('aria-label', `Refuse ${request.name}`);
    actions.append(approve, ' ', refuse);
    approve.addEventListener('click', () => whileBusy(approve, async () => {
      try {
        const user = await authed(`${base}/access-requests/${request.id}/approve`, { method: 'POST', body: { role: role.value } });
        say(`Invitation sent to ${user.email}.`);
        await showRequests();
        table.reload();
      } catch (err) {
        say(err.message);
      }
    }));
    refuse.addEventListener('click', async () => {
      const sure = await confirmAction({
        title: `Refuse ${request.name}?`,
        text: `${request.email} gets no portal user and is not told. They can ask again.`,
        yes: 'Refuse',
        danger: true,
      });
      if (!sure) return;
      try {
        await authed(`${base}/access-requests/${request.id}`, { method: 'DELETE' });
        say(`Refused ${request.name}'s request.`);
        await showRequests();
      } catch (err) {
        say(err.message);
      }
    });
    body.append(row);
  }
}

const asked = new URLSearchParams(location.search).get('company');
const companyPath = (id) => `/api/companies/${encodeURIComponent(id)}`;
startEarly((data) => [asked && asked !== data.company.id && companyPath(asked), `${companyPath(asked || data.company.id)}/users`]);

me.then(async (data) => {
  let company = data.company;
  if (asked && asked !== data.company.id) company = await authed(companyPath(asked));
  base = companyPath(company.id);
  setRoles(company.kind);
  $('users-heading').textContent = company.id === data.company.id ? 'Users' : `Users of ${company.name}`;
  $('users-caption').textContent = `Portal users of ${company.name}`;
  if (company.id !== data.company.id) $('sign-in-link').href = `/users/sign-in/?company=${encodeURIComponent(company.id)}`;
  if (company.kind === 'client') {
    showRequests();
    const line = $('preferences-line');
    line.hidden = false;
    if (company.id !== data.company.id) line.querySelector('a').href = `/company/?company=${encodeURIComponent(company.id)}`;
  }
  table = paginatedTable({
    id: 'users',
    url: `${base}/users`,
    cells: (u) => ({
      name: u.name, email: u.email, role: ({ ...CLIENT_ROLES, ...STAFF_ROLES })[u.role] || u.role,
      status: STATUS[u.status] || u.status, last: u.last_sign_in_at ? when(u.last_sign_in_at) : 'Never',
      mfa: u.mfa_enabled ? 'On' : 'Off',
    }),
    decorate: (row, user) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary compact';
      button.textContent = 'Manage';
      button.setAttribute('aria-label', `Manage ${user.name}`);
      button.addEventListener('click', () => openDialog(user));
      row.querySelector('[data-field="actions"]').append(button);
    },
  });
});
