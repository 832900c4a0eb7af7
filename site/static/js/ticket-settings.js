// Settings (MSP admins): request types, the status list (names, what each counts as, which clients
// may set, retired ones, the order), business hours, holidays and targets per priority, the reopen
// window and file limit; and the list of configuration types.
import { authed, ApiProblem } from './api.js';
import { me, startEarly } from './shell.js';
import { SETTINGS, STATUS, fillTargets, readTargets, showProblem } from './tickets-common.js';

const form = document.getElementById('settings-form');
const formError = document.getElementById('form-error');
const formStatus = document.getElementById('form-status');
const rows = document.getElementById('statuses-rows');
const rowTemplate = document.getElementById('status-row');
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
// Fields with an input of their own, and those whose message goes to a line above their part.
const FIELDS = ['request_types', 'business_hours.time_zone', 'business_hours.holidays', 'reopen_days', 'attachment_max_mb'];
const LINES = ['statuses', 'client_statuses', 'business_hours.days', 'targets'];
// The portal's own statuses it moves tickets to: renamable, never retired.
const KEPT = new Set(['new', 'in_progress', 'waiting_for_approval', 'resolved', 'closed']);
let version = 0;
const zone = form.elements['business_hours.time_zone'];
zone.setAttribute('list', 'time-zones');
for (const name of Intl.supportedValuesOf?.('timeZone') ?? []) {
  document.getElementById('time-zones').append(Object.assign(document.createElement('option'), { value: name }));
}

// One status's row: a built-in one shows what it is; the MSP's own choose what they count as.
function statusRow(status, clients) {
  const row = rowTemplate.content.firstElementChild.cloneNode(true);
  const part = (name) => row.querySelector(`[data-s="${name}"]`);
  const builtin = !status.id.startsWith('x-');
  row.dataset.id = status.id;
  part('name').value = status.name;
  part('name').setAttribute('aria-label', `Name of status ${status.name || 'new'}`);
  part('stage').value = status.stage;
  part('stage').hidden = builtin;
  part('stage').setAttribute('aria-label', `What ${status.name || 'the new status'} counts as`);
  part('stage-fixed').textContent = builtin ? `${STATUS[status.stage]} (built in)` : '';
  part('clients').checked = clients;
  part('clients').disabled = status.stage === 'waiting_for_approval';
  part('retired').checked = Boolean(status.retired);
  part('retired').disabled = builtin && KEPT.has(status.id);
  part('remove').hidden = builtin;
  for (const [name, label] of [['clients', 'Clients may set'], ['retired', 'Retired'], ['up', 'Move up'], ['down', 'Move down'], ['remove', 'Remove']]) {
    part(name).setAttribute('aria-label', `${label}: ${status.name || 'new status'}`);
  }
  part('up').addEventListener('click', () => {
    if (row.previousElementSibling) row.previousElementSibling.before(row);
    part('up').focus();
  });
  part('down').addEventListener('click', () => {
    if (row.nextElementSibling) row.nextElementSibling.after(row);
    part('down').focus();
  });
  part('remove').addEventListener('click', () => {
    (row.nextElementSibling || row.previousElementSibling)?.querySelector('input')?.focus();
    row.remove();
  });
  return row;
}

// An id for a status of the MSP's own, from its name (ids never change once saved).
function newId(name) {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 30);
  return `x-${slug || 'status'}-${Math.random().toString(16).slice(2, 6)}`;
}

document.getElementById('add-status').addEventListener('click', () => {
  const row = statusRow({ id: 'x-new', name: '', stage: 'in_progress' }, false);
  row.dataset.id = '';
  rows.append(row);
  row.querySelector('[data-s="name"]').focus();
});

function show(settings) {
  version = settings.version;
  form.elements.request_types.value = settings.request_types.join('\n');
  rows.replaceChildren(...settings.statuses.map((s) => statusRow(s, settings.client_statuses.includes(s.id))));
  const bh = settings.business_hours;
  zone.value = bh.time_zone;
  for (const day of DAYS) {
    const open = bh.days.find((d) => d.day === day);
    document.getElementById(`open-${day}`).checked = Boolean(open);
    document.getElementById(`opens-${day}`).value = open?.opens ?? '08:00';
    document.getElementById(`closes-${day}`).value = open?.closes === '24:00' ? '23:59' : open?.closes ?? '17:00';
  }
  form.elements['business_hours.holidays'].value = bh.holidays.map((h) => `${h.date} ${h.name}`).join('\n');
  fillTargets('', settings.targets);
  form.elements.reopen_days.value = settings.reopen_days;
  form.elements.attachment_max_mb.value = settings.attachment_max_mb;
}

function body() {
  const statuses = [];
  const clients = [];
  for (const row of rows.children) {
    const part = (name) => row.querySelector(`[data-s="${name}"]`);
    const name = part('name').value;
    if (!row.dataset.id) row.dataset.id = newId(name);
    const builtin = !row.dataset.id.startsWith('x-');
    statuses.push({
      id: row.dataset.id,
      name,
      stage: builtin ? row.dataset.id : part('stage').value,
      retired: part('retired').checked,
    });
    if (part('clients').checked) clients.push(row.dataset.id);
  }
  const days = DAYS.filter((day) => document.getElementById(`open-${day}`).checked).map((day) => {
    const closes = document.getElementById(`closes-${day}`).value;
    return { day, opens: document.getElementById(`opens-${day}`).value, closes: closes === '23:59' ? '24:00' : closes };
  });
  const holidays = form.elements['business_hours.holidays'].value.split('\n').map((l) => l.trim()).filter(Boolean)
    .map((line) => {
      const [date, ...name] = line.split(/\s+/);
      return { date, name: name.join(' ') || 'Holiday' };
    });
  return {
    request_types: form.elements.request_types.value.split('\n'),
    statuses,
    client_statuses: clients,
    business_hours: { time_zone: zone.value, days, holidays },
    targets: readTargets(''),
    reopen_days: Number(form.elements.reopen_days.value),
    attachment_max_mb: Number(form.elements.attachment_max_mb.value),
    version,
  };
}

function showErrors(fields) {
  for (const name of FIELDS) {
    const message = fields[name] || '';
    document.getElementById(`${name}-error`).textContent = message;
    if (message) form.elements[name].setAttribute('aria-invalid', 'true');
    else form.elements[name].removeAttribute('aria-invalid');
  }
  for (const name of LINES) document.getElementById(`${name}-error`).textContent = fields[name] || '';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  formError.textContent = '';
  formStatus.textContent = '';
  form.setAttribute('aria-busy', 'true');
  try {
    show(await authed(SETTINGS, { method: 'PUT', body: body() }));
    showErrors({});
    formStatus.textContent = 'Settings saved.';
  } catch (err) {
    const problem = err instanceof ApiProblem ? err : new ApiProblem(0, { title: String(err) });
    showErrors(problem.fields);
    formError.textContent = problem.problem.detail ? `${problem.message}. ${problem.problem.detail}` : problem.message;
    const first = FIELDS.find((f) => problem.fields[f]);
    if (first) form.elements[first].focus();
    else {
      // A part's message: to its first control.
      const part = { statuses: '#statuses-rows input', client_statuses: '#statuses-rows [data-s="clients"]', 'business_hours.days': '#hours-table input', targets: '#targets-table input' };
      const line = LINES.find((f) => problem.fields[f]);
      if (line) document.querySelector(part[line])?.focus();
    }
  } finally {
    form.setAttribute('aria-busy', 'false');
  }
});

startEarly(() => [SETTINGS]);

me.then(async () => {
  try {
    show(await authed(SETTINGS));
  } catch (err) {
    formError.textContent = err.message;
  } finally {
    form.setAttribute('aria-busy', 'false');
  }
});

// The configuration types: one per line, saved over the version read.
const types = document.getElementById('types-form');
const typesError = document.getElementById('types-form-error');
const typesStatus = document.getElementById('types-status');
let typesVersion = 0;
function showTypes(list) {
  typesVersion = list.version;
  types.elements.types.value = list.types.join('\n');
  types.setAttribute('aria-busy', 'false');
}
me.then(async () => showTypes(await authed('/api/configuration-types')));
types.addEventListener('submit', async (event) => {
  event.preventDefault();
  typesError.textContent = '';
  typesStatus.textContent = '';
  try {
    showTypes(await authed('/api/configuration-types', { method: 'PUT', body: { types: types.elements.types.value.split('\n'), version: typesVersion } }));
    typesStatus.textContent = 'Types saved.';
  } catch (err) {
    showProblem(types, typesError, err);
  }
});
