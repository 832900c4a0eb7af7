// My account's passkeys: the list (name, added, last used), adding one with the browser's own
// dialog, renaming and removing them.
import { ApiProblem, authed } from './api.js';
import { me } from './shell.js';
import { clearBeside, problemBeside, renamed, showProblem, when, whileBusy } from './forms.js';
import { confirmAction } from './confirm.js';
import { createPasskey, passkeyTrouble, passkeysSupported } from './webauthn.js';

const $ = (id) => document.getElementById(id);
const status = $('passkeys-status');

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function button(text, label, action) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'secondary compact';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', () => whileBusy(b, async () => {
    clearBeside(b);
    try {
      await action(b);
    } catch (err) {
      problemBeside(b, err.message);
    }
  }));
  return b;
}

// The name cell as a small form, to rename `p`.
function renameForm(nameCell, p) {
  const form = document.createElement('form');
  form.className = 'inline';
  form.noValidate = true;
  const label = document.createElement('label');
  label.className = 'visually-hidden';
  label.htmlFor = `rename-${p.id}`;
  label.textContent = `New name for ${p.name}`;
  const input = document.createElement('input');
  input.id = `rename-${p.id}`;
  input.maxLength = 60;
  input.value = p.name;
  const save = document.createElement('button');
  save.type = 'submit';
  save.className = 'compact';
  save.textContent = 'Save';
  form.append(label, input, save);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    whileBusy(save, async () => {
      clearBeside(input);
      try {
        await authed(`/api/me/passkeys/${encodeURIComponent(p.id)}`, { method: 'PATCH', body: { name: input.value } });
        status.textContent = `Renamed to ${input.value.trim()}.`;
        await show();
      } catch (err) {
        problemBeside(input, err.fields?.name || err.message);
        input.focus();
      }
    });
  });
  nameCell.replaceChildren(form);
  input.focus();
}

async function show() {
  const { items } = await authed('/api/me/passkeys');
  const body = $('passkeys').tBodies[0];
  body.replaceChildren(...items.map((p) => {
    const row = document.createElement('tr');
    const name = cell(p.name);
    const actions = document.createElement('td');
    actions.append(
      button('Rename', `Rename ${p.name}`, async () => renameForm(name, p)),
      ' ',
      button('Remove', `Remove ${p.name}`, async () => {
        const sure = await confirmAction({
          title: `Remove ${p.name}?`,
          text: 'You will no longer be able to sign in with it. Remove it from the device or password manager too.',
          yes: 'Remove passkey',
          danger: true,
        });
        if (!sure) return;
        await authed(`/api/me/passkeys/${encodeURIComponent(p.id)}`, { method: 'DELETE' });
        status.textContent = `${p.name} was removed.`;
        await show();
      }),
    );
    row.append(name, cell(when(p.created_at)), cell(p.last_used_at ? when(p.last_used_at) : 'Never'), actions);
    return row;
  }));
  $('passkeys').closest('.table-scroll').hidden = items.length === 0;
  $('passkeys-none').hidden = items.length > 0;
}

$('passkey-add').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  status.textContent = '';
  whileBusy(form.querySelector('button[type="submit"]'), async () => {
    try {
      const name = form.elements.passkey_name.value.trim();
      if (!name) {
        throw new ApiProblem(422, { title: 'Give the passkey a name', errors: [{ field: 'name', message: 'Give the passkey a name' }] });
      }
      const started = await authed('/api/me/passkeys/options', { method: 'POST', body: {} });
      const credential = await createPasskey(started.options);
      await authed('/api/me/passkeys', { method: 'POST', body: { ceremony: started.ceremony, credential, name } });
      form.reset();
      showProblem(form, status, { message: '' });
      status.textContent = `Passkey ${name} added: you can sign in with it now.`;
      await show();
    } catch (err) {
      const trouble = passkeyTrouble(err);
      if (trouble) status.textContent = trouble;
      else showProblem(form, status, err instanceof ApiProblem ? renamed(err, { name: 'passkey_name' }) : err);
    }
  });
});

me.then(async () => {
  $('passkey-add').hidden = !passkeysSupported();
  $('passkeys-unsupported').hidden = passkeysSupported();
  await show();
}).catch(() => {});
