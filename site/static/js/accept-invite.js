// Accept an invitation: see who it is for, choose a password, then sign in.
import { api } from './api.js';
import { setPasswordPage } from './set-password.js';

const token = setPasswordPage({
  path: '/api/auth/invitation/accept',
  done: 'Your account is ready. Sign in with your email address and the password you chose.',
});

if (token) {
  api('/api/auth/invitation', { method: 'POST', body: { token } })
    .then((invite) => {
      document.getElementById('title').textContent = `Welcome, ${invite.name}`;
      document.getElementById('intro').textContent =
        `Choose a password for ${invite.email} to finish setting up your ${invite.company_name} portal account.`;
    })
    .catch((err) => {
      document.getElementById('form-error').textContent = `${err.message}. ${err.problem?.detail ?? ''}`;
      document.getElementById('password-form').hidden = true;
    });
}
