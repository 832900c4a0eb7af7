// Forgot password: ask for a reset link. The answer is the same whether or not the address has an
// account.
import { api } from './api.js';
import { showProblem, whileBusy } from './forms.js';
import './theme.js';

const form = document.getElementById('forgot-form');
const error = document.getElementById('form-error');
const sent = document.getElementById('sent');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  sent.textContent = '';
  const email = form.elements.email.value.trim();
  if (!email) {
    document.getElementById('email-error').textContent = 'Enter your email address';
    form.elements.email.setAttribute('aria-invalid', 'true');
    form.elements.email.focus();
    return;
  }
  await whileBusy(form.querySelector('button[type="submit"]'), async () => {
    try {
      const answer = await api('/api/auth/password-reset', { method: 'POST', body: { email } });
      showProblem(form, error, { message: '' });
      sent.textContent = `${answer.message} Check your inbox (and spam folder); the link works for one hour.`;
    } catch (err) {
      showProblem(form, error, err);
    }
  });
});
