// The sign-in form.
import { api, ApiProblem, forgetMe } from './api.js';
import { whileBusy } from './forms.js';
import { THEME_UNSAVED } from './theme.js';
import { getPasskey, passkeyTrouble, passkeysSupported } from './webauthn.js';

// Whoever signs in next, nothing is guessed from the one before, and no theme is saved for them.
forgetMe();
localStorage.removeItem(THEME_UNSAVED);

const form = document.getElementById('login-form');
const formError = document.getElementById('form-error');

function showFieldErrors(fields) {
  for (const name of ['email', 'password']) {
    const input = form.elements[name];
    const message = fields[name] || '';
    document.getElementById(`${name}-error`).textContent = message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

// Where to go after signing in: `?next=` resolved as the browser will resolve it (which turns
// `/\evil.example` and `/<tab>/evil.example` into another host), and only if it stays on this
// origin: never an open redirect.
function nextPage() {
  const next = new URLSearchParams(location.search).get('next') || '/';
  let url;
  try {
    url = new URL(next, location.origin);
  } catch {
    return '/';
  }
  return url.origin === location.origin ? url.pathname + url.search + url.hash : '/';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  formError.textContent = '';
  const email = form.elements.email.value.trim();
  const password = form.elements.password.value;
  const missing = {};
  if (!email) missing.email = 'Enter your email address';
  if (!password) missing.password = 'Enter your password';
  showFieldErrors(missing);
  if (Object.keys(missing).length) {
    formError.textContent = 'Enter your email address and password.';
    form.elements[missing.email ? 'email' : 'password'].focus();
    return;
  }
  await whileBusy(form.querySelector('button[type="submit"]'), async () => {
    try {
      const answer = await api('/api/auth/login', { method: 'POST', body: { email, password, remember: form.elements.remember.checked } });
      if (answer?.mfa_required) {
        askForCode(answer.challenge, answer.factors);
        return;
      }
      location.assign(nextPage());
    } catch (err) {
      const problem = err instanceof ApiProblem ? err : new ApiProblem(0, { title: String(err) });
      showFieldErrors(problem.fields);
      formError.textContent = problem.problem.detail ? `${problem.message}. ${problem.problem.detail}` : problem.message;
      form.elements.password.value = '';
      form.elements.password.focus();
    }
  });
});

// The second step: a code from the authenticator app, or a recovery code.
const mfaForm = document.getElementById('mfa-form');
let challenge = null;

// `factors`: what the user has (`code`, `passkey`); challenges from a provider do not say, and
// offer both.
function askForCode(token, factors = ['code', 'passkey']) {
  challenge = token;
  form.hidden = true;
  document.getElementById('passkey-way').hidden = true;
  mfaForm.hidden = false;
  formError.textContent = '';
  const byPasskey = factors.includes('passkey') && passkeysSupported();
  const byCode = factors.includes('code') || !byPasskey;
  document.getElementById('mfa-passkey-way').hidden = !byPasskey;
  document.getElementById('mfa-code-way').hidden = !byCode;
  if (byCode) mfaForm.elements.code.focus();
  else document.getElementById('mfa-passkey').focus();
}

// Show a problem from a step of signing in; the first step again if the sign-in expired.
function signInProblem(err) {
  const trouble = passkeyTrouble(err);
  if (trouble) {
    formError.textContent = trouble;
    return;
  }
  const problem = err instanceof ApiProblem ? err : new ApiProblem(0, { title: String(err) });
  if (problem.problem.type === '/problems/challenge-expired' && !mfaForm.hidden) {
    mfaForm.hidden = true;
    form.hidden = false;
    form.elements.password.value = '';
    form.elements.password.focus();
  }
  formError.textContent = problem.problem.detail ? `${problem.message}. ${problem.problem.detail}` : problem.message;
}

// Signing in with a passkey: no email, the browser offers the passkeys it has for the portal.
if (passkeysSupported()) {
  document.getElementById('passkey-way').hidden = false;
  const button = document.getElementById('passkey-sign-in');
  button.addEventListener('click', () => whileBusy(button, async () => {
    formError.textContent = '';
    try {
      const started = await api('/api/auth/passkey/options', { method: 'POST', body: {} });
      const credential = await getPasskey(started.options);
      await api('/api/auth/passkey', {
        method: 'POST',
        body: { ceremony: started.ceremony, credential, remember: form.elements.remember.checked },
      });
      location.assign(nextPage());
    } catch (err) {
      signInProblem(err);
    }
  }));
}

// The second step with a passkey.
const mfaPasskey = document.getElementById('mfa-passkey');
mfaPasskey.addEventListener('click', () => whileBusy(mfaPasskey, async () => {
  formError.textContent = '';
  try {
    const started = await api('/api/auth/login/mfa/passkey/options', { method: 'POST', body: { challenge } });
    const credential = await getPasskey(started.options);
    await api('/api/auth/login/mfa/passkey', { method: 'POST', body: { challenge, ceremony: started.ceremony, credential } });
    location.assign(nextPage());
  } catch (err) {
    signInProblem(err);
  }
}));

mfaForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  formError.textContent = '';
  const raw = mfaForm.elements.code.value.trim();
  const slot = document.getElementById('code-error');
  if (!raw) {
    slot.textContent = 'Enter the code';
    mfaForm.elements.code.setAttribute('aria-invalid', 'true');
    mfaForm.elements.code.focus();
    return;
  }
  const digits = raw.replace(/\s/g, '');
  const body = /^\d{6}$/.test(digits) ? { challenge, code: digits } : { challenge, recovery_code: raw };
  await whileBusy(mfaForm.querySelector('button[type="submit"]'), async () => {
    try {
      await api('/api/auth/login/mfa', { method: 'POST', body });
      location.assign(nextPage());
    } catch (err) {
      slot.textContent = '';
      signInProblem(err);
      if (!mfaForm.hidden) {
        mfaForm.elements.code.value = '';
        mfaForm.elements.code.setAttribute('aria-invalid', 'true');
        mfaForm.elements.code.focus();
      }
    }
  });
});

// Signing in with Microsoft or Google: the buttons of the providers the portal has, each taking
// "Keep me signed in" and where to go next along.
const sso = document.getElementById('sso');
api('/api/auth/providers').then((answer) => {
  for (const provider of answer?.providers ?? []) {
    const link = document.getElementById(`sso-${provider}`);
    if (!link) continue;
    link.hidden = false;
    sso.hidden = false;
    link.addEventListener('click', () => {
      const query = new URLSearchParams({ remember: String(form.elements.remember.checked) });
      const next = nextPage();
      if (next !== '/') query.set('next', next);
      link.href = `/api/auth/sso/${provider}?${query}`;
    });
  }
}).catch(() => {});

// Back from a provider: why it did not sign you in, or the portal's own second step.
const SSO_PROBLEMS = {
  expired: 'That sign-in took too long or was already used. Please try again.',
  cancelled: 'Signing in was cancelled.',
  refused: 'Microsoft or Google could not confirm who you are. Try again, or sign in with your email and password.',
  unavailable: 'Microsoft or Google could not be reached. Try again in a moment.',
  'no-user': 'No active portal user has that address. Ask your company\'s administrator to invite you.',
  'method-off': 'Your company does not sign in that way. Use one of the other ways to sign in.',
  'tenant-not-linked': 'Your Microsoft organisation is not linked to a company in this portal. Ask your company\'s administrator to link it in the sign-in settings.',
};
const ssoProblem = new URLSearchParams(location.search).get('sso');
if (ssoProblem) formError.textContent = SSO_PROBLEMS[ssoProblem] || SSO_PROBLEMS.refused;
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.has('mfa')) {
  // The challenge leaves the address bar (and the history) at once.
  history.replaceState(null, '', location.pathname + location.search);
  askForCode(fragment.get('mfa'));
}

// Back here after signing out: say so.
if (new URLSearchParams(location.search).has('signed-out')) {
  document.getElementById('signed-out').textContent = 'You have signed out.';
}
