// The page a reset or invitation link opens: the token is in the fragment (never sent to a server
// by the browser), the form sets the password with it.
import { api } from './api.js';
import { showProblem, whileBusy } from './forms.js';
import './theme.js';

export function setPasswordPage({ path, done }) {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  // Keep the token out of the address bar (and out of screenshots and history).
  history.replaceState(null, '', location.pathname);
  const form = document.getElementById('password-form');
  const error = document.getElementById('form-error');
  if (!token) {
    error.textContent = 'This link is incomplete. Open it again from your email, or ask for a new one.';
    form.hidden = true;
    return null;
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const password = form.elements.password.value;
    const confirm = form.elements.confirm.value;
    const confirmError = document.getElementById('confirm-error');
    confirmError.textContent = '';
    form.elements.confirm.removeAttribute('aria-invalid');
    if (password !== confirm) {
      error.textContent = 'Please correct the fields marked below.';
      confirmError.textContent = 'The two passwords differ';
      form.elements.confirm.setAttribute('aria-invalid', 'true');
      form.elements.confirm.focus();
      return;
    }
    await whileBusy(form.querySelector('button[type="submit"]'), async () => {
      try {
        await api(path, { method: 'POST', body: { token, password } });
        form.hidden = true;
        error.textContent = '';
        document.getElementById('done-text').textContent = done;
        const box = document.getElementById('done');
        box.hidden = false;
        box.querySelector('a').focus();
      } catch (err) {
        showProblem(form, error, err);
        if (err.problem?.type === '/problems/invalid-token') form.hidden = true;
      }
    });
  });
  return token;
}
