// Sign-in settings: a company's ways of signing in, linked Microsoft tenants and Google
// Workspace domains, just-in-time access and its role, trusting the provider's MFA. The signed-in
// Full Admin's own company, or ?company= for MSP admins.
import { authed, ApiProblem } from './api.js';
import { me, startEarly } from './shell.js';
import { showProblem } from './forms.js';

const form = document.getElementById('settings-form');
const formError = document.getElementById('form-error');
const formStatus = document.getElementById('form-status');
const asked = new URLSearchParams(location.search).get('company');
const companyPath = (id) => `/api/companies/${encodeURIComponent(id)}`;
let path = null;
let version = 0;

const lines = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);

function show(settings) {
  version = settings.version;
  for (const box of form.querySelectorAll('input[name="sign_in_methods"]')) {
    box.checked = settings.sign_in_methods.includes(box.value);
  }
  form.elements.microsoft_tenants.value = settings.microsoft_tenants.join('\n');
  form.elements.domains.value = settings.domains.join('\n');
  form.elements.just_in_time.checked = settings.just_in_time;
  form.elements.default_role.value = settings.default_role;
  form.elements.trust_provider_mfa.checked = settings.trust_provider_mfa;
  form.elements.phishing_resistant.checked = settings.phishing_resistant;
  form.elements.access_requests.checked = settings.access_requests;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  formStatus.textContent = '';
  const body = {
    sign_in_methods: [...form.querySelectorAll('input[name="sign_in_methods"]:checked')].map((b) => b.value),
    microsoft_tenants: lines(form.elements.microsoft_tenants.value),
    domains: lines(form.elements.domains.value),
    just_in_time: form.elements.just_in_time.checked,
    default_role: form.elements.default_role.value,
    trust_provider_mfa: form.elements.trust_provider_mfa.checked,
    phishing_resistant: form.elements.phishing_resistant.checked,
    access_requests: form.elements.access_requests.checked,
    version,
  };
  form.setAttribute('aria-busy', 'true');
  try {
    show(await authed(path, { method: 'PUT', body }));
    showProblem(form, formError, new ApiProblem(0, { title: '' }));
    formError.textContent = '';
    formStatus.textContent = 'Sign-in settings saved.';
  } catch (err) {
    showProblem(form, formError, err instanceof ApiProblem ? err : new ApiProblem(0, { title: String(err) }));
    if (err instanceof ApiProblem && err.problem.detail) formError.textContent = `${err.message}. ${err.problem.detail}`;
    // The checkboxes' group takes the focus when it is the one at fault.
    if (err instanceof ApiProblem && err.fields.sign_in_methods) form.querySelector('input[name="sign_in_methods"]').focus();
  } finally {
    form.setAttribute('aria-busy', 'false');
  }
});

startEarly((data) => [`${companyPath(asked || data.company.id)}/sign-in`]);

me.then(async (data) => {
  const id = asked || data.company.id;
  path = `${companyPath(id)}/sign-in`;
  try {
    if (asked && asked !== data.company.id) {
      const company = await authed(companyPath(asked));
      document.getElementById('settings-heading').textContent = `Sign-in settings of ${company.name}`;
      document.getElementById('users-link').href = `/users/?company=${encodeURIComponent(asked)}`;
    }
    show(await authed(path));
  } catch (err) {
    formError.textContent = err.message;
  } finally {
    form.setAttribute('aria-busy', 'false');
  }
});
