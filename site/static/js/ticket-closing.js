// How a ticket ends, on its page (ticket-view.js shows it): the resolution above the conversation
// with the way to sign it off (or who signed it, and the signed form); the checklist of tasks,
// which clients read and MSP staff tick, add and remove.
import { authed } from './api.js';
import { when } from './forms.js';

const $ = (id) => document.getElementById(id);
let ticket = null;
let reload = async () => {};

// The resolution and sign-off of `detail` (GET /api/tickets/{n}).
export function showResolution(detail) {
  const t = detail.ticket;
  const r = t.resolution;
  const s = t.signoff;
  $('resolution-section').hidden = !r && !s;
  $('resolution-text').textContent = r ? r.text : '';
  $('resolution-by').textContent = r ? `${r.author_name}, ${when(r.at)}` : '';
  const link = $('signoff-link');
  link.hidden = !detail.signoff_consent;
  link.href = `/tickets/signoff/?number=${t.number}`;
  const pdf = $('signoff-pdf');
  pdf.hidden = !s;
  pdf.href = `/api/tickets/${t.number}/signoff/pdf`;
  $('signoff-text').textContent = s
    ? `Signed off by ${s.user_name} (“${s.name}”), ${when(s.at)}.`
    : detail.signoff_consent ? 'Please check the resolution and sign the ticket off if the work is complete.' : '';
}

function taskItem(task, staff) {
  const li = document.createElement('li');
  if (!staff) {
    const mark = document.createElement('span');
    mark.className = task.done ? 'badge done' : 'badge';
    mark.textContent = task.done ? 'Done' : 'To do';
    li.append(mark, ' ', task.text);
    return li;
  }
  const label = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = task.done;
  box.addEventListener('change', () => changeTask(`/${task.id}`, 'PATCH', { done: box.checked }));
  label.append(box, ` ${task.text}`);
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'secondary small';
  remove.textContent = 'Remove';
  remove.setAttribute('aria-label', `Remove task: ${task.text}`);
  remove.addEventListener('click', () => changeTask(`/${task.id}`, 'DELETE'));
  li.append(label, remove);
  return li;
}

// The checklist of `t`; `done()` reloads the page after a change.
export function showTasks(t, staff, done) {
  ticket = t;
  reload = done;
  const tasks = t.tasks || [];
  $('tasks').hidden = !tasks.length && !staff;
  const finished = tasks.filter((x) => x.done).length;
  $('tasks-heading').textContent = tasks.length ? `Tasks ${finished}/${tasks.length}` : 'Tasks';
  $('task-list').replaceChildren(...tasks.map((x) => taskItem(x, staff)));
  $('task-form').hidden = !staff;
}

async function changeTask(path, method, body) {
  $('task-error').textContent = '';
  try {
    await authed(`/api/tickets/${ticket.number}/tasks${path}`, { method, body });
  } catch (err) {
    $('task-error').textContent = err.status === 409
      ? 'Someone changed this ticket meanwhile. The page now shows the latest; try again.'
      : err.message;
  }
  await reload();
}

$('task-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('task-text');
  if (!input.value.trim()) {
    $('task-text-error').textContent = 'Say what needs doing.';
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  input.removeAttribute('aria-invalid');
  $('task-text-error').textContent = '';
  await changeTask('', 'POST', { text: input.value });
  input.value = '';
  input.focus();
});

// "How did we do?": the contact rates a resolved or closed ticket once; others read the rating.
export function showRating(t, who) {
  const r = t.rating;
  const mayRate = !r && t.contact_id === who.user.id && ['resolved', 'closed'].includes(t.status);
  $('rating').hidden = !r && !mayRate;
  $('rating-form').hidden = !mayRate;
  $('rating-text').textContent = r
    ? `${r.by_name} rated it ${r.good ? 'good' : 'bad'}, ${when(r.at)}${r.comment ? `: ${r.comment}` : '.'}`
    : 'Tell us how the work on this ticket went: it helps us do better.';
}

$('rating-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const choice = form.elements.good.value;
  $('good-error').textContent = choice ? '' : 'Choose good or bad.';
  if (!choice) {
    form.querySelector('input[name="good"]').focus();
    return;
  }
  $('rating-error').textContent = '';
  try {
    await authed(`/api/tickets/${ticket.number}/rating`, {
      method: 'POST',
      body: { good: choice === 'true', comment: form.elements['rating-comment'].value },
    });
    await reload();
    $('rating-heading').focus?.();
    $('rating-text').textContent = `Thank you. ${$('rating-text').textContent}`;
  } catch (err) {
    $('rating-error').textContent = Object.values(err.fields || {}).join(' ') || err.message;
  }
});
