// The signed-in shell: who am I, what may I see, the user menu (theme and sign-out).
import { ME_HINT, api, authed, forgetMe, prefetch } from './api.js';
import { THEME_UNSAVED, applyTheme, storedTheme } from './theme.js';
import { useTimeZone } from './dates.js';

// What /api/me answered on this tab's last page: only a guess at what this page will ask for, to
// start those requests beside /api/me. Pages still wait for /api/me, and the API checks each request.
let lastMe = null;
try {
  lastMe = JSON.parse(sessionStorage.getItem(ME_HINT));
} catch {
  // Unreadable: nothing is guessed.
}

// A page names the capabilities any one of which lets a user use it (`data-requires` on <main>).
function mayUseThisPage(capabilities) {
  const requires = document.getElementById('main').dataset.requires;
  return !requires || requires.split(' ').some((c) => capabilities.includes(c));
}

// `paths(me)` lists the GETs this page will make for that user (falsy entries are skipped); they
// start now when the tab has seen /api/me before (the first page after signing in waits for it).
export function startEarly(paths) {
  if (!lastMe || !mayUseThisPage(lastMe.capabilities)) return;
  for (const path of paths(lastMe)) if (path) prefetch(path);
}

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
// Until the account has it, this browser's choice wins: a page left at once (the saving cut
// short, or /api/me read before it landed) saves it again rather than taking the old one back.
export async function saveTheme(value) {
  applyTheme(value);
  checkTheme(value);
  localStorage.setItem(THEME_UNSAVED, '1');
  try {
    await authed('/api/me', { method: 'PATCH', body: { theme: value } });
    localStorage.removeItem(THEME_UNSAVED);
  } catch {
    // Kept for the next page to try again.
  }
}

function wireMenu() {
  checkTheme(storedTheme());
  for (const radio of document.querySelectorAll('input[name="theme"]')) {
    radio.addEventListener('change', () => saveTheme(radio.value));
  }
  document.getElementById('sign-out')?.addEventListener('click', async () => {
    forgetMe();
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
  sessionStorage.setItem(ME_HINT, JSON.stringify({ capabilities: data.capabilities, company: data.company, user: { must_enrol_mfa: data.user.must_enrol_mfa } }));
  useTimeZone(data.company.time_zone);
  fill(data);
  if (localStorage.getItem(THEME_UNSAVED)) {
    saveTheme(storedTheme());
  } else if (data.user.theme !== storedTheme()) {
    applyTheme(data.user.theme);
    checkTheme(data.user.theme);
  }
  // A page the role may not use shows one clear state, and its script never runs (`me` never
  // resolves): no controls that would only fail on Save, no API calls that would be refused.
  if (!mayUseThisPage(data.capabilities)) {
    document.getElementById('no-access').hidden = false;
    document.title = `No access · ${document.title.split(' · ').pop()}`;
    return new Promise(() => {});
  }
  document.getElementById('page-body')?.removeAttribute('hidden');
  return data;
});
