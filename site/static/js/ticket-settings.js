// Settings (MSP admins): request types, statuses clients may set, reopen window, size limit; and
// the list of configuration types.
import { authed, ApiProblem } from './api.js';
import { me, startEarly } from './shell.js';
import { SETTINGS, showProblem } from './tickets-common.js';

const form = document.getElementById('settings-form');
const formError = document.getElementById('form-error');
const formStatus = document.getElementById('form-status');
const FIELDS = ['request_types', 'reopen_days', 'attachment_max_mb'];
let version = 0;

function show(settings) {
  version = settings.version;
  form.elements.request_types.value = settings.request_types.join('\n');
  for (const box of form.querySelectorAll('input[name="client_statuses"]')) {
    box.checked = settings.client_statuses.includes(box.value);
  }
  form.elements.reopen_days.value = settings.reopen_days;
  form.elements.attachment_max_mb.value = settings.attachment_max_mb;
}

function showErrors(fields) {
  for (const name of FIELDS) {
    const message = fields[name] || '';
    document.getElementById(`${name}-error`).textContent = message;
    if (message) form.elements[name].setAttribute('aria-invalid', 'true');
    else form.elements[name].removeAttribute('aria-invalid');
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  formError.textContent = '';
  formStatus.textContent = '';
  const body = {
    request_types: form.elements.request_types.value.split('\n'),
    client_statuses: [...form.querySelectorAll('input[name="client_statuses"]:checked')].map((b) => b.value),
    reopen_days: Number(form.elements.reopen_days.value),
    attachment_max_mb: Number(form.elements.attachment_max_mb.value),
    version,
  };
  form.setAttribute('aria-busy', 'true');
  try {
    show(await authed(SETTINGS, { method: 'PUT', body }));
    showErrors({});
    formStatus.textContent = 'Settings saved.';
  } catch (err) {
    const problem = err instanceof ApiProblem ? err : new ApiProblem(0, { title: String(err) });
    showErrors(problem.fields);
    formError.textContent = problem.problem.detail ? `${problem.message}. ${problem.problem.detail}` : problem.message;
    const first = FIELDS.find((f) => problem.fields[f]);
    if (first) form.elements[first].focus();
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
