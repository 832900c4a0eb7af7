// Ask for access: the answer is the same whatever the address (no one learns from it whether a
// company uses the portal).
import { answeringForm } from './forms.js';
import './theme.js';

const form = document.getElementById('access-form');
answeringForm(form, document.getElementById('form-error'), document.getElementById('sent'), '/api/auth/access-request',
  () => ({ email: form.elements.email.value.trim(), name: form.elements.name.value.trim() }));
