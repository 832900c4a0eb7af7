// The sign-off of a resolved ticket: what was done (resolution, tasks, time), the form as a PDF,
// and signing it with a typed name and the consent sentence; once signed, who signed and the
// signed form. A ticket that changed since the page was opened is refused (409): the page reloads
// it to be read again.
import { authed, prefetch } from './api.js';
import { hours } from './agreements-common.js';
import { showProblem, when, whileBusy } from './forms.js';
import { me } from './shell.js';

const $ = (id) => document.getElementById(id);
const number = new URLSearchParams(location.search).get('number');
const path = `/api/tickets/${encodeURIComponent(number)}`;
let current = null;
prefetch(path);

function set(field, value) {
  document.querySelector(`[data-s="${field}"]`).textContent = value || '—';
}

function render(detail) {
  const t = detail.ticket;
  current = t;
  document.title = `Sign off #${t.number} · ${document.title.split(' · ').pop()}`;
  $('title').textContent = `Sign off ticket #${t.number}`;
  $('back').href = `/tickets/view/?number=${t.number}`;
  $('back').textContent = `← Ticket #${t.number}`;
  set('summary', t.summary);
  set('technician', t.assignee_name || 'Not assigned');
  set('created', when(t.created_at));
  set('resolved', when(t.resolution?.at || t.closed_at));
  set('time', detail.time.total_minutes ? hours(detail.time.total_minutes) : 'None logged');
  set('resolution', t.resolution?.text);
  const tasks = t.tasks || [];
  $('signoff-tasks').hidden = !tasks.length;
  $('signoff-task-list').replaceChildren(...tasks.map((x) => {
    const li = document.createElement('li');
    li.textContent = `${x.done ? 'Done' : 'Not done'}: ${x.text}`;
    return li;
  }));
  const pdf = `${path}/signoff/pdf`;
  $('form-pdf').href = pdf;
  $('signed-pdf').href = pdf;
  const s = t.signoff;
  $('signed').hidden = !s;
  if (s) $('signed-text').textContent = `Signed off by ${s.user_name} (“${s.name}”), ${when(s.at)}:\n${s.consent}`;
  $('form-pdf').closest('p').hidden = Boolean(s);
  $('sign-section').hidden = !detail.signoff_consent;
  $('consent-text').textContent = detail.signoff_consent || '';
  const notSignable = !s && !detail.signoff_consent;
  $('not-signable').hidden = !notSignable;
  $('not-signable').textContent = notSignable
    ? 'This ticket cannot be signed off now: only a resolved ticket with its resolution can, by the client’s users who may add notes to it.'
    : '';
  $('signoff').setAttribute('aria-busy', 'false');
}

async function load() {
  render(await authed(path));
}

$('sign-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  whileBusy($('sign'), async () => {
    try {
      await authed(`${path}/signoff`, {
        method: 'POST',
        body: { name: $('name').value, consent: $('consent').checked, version: current.version },
      });
      await load();
      $('signed-pdf').focus();
    } catch (err) {
      if (err.status === 409) {
        await load();
        $('sign-error').textContent = err.message;
        $('sign-error').focus?.();
      } else {
        showProblem(form, $('sign-error'), err);
      }
    }
  });
});

me.then(() => load()).catch((err) => {
  $('signoff').setAttribute('aria-busy', 'false');
  $('load-error').textContent = err.status === 404
    ? 'This ticket doesn’t exist or isn’t yours.'
    : err.message;
});
