// Ticket settings (MSP admins): request types, statuses clients may set, reopen window, size limit.
import { authed, ApiProblem } from './api.js';
import { me, startEarly } from './shell.js';
import { SETTINGS } from './tickets-common.js';

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
