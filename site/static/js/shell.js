// The signed-in shell: who am I, what may I see, the user menu (theme and sign-out).
import { api, authed } from './api.js';
import { applyTheme, storedTheme } from './theme.js';

function fill(me) {
  for (const el of document.querySelectorAll('[data-me]')) {
    const value = { name: me.user.name, email: me.user.email, company: me.company.name, role: me.user.role_label }[el.dataset.me];
    el.textContent = value ?? '';
  }
  const allowed = new Set(me.capabilities);
  for (const el of document.querySelectorAll('[data-capability]')) {
    el.hidden = !el.dataset.capability.split(' ').some((c) => allowed.has(c));
  }
}

function wireMenu() {
  const current = storedTheme();
  for (const radio of document.querySelectorAll('input[name="theme"]')) {
    radio.checked = radio.value === current;
    radio.addEventListener('change', () => applyTheme(radio.value));
  }
  document.getElementById('sign-out')?.addEventListener('click', async () => {
    try {
      await api('/api/auth/logout', { method: 'POST' });
    } finally {
      location.assign('/login/');
    }
  });
}

wireMenu();

// Resolves with GET /api/me once the page knows who is signed in.
export const me = authed('/api/me').then((data) => {
  fill(data);
  return data;
});
