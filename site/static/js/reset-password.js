// Reset password: choose a new one with the emailed link.
import { setPasswordPage } from './set-password.js';

setPasswordPage({
  path: '/api/auth/password-reset/confirm',
  done: 'Your password is changed, and every other session has ended. Sign in with the new password.',
});
