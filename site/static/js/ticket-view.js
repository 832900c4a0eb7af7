// One ticket: its facts, description, files and conversation (oldest first); a note box with
// files (drop or paste a screenshot); the status changes the MSP allows clients, each with the note
// that says why; for MSP staff, internal notes, the resolution, and status, priority and
// technician; the resolution, sign-off and tasks (ticket-closing.js); the time spent
// (ticket-time.js); asking for and answering the client's approval (ticket-approval.js).
// Printable, and as a PDF.
import { configurationHref } from './configurations-common.js';
import { authed, prefetch } from './api.js';
import { day } from './dates.js';
import { me, startEarly } from './shell.js';
import {
  PRIORITY, SETTINGS, choosableStatuses, fileDrop, invoiceMarks, option, showProblem, statusName, targetState, uploadAll, when,
} from './tickets-common.js';
import { showTime } from './ticket-time.js';
import { showApproval } from './ticket-approval.js';
import { showRating, showResolution, showTasks } from './ticket-closing.js';
import { showWatchers } from './ticket-watchers.js';

const params = new URLSearchParams(location.search);
const number = params.get('number');
const noteForm = document.getElementById('note-form');
const actionError = document.getElementById('action-error');
const actionStatus = document.getElementById('action-status');
const noteFiles = fileDrop('note-files', noteForm.elements.text);
const OPEN = new Set(['new', 'in_progress', 'waiting_on_client', 'scheduled', 'waiting_for_approval']);
// What a client may reopen within the reopen window.
const REOPENABLE = new Set(['resolved', 'cancelled']);
let current = null;
let who = null;
let seesProjects = false;
let seesInvoices = false;

document.getElementById('print').addEventListener('click', () => window.print());

function set(field, value) {
  const el = document.querySelector(`[data-t="${field}"]`);
  el.textContent = value || '—';
}

function render({ ticket, notes, attachments }) {
  current = ticket;
  document.title = `#${ticket.number} ${ticket.summary} · ${document.title.split(' · ').pop()}`;
  document.getElementById('title').textContent = `#${ticket.number} ${ticket.summary}`;
  document.getElementById('status-badge').textContent = statusName(ticket, settings);
  document.getElementById('emergency-badge').hidden = !ticket.emergency;
  document.getElementById('pdf').href = `/api/tickets/${ticket.number}/pdf`;
  set('company', companyName);
  set('status', statusName(ticket, settings));
  // The targets: when a reply and the resolution are due, and after the fact whether they were met.
  for (const which of ['response', 'resolution']) {
    const state = targetState(ticket.targets, which);
    document.getElementById(`${which}-fact`).hidden = !state;
    const dd = document.querySelector(`[data-t="${which}_target"]`);
    dd.textContent = state ? `${state.text}${ticket.targets.agreement ? ` (${ticket.targets.agreement})` : ''}` : '';
    dd.classList.toggle('target-missed', Boolean(state?.missed));
  }
  set('priority', PRIORITY[ticket.priority]);
  set('request_type', ticket.request_type);
  set('contact_name', ticket.contact_name);
  set('assignee_name', ticket.assignee_name || 'Not yet assigned');
  set('created_at', when(ticket.created_at));
  set('updated_at', when(ticket.updated_at));
  set('closed_at', when(ticket.closed_at));
  set('due_date', day(ticket.due_date));
  set('po_number', ticket.po_number);
  set('description', ticket.description);
  const project = document.querySelector('[data-t="project"]');
  project.closest('div').hidden = !ticket.project;
  if (ticket.project) {
    const label = `${ticket.project.name} (P-${ticket.project.number})`;
    project.replaceChildren(seesProjects
      ? Object.assign(document.createElement('a'), { href: `/projects/view/?number=${ticket.project.number}`, textContent: label })
      : label);
  }
  const configuration = document.querySelector('[data-t="configuration"]');
  configuration.closest('div').hidden = !ticket.configuration;
  if (ticket.configuration) {
    const staff = who?.capabilities.includes('all_companies');
    configuration.replaceChildren(Object.assign(document.createElement('a'), {
      href: configurationHref(ticket.configuration.id, staff ? ticket.company_id : ''),
      textContent: ticket.configuration.name,
    }));
  }
  const marks = invoiceMarks(ticket, seesInvoices, who?.capabilities.includes('all_companies'));
  document.getElementById('invoices-fact').hidden = !marks;
  document.querySelector('[data-t="invoices"]').replaceChildren(...(marks ? [marks] : []));

  const files = document.getElementById('attachments');
  files.replaceChildren();
  for (const a of attachments) {
    const li = document.createElement('li');
    const link = document.createElement('a');
    link.href = `/api/tickets/${ticket.number}/attachments/${encodeURIComponent(a.id)}`;
    link.textContent = a.file_name;
    li.append(link, ` (${Math.max(1, Math.round(a.size / 1024))} KB, ${a.uploaded_by_name}, ${when(a.created_at)})`);
    if (a.internal) {
      const badge = document.createElement('span');
      badge.className = 'badge internal';
      badge.textContent = 'Internal';
      li.append(' ', badge);
    }
    files.append(li);
  }
  if (!attachments.length) {
    const li = document.createElement('li');
    li.textContent = 'No files.';
    files.append(li);
  }

  const list = document.getElementById('conversation');
  const template = document.getElementById('note-item');
  list.replaceChildren();
  for (const n of notes) {
    const item = template.content.cloneNode(true);
    const article = item.querySelector('article');
    article.classList.add(n.internal ? 'internal' : n.from_msp ? 'msp' : 'client');
    item.querySelector('[data-n="author"]').textContent = n.author_name;
    item.querySelector('[data-n="kind"]').textContent = n.internal ? 'Internal note' : n.from_msp ? 'Support' : '';
    const time = item.querySelector('[data-n="time"]');
    time.dateTime = n.created_at;
    time.textContent = when(n.created_at);
    item.querySelector('[data-n="text"]').textContent = n.text;
    list.append(item);
  }
  if (!notes.length) {
    const li = document.createElement('li');
    li.textContent = 'No notes yet.';
    list.append(li);
  }
  document.getElementById('ticket').setAttribute('aria-busy', 'false');
}

const statusForm = document.getElementById('status-form');
let pendingStatus = null;
// The status button that opened the note form: the focus goes back to it if the form is left.
let opener = null;

// Until when a client may reopen the ticket (resolved or cancelled, not signed off, within the
// reopen window), or null once they may not.
function reopenUntil(settings) {
  if (!REOPENABLE.has(current.status) || current.signoff) return null;
  const closed = new Date(current.closed_at || current.updated_at);
  const until = new Date(closed.getTime() + settings.reopen_days * 86400000);
  return Date.now() <= until.getTime() ? until : null;
}

// A status's name by id, as the MSP names it.
function nameOf(id) {
  return settings?.statuses.find((s) => s.id === id)?.name || id;
}

function statusButtons(settings) {
  const box = document.getElementById('status-buttons');
  box.replaceChildren();
  statusForm.hidden = true;
  const days = settings.reopen_days;
  const after = days ? `You can reopen it within ${days} days; after that, raise a new ticket.` : 'It cannot be reopened.';
  // Each change asks for its note first, saying what it does; reopening is itself the undo.
  const wording = {
    cancelled: [`Cancel ticket #${current.number}`, `The MSP stops working on it and it takes no more notes. ${after}`, 'Cancel the ticket'],
    resolved: [`Mark ticket #${current.number} as resolved`, `This tells the MSP the problem is solved, and the ticket takes no more notes. ${after}`, 'Mark as resolved'],
    new: [`Reopen ticket #${current.number}`, 'Say what is still wrong: the MSP reads it with the ticket.', 'Reopen the ticket'],
  };
  const add = (status, label) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'secondary';
    b.textContent = label;
    b.addEventListener('click', () => {
      pendingStatus = status;
      opener = label;
      const name = nameOf(status);
      const [legend, explain, submit] = wording[status] || [`Set ticket #${current.number} to ${name}`, '', `Set to ${name}`];
      document.getElementById('status-legend').textContent = legend;
      document.getElementById('status-explain').textContent = explain;
      document.getElementById('status-submit').textContent = submit;
      document.getElementById('client-status').hidden = true;
      statusForm.hidden = false;
      statusForm.elements['status-note'].focus();
    });
    box.append(b);
  };
  if (OPEN.has(current.status)) {
    for (const s of settings.client_statuses) {
      if (!settings.statuses.find((d) => d.id === s)?.retired) {
        add(s, { cancelled: 'Cancel this ticket', resolved: 'Mark as resolved' }[s] || `Set to ${nameOf(s)}`);
      }
    }
  } else if (reopenUntil(settings)) {
    add('new', 'Reopen this ticket');
  }
  document.getElementById('client-status').hidden = !box.children.length;
}

statusForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const note = statusForm.elements['status-note'];
  const error = document.getElementById('status-note-error');
  if (!note.value.trim()) {
    note.setAttribute('aria-invalid', 'true');
    error.textContent = 'Say why you are changing the status.';
    note.focus();
    return;
  }
  note.removeAttribute('aria-invalid');
  error.textContent = '';
  await change({ status_id: pendingStatus, note: note.value }, `Ticket set to ${nameOf(pendingStatus)}.`);
  if (!actionError.textContent) statusForm.reset();
});

// Back (or Escape) leaves the ticket as it is.
function leaveStatusForm() {
  statusForm.hidden = true;
  document.getElementById('client-status').hidden = false;
  const buttons = [...document.querySelectorAll('#status-buttons button')];
  (buttons.find((b) => b.textContent === opener) || buttons[0])?.focus();
}
document.getElementById('status-back').addEventListener('click', leaveStatusForm);
statusForm.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    event.preventDefault();
    leaveStatusForm();
  }
});

function showActions(settings) {
  const can = new Set(who.capabilities);
  const staff = can.has('all_companies');
  const mayAdd = can.has('add_notes');
  const open = OPEN.has(current.status);
  document.getElementById('actions').hidden = !(mayAdd || staff);
  noteForm.hidden = !(open && mayAdd);
  document.getElementById('internal-field').hidden = !staff;
  document.getElementById('resolution-field').hidden = !staff;
  const closed = document.getElementById('closed-message');
  closed.hidden = open || !mayAdd;
  const until = reopenUntil(settings);
  document.getElementById('closed-text').textContent = until
    ? `This ticket is ${statusName(current, settings).toLowerCase()}, so it takes no more notes. You can reopen it until ${when(until.toISOString())}, or raise a new ticket and mention #${current.number}.`
    : `This ticket is ${statusName(current, settings).toLowerCase()}, so it takes no more notes. Raise a new ticket and mention #${current.number}.`;
  if (staff) {
    document.getElementById('staff-form').hidden = false;
    // The MSP's statuses, by name, in its order (the page's own list is the built-in one).
    const select = document.getElementById('set-status');
    if (select.dataset.filled !== 'yes') {
      select.replaceChildren(Object.assign(document.createElement('option'), { value: '', textContent: 'Keep' }));
      for (const s of choosableStatuses(settings)) option(select, s.id, s.name);
      select.dataset.filled = 'yes';
    }
    document.getElementById('client-status').hidden = true;
  } else if (mayAdd) {
    statusButtons(settings);
  }
}

let settings = null;
// The ticket's company, by name: the client's own, or for MSP staff read once with the ticket.
let companyName = '';
const detailPath = `/api/tickets/${encodeURIComponent(number)}`;
// The ticket and the settings are asked for at once, with /api/me, not one after the other: every
// role that reaches this page may read both (the page needs a ticket-viewing capability). Started
// even on a tab's first page: a ticket's link is often opened from an email.
prefetch(detailPath);
prefetch(SETTINGS);
startEarly((data) => [data.capabilities.includes('all_companies') && '/api/tickets/people']);

// The colleagues a watcher can be chosen from, read once: a client's (for those who may list
// them), or for MSP staff the ticket's company's; null where no list is offered.
let peopleAsked = null;
function watcherPeople(t) {
  const can = new Set(who.capabilities);
  if (!peopleAsked) {
    const path = can.has('all_companies')
      ? `/api/tickets/people?company=${encodeURIComponent(t.company_id)}`
      : (can.has('view_company_tickets') || can.has('submit_on_behalf')) && '/api/tickets/people';
    peopleAsked = path ? authed(path).catch(() => null) : Promise.resolve(null);
  }
  return peopleAsked;
}

async function load() {
  const detail = await authed(detailPath);
  if (!companyName && detail.ticket.company_id === who.company.id) companyName = who.company.name;
  render(detail);
  showResolution(detail);
  showRating(detail.ticket, who);
  showTasks(detail.ticket, who.capabilities.includes('all_companies'), load);
  watcherPeople(detail.ticket).then((people) => showWatchers(detail.ticket, who, people, load));
  showTime(detail, who.capabilities.includes('all_companies'), load);
  showApproval(detail.ticket, who, async (message) => {
    await load();
    actionStatus.textContent = message;
  });
  showActions(settings);
  // MSP staff: the company's name follows (the page is shown meanwhile).
  if (!companyName) {
    authed(`/api/companies/${encodeURIComponent(detail.ticket.company_id)}`).then((c) => {
      companyName = c.name;
      set('company', companyName);
    }).catch(() => {});
  }
}

async function change(body, done) {
  actionError.textContent = '';
  try {
    await authed(`/api/tickets/${current.number}`, { method: 'PATCH', body: { ...body, version: current.version } });
    await load();
    actionStatus.textContent = done;
  } catch (err) {
    // A field's message says what to do (the note a change needs); the title only that it failed.
    actionError.textContent = err.status === 409
      ? 'Someone changed this ticket meanwhile. The page now shows the latest; try again.'
      : Object.values(err.fields || {}).join(' ') || err.message;
    if (err.status === 409) await load();
  }
}

noteForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = noteForm.querySelector('button[type="submit"]');
  const internal = noteForm.elements.internal.checked;
  const resolution = noteForm.elements.resolution.checked;
  button.disabled = true;
  actionError.textContent = '';
  actionStatus.textContent = '';
  try {
    await authed(`/api/tickets/${current.number}/notes`, {
      method: 'POST',
      body: { text: noteForm.elements.text.value, internal, resolution },
    });
    const failed = await uploadAll(current.number, noteFiles.files(), (text) => {
      actionStatus.textContent = text;
    }, { internal });
    noteForm.reset();
    noteFiles.clear();
    await load();
    actionStatus.textContent = internal ? 'Internal note added.' : resolution ? 'Resolution added.' : 'Note added.';
    if (failed.length) actionError.textContent = `Some files were not attached. ${failed.join(' ')}`;
  } catch (err) {
    showProblem(noteForm, actionError, err);
  } finally {
    button.disabled = false;
  }
});

document.getElementById('staff-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const el = event.target.elements;
  const body = {};
  if (el['set-status'].value) body.status_id = el['set-status'].value;
  if (el['set-priority'].value) body.priority = el['set-priority'].value;
  if (el['set-assignee'].value) body.assignee_id = el['set-assignee'].value === '-' ? '' : el['set-assignee'].value;
  if (el['change-note'].value.trim()) body.note = el['change-note'].value;
  change(body, 'Changes saved.').then(() => {
    if (!actionError.textContent) event.target.reset();
  });
});

me.then(async (data) => {
  who = data;
  if (params.get('created')) {
    document.getElementById('created-status').textContent = `Ticket #${number} raised. We will be in touch.`;
  }
  if (params.get('failed')) document.getElementById('load-error').textContent = `Some files were not attached: ${params.get('failed')}`;
  seesProjects = data.capabilities.includes('view_projects');
  seesInvoices = data.capabilities.includes('view_invoices');
  try {
    const staff = data.capabilities.includes('all_companies');
    const people = staff ? authed('/api/tickets/people') : Promise.resolve([]);
    settings = await authed(SETTINGS); // started with the page
    await load();
    const select = document.getElementById('set-assignee');
    for (const p of await people) option(select, p.id, p.name);
  } catch (err) {
    document.getElementById('ticket').setAttribute('aria-busy', 'false');
    if (err.status === 404) {
      // One clear state: no empty ticket layout, no Print, no note form.
      for (const id of ['ticket', 'actions']) document.getElementById(id).hidden = true;
      document.getElementById('not-found').hidden = false;
      document.title = `No such ticket · ${document.title.split(' · ').pop()}`;
    } else {
      document.getElementById('load-error').textContent = err.message;
    }
  }
});
