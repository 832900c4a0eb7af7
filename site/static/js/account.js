// My account: profile and preferences, password, two-factor authentication, sessions.
import { authed } from './api.js';
import { me, saveTheme, startEarly } from './shell.js';
import { clearBeside, problemBeside, showProblem, when, whileBusy } from './forms.js';
import { paginatedTable } from './list.js';
import './account-passkeys.js';

const $ = (id) => document.getElementById(id);

// Run `action` with `button` busy; show a problem on `form`, or `done` in `status`.
function submit(form, status, action, done) {
  status.textContent = '';
  return whileBusy(form.querySelector('button[type="submit"]'), async () => {
    try {
      await action();
      showProblem(form, status, { message: '' });
      status.textContent = done;
    } catch (err) {
      showProblem(form, status, err);
    }
  });
}

// The email preferences, as the profile form's checkboxes name them.
const NOTIFY = ['ticket_confirmations', 'ticket_replies', 'status_changes', 'invoices', 'project_updates', 'expiry_digest', 'executive_report'];

function fillProfile(data) {
  const form = $('profile-form');
  form.elements.first_name.value = data.user.first_name;
  form.elements.last_name.value = data.user.last_name;
  form.elements.phone.value = data.user.phone;
  form.elements.phone_ext.value = data.user.phone_ext;
  form.elements.mobile.value = data.user.mobile;
  form.elements.theme.value = data.user.theme;
  for (const key of NOTIFY) form.elements[key].checked = data.user.notify[key];
}

$('profile-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const e = form.elements;
  submit(form, $('profile-status'), async () => {
    const data = await authed('/api/me', {
      method: 'PATCH',
      body: {
        first_name: e.first_name.value, last_name: e.last_name.value,
        phone: e.phone.value, phone_ext: e.phone_ext.value, mobile: e.mobile.value, theme: e.theme.value,
        notify: Object.fromEntries(NOTIFY.map((key) => [key, e[key].checked])),
      },
    });
    await saveTheme(data.user.theme);
    fillProfile(data);
  }, 'Profile saved.');
});

$('email-change').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  let sentTo = '';
  submit(form, $('email-status'), async () => {
    try {
      sentTo = (await authed('/api/me/email', {
        method: 'POST',
        body: { email: form.elements.email.value, current_password: form.elements.email_password.value },
      })).sent_to;
    } catch (err) {
      // The password field is named for this form; the API calls it current_password.
      for (const e of err.problem?.errors ?? []) if (e.field === 'current_password') e.field = 'email_password';
      throw err;
    }
    form.reset();
  }, 'Sent.').then(() => {
    if (sentTo) $('email-status').textContent = `We sent a link to ${sentTo}. Open it to finish: until then you sign in as before.`;
  });
});

$('password-change').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  submit(form, $('password-status'), async () => {
    await authed('/api/me/password', {
      method: 'POST',
      body: { current_password: form.elements.current_password.value, new_password: form.elements.new_password.value },
    });
    form.reset();
    sessions?.reload();
  }, 'Password changed. You were signed out everywhere else.');
});

// Two-factor authentication.
function showMfa(data) {
  const on = data.user.mfa_enabled;
  $('mfa-state').textContent = on
    ? 'On: signing in asks for a code from your authenticator app.'
    : data.company.mfa_required
      ? 'Off. Your organisation requires it: set it up now.'
      : 'Off. Turn it on to protect your account with a code from your phone as well as your password.';
  $('mfa-start').hidden = on;
  $('mfa-disable').hidden = !on || data.company.mfa_required;
  $('mfa-renew').hidden = !on;
  $('enrol-notice').hidden = !data.user.must_enrol_mfa;
}

$('mfa-start').addEventListener('click', async () => {
  $('mfa-status').textContent = '';
  try {
    const enrolment = await authed('/api/me/mfa', { method: 'POST' });
    const svg = new DOMParser().parseFromString(enrolment.qr_svg, 'image/svg+xml').documentElement;
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    $('mfa-qr').replaceChildren(document.importNode(svg, true));
    $('mfa-secret').textContent = enrolment.secret.replace(/(.{4})/g, '$1 ').trim();
    $('mfa-start').hidden = true;
    $('mfa-enrol').hidden = false;
    $('mfa-code').focus();
  } catch (err) {
    $('mfa-status').textContent = err.message;
  }
});

$('mfa-confirm').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  submit(form, $('mfa-status'), async () => {
    let done;
    try {
      done = await authed('/api/me/mfa/confirm', { method: 'POST', body: { code: form.elements.code.value.replace(/\s/g, '') } });
    } catch (err) {
      // A wrong code is said at the code field; the set-up (QR code, key) stays for another try.
      if (err.problem?.type === '/problems/invalid-code') err.problem.errors = [{ field: 'code', message: `${err.message}. Enter the code your app shows now.` }];
      throw err;
    }
    $('mfa-enrol').hidden = true;
    showCodes(done.recovery_codes, 'Two-factor authentication is on.');
    showMfa(await authed('/api/me'));
  }, '');
});

// Recovery codes, shown once: after enrolment and when new ones replace the old.
function showCodes(codes, lead) {
  $('codes-lead').textContent = lead;
  $('codes-status').textContent = '';
  $('mfa-code-list').replaceChildren(...codes.map((code) => {
    const li = document.createElement('li');
    li.textContent = code;
    return li;
  }));
  $('mfa-codes').hidden = false;
}

// The recovery codes, kept where the user chooses: a text file or the clipboard.
function codesText() {
  const codes = [...$('mfa-code-list').children].map((li) => li.textContent);
  return [
    `Recovery codes for ${document.querySelector('[data-me="email"]').textContent} on ${location.host}`,
    'Each signs you in once instead of a code from your authenticator app.',
    '',
    ...codes,
    '',
  ].join('\n');
}

$('codes-download').addEventListener('click', () => {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([codesText()], { type: 'text/plain' }));
  link.download = `recovery-codes-${location.hostname}.txt`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
});

$('codes-copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(codesText());
    $('codes-status').textContent = 'Copied. Paste them into your password manager.';
  } catch {
    $('codes-status').textContent = 'Copying is not allowed here: download them or write them down.';
  }
});

// POST the password and code of `form`'s fields `password` and `code` to `path`. The API names
// them current_password and code; a refusal is said at this form's own fields (a wrong code is a
// 401 with no field).
async function withProof(path, form, password, code) {
  try {
    return await authed(path, {
      method: 'POST',
      body: { current_password: form.elements[password].value, code: form.elements[code].value.replace(/\s/g, '') },
    });
  } catch (err) {
    if (err.fields?.current_password) err.problem.errors = [{ field: password, message: err.fields.current_password }];
    else if (err.status === 401) err.problem.errors = [{ field: code, message: err.message }];
    throw err;
  }
}

$('mfa-new-codes').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  submit(form, $('mfa-status'), async () => {
    const done = await withProof('/api/me/mfa/recovery-codes', form, 'codes_password', 'codes_code');
    form.reset();
    $('mfa-renew').open = false;
    showCodes(done.recovery_codes, 'New recovery codes made: the old ones no longer work.');
    $('codes-download').focus();
  }, '');
});

$('mfa-disable').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  submit(form, $('mfa-status'), async () => {
    await withProof('/api/me/mfa/disable', form, 'disable_password', 'disable_code');
    form.reset();
    $('mfa-codes').hidden = true;
    showMfa(await authed('/api/me'));
  }, 'Two-factor authentication is off.');
});

// Sessions.
let sessions = null;
function browserName(ua) {
  if (!ua) return 'Unknown';
  const match = /(Edg|Firefox|Chrome|Safari)\/[\d.]+/.exec(ua);
  const os = /(Windows|Mac OS X|Android|iPhone|iPad|Linux)/.exec(ua);
  return [match ? match[1].replace('Edg', 'Edge') : 'Browser', os ? `on ${os[1].replace('Mac OS X', 'macOS')}` : ''].join(' ').trim();
}

$('end-others').addEventListener('click', async () => {
  $('sessions-status').textContent = '';
  try {
    await authed('/api/me/sessions/end-others', { method: 'POST' });
    $('sessions-status').textContent = 'You are now signed out everywhere else.';
    sessions.reload();
  } catch (err) {
    $('sessions-status').textContent = err.message;
  }
});

startEarly((data) => [!data.user.must_enrol_mfa && '/api/me/sessions']);

me.then((data) => {
  fillProfile(data);
  showMfa(data);
  if (data.user.must_enrol_mfa) {
    $('mfa-start').focus();
    return;
  }
  sessions = paginatedTable({
    id: 'sessions',
    url: '/api/me/sessions',
    cells: (s) => ({ started: when(s.started_at), seen: s.remember ? `${when(s.last_seen_at)} (remembered)` : when(s.last_seen_at), ip: s.source_ip || 'Unknown', browser: browserName(s.user_agent), current: s.current ? 'Yes' : '' }),
    // Each other session can be ended on its own.
    decorate: (row, s) => {
      if (s.current) return;
      const end = document.createElement('button');
      end.type = 'button';
      end.className = 'secondary compact';
      end.textContent = 'Sign out';
      end.setAttribute('aria-label', `Sign out the ${browserName(s.user_agent)} session from ${when(s.started_at)}`);
      end.addEventListener('click', () => whileBusy(end, async () => {
        clearBeside(end);
        try {
          await authed(`/api/me/sessions/${encodeURIComponent(s.id)}`, { method: 'DELETE' });
          $('sessions-status').textContent = `That ${browserName(s.user_agent)} session is signed out.`;
          sessions.reload();
        } catch (err) {
          problemBeside(end, err.message);
        }
      }));
      row.querySelector('[data-field="end"]').append(end);
    },
  });
});
