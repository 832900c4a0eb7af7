// The signed-in shell: who am I, what may I see, the user menu (theme and sign-out).
import { api, authed } from './api.js';
import { applyTheme, storedTheme } from './theme.js';
import { useTimeZone } from './dates.js';

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

function checkTheme(value) {
  for (const radio of document.querySelectorAll('input[name="theme"]')) radio.checked = radio.value === value;
}

// The theme is kept on the account (any device) and in this browser (no flash on the next page).
export async function saveTheme(value) {
  applyTheme(value);
  checkTheme(value);
  await authed('/api/me', { method: 'PATCH', body: { theme: value } }).catch(() => {});
}

function wireMenu() {
  checkTheme(storedTheme());
  for (const radio of document.querySelectorAll('input[name="theme"]')) {
    radio.addEventListener('change', () => saveTheme(radio.value));
  }
  document.getElementById('sign-out')?.addEventListener('click', async () => {
    try {
      await api('/api/auth/logout', { method: 'POST' });
    } finally {
      location.assign('/login/?signed-out=1');
    }
  });
}

wireMenu();

// Escape closes the user menu wherever the focus is, and gives the focus back to its button.
document.addEventListener('keydown', (event) => {
  const menu = document.getElementById('user-menu');
  if (event.key !== 'Escape' || !menu?.open) return;
  menu.open = false;
  menu.querySelector('summary').focus();
});

// Resolves with GET /api/me once the page knows who is signed in.
export const me = authed('/api/me').then((data) => {
  if (data.user.must_enrol_mfa && location.pathname !== '/account/') {
    location.assign('/account/');
    return new Promise(() => {});
  }
  useTimeZone(data.company.time_zone);
  fill(data);
  if (data.user.theme !== storedTheme()) {
    applyTheme(data.user.theme);
    checkTheme(data.user.theme);
  }
  // A page the role may not use shows one clear state, and its script never runs (`me` never
  // resolves): no controls that would only fail on Save, no API calls that would be refused.
  const requires = document.getElementById('main').dataset.requires;
  if (requires) {
    const allowed = new Set(data.capabilities);
    if (!requires.split(' ').some((c) => allowed.has(c))) {
      document.getElementById('no-access').hidden = false;
      document.title = `No access · ${document.title.split(' · ').pop()}`;
      return new Promise(() => {});
    }
    document.getElementById('page-body').hidden = false;
  }
  return data;
});
