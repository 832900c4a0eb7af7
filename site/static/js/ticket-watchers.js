// A ticket's watchers (ticket-view.js shows them): colleagues emailed on its replies and status
// changes. Those who may add notes add colleagues who see the company's tickets and remove
// watchers; every watcher can leave.
import { authed } from './api.js';

const $ = (id) => document.getElementById(id);
let ticket = null;
let reload = async () => {};

async function call(path, options) {
  $('watchers-error').textContent = '';
  try {
    await authed(`/api/tickets/${ticket.number}/watchers${path}`, options);
  } catch (err) {
    $('watchers-error').textContent = err.status === 409
      ? 'Someone changed this ticket meanwhile. The page now shows the latest; try again.'
      : Object.values(err.fields || {}).join(' ') || err.message;
  }
  await reload();
}

// The watchers of `t` for `who`; `people` (GET /api/tickets/people, or null if not offered) fill
// the picker; `done()` reloads the page.
export function showWatchers(t, who, people, done) {
  ticket = t;
  reload = done;
  const can = new Set(who.capabilities);
  const manage = can.has('add_notes') || can.has('all_companies');
  const list = t.watchers || [];
  $('watchers').hidden = !list.length && !(manage && people);
  $('watcher-list').replaceChildren(...list.map((w) => {
    const li = document.createElement('li');
    li.append(w.name);
    const self = w.user_id === who.user.id;
    if (self || manage) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary small';
      b.textContent = self ? 'Stop watching' : 'Remove';
      if (!self) b.setAttribute('aria-label', `Remove ${w.name} from the watchers`);
      b.addEventListener('click', () => call(`/${encodeURIComponent(w.user_id)}`, { method: 'DELETE' }));
      li.append(' ', b);
    }
    return li;
  }));
  const form = $('watcher-form');
  const offered = (people || []).filter((p) => p.sees_company_tickets && p.id !== t.contact_id && !list.some((w) => w.user_id === p.id));
  form.hidden = !(manage && offered.length);
  const select = $('watcher');
  select.replaceChildren(...offered.map((p) => Object.assign(document.createElement('option'), { value: p.id, textContent: p.name })));
}

$('watcher-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = $('watcher').value;
  if (id) call('', { method: 'POST', body: { user_id: id } });
});
