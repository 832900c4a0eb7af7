// Ask for access: the answer is the same whatever the address (no one learns from it whether a
// company uses the portal).
import { api } from './api.js';
import { showProblem, whileBusy } from './forms.js';
import './theme.js';

const form = document.getElementById('access-form');
const error = document.getElementById('form-error');
const sent = document.getElementById('sent');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  sent.textContent = '';
  const body = { email: form.elements.email.value.trim(), name: form.elements.name.value.trim() };
  await whileBusy(form.querySelector('button[type="submit"]'), async () => {
    try {
      const answer = await api('/api/auth/access-request', { method: 'POST', body });
      showProblem(form, error, { message: '' });
      form.reset();
      sent.textContent = answer.message;
    } catch (err) {
      showProblem(form, error, err);
    }
  });
});
