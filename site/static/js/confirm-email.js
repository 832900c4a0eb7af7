// The page a link confirming a new login email opens: the token is in the fragment (never sent to
// a server by the browser); it is confirmed at once, and the page says what happened.
import { api } from './api.js';
import './theme.js';

const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
// Keep the token out of the address bar (and out of screenshots and history).
history.replaceState(null, '', location.pathname);
const error = document.getElementById('form-error');
const card = document.getElementById('confirm');

async function confirm() {
  if (!token) {
    error.textContent = 'This link is incomplete. Open it again from your email.';
    return;
  }
  try {
    await api('/api/auth/email-change/confirm', { method: 'POST', body: { token } });
    document.getElementById('done').hidden = false;
    document.querySelector('#done a').focus();
  } catch (err) {
    error.textContent = err.problem?.type === '/problems/invalid-token'
      ? 'This link does not work any more: it was used already, or it expired after 24 hours. Ask for a new one on your account page.'
      : err.message;
  }
}

confirm().finally(() => card.setAttribute('aria-busy', 'false'));
