// A project: its facts, the Gantt chart of its plan (with a table twin for screen readers), and a
// dialog per phase with its tickets, the closed ones struck through. MSP staff plan it here
// (project-plan.js) and raise tickets in a phase.
import { api, authed } from './api.js';
import { me, startEarly } from './shell.js';
import { option, renamed, showProblem } from './forms.js';
import { day, when } from './dates.js';
import { drawGantt, days } from './gantt.js';
import { PHASE_STATUS, PROJECT_STATUS, progressBar, projectLabel, scheduleText } from './projects-common.js';
import { STATUS, ticketHref } from './tickets-common.js';
import { startPlanner } from './project-plan.js';

const params = new URLSearchParams(location.search);
const number = params.get('number');
const path = `/api/projects/${encodeURIComponent(number ?? '')}`;
let detail = null;
let shownPhase = null;
let staff = false;

startEarly(() => [path]);
document.getElementById('print').addEventListener('click', () => window.print());

const set = (name, value) => {
  const cell = document.querySelector(`[data-p="${name}"]`);
  if (typeof value === 'string') cell.textContent = value;
  else cell.replaceChildren(value);
};

// A phase's tickets: its own, and for a phase its sub-phases' too.
function ticketsOf(phase) {
  const ids = new Set([phase.id, ...detail.phases.filter((p) => p.parent === phase.id).map((p) => p.id)]);
  return detail.tickets.filter((t) => ids.has(t.phase_id));
}

const dialog = document.getElementById('phase-dialog');
function openPhase(phase) {
  shownPhase = phase;
  document.getElementById('phase-title').textContent = phase.name;
  document.getElementById('phase-dates').textContent =
    `${day(phase.start)} to ${day(phase.end)} (${days(phase)} days) · ${PHASE_STATUS[phase.status]}${phase.late ? ' · late' : ''}. Expected completion: ${day(phase.end)}.`;
  const list = ticketsOf(phase);
  document.getElementById('phase-done').textContent = list.length
    ? `Completed ${phase.tickets.closed}/${phase.tickets.total}`
    : `No tickets in this phase · ${phase.percent_complete} % complete`;
  const ul = document.getElementById('phase-tickets');
  ul.replaceChildren();
  for (const t of list) {
    const li = document.createElement('li');
    const label = `#${t.number} ${t.summary}`;
    const text = t.may_open ? Object.assign(document.createElement('a'), { href: ticketHref(t.number), textContent: label }) : document.createTextNode(label);
    if (t.closed) {
      const s = document.createElement('s');
      s.append(text);
      li.append(s, ` — ${STATUS[t.status]}`);
    } else {
      li.append(text, ` — ${STATUS[t.status]}`);
    }
    ul.append(li);
  }
  dialog.showModal();
}
document.getElementById('phase-close').addEventListener('click', () => dialog.close());

function render() {
  const p = detail.project;
  document.title = `${p.name} · ${document.title.split(' · ').pop()}`;
  document.getElementById('p-title').textContent = p.name;
  document.getElementById('p-status').textContent = PROJECT_STATUS[p.status];
  const schedule = document.getElementById('p-schedule');
  schedule.textContent = scheduleText({ ...p, schedule: detail.schedule, slip_days: detail.slip_days });
  schedule.classList.toggle('late', detail.schedule === 'late');
  set('number', projectLabel(p.number));
  set('company', p.company_name);
  set('manager', p.manager_name);
  set('contact', p.contact_name || 'None');
  set('start', day(p.start));
  set('planned', day(p.planned_completion));
  set('expected', detail.slip_days > 0 ? `${day(p.expected_completion)} (${detail.slip_days} days later than planned)` : day(p.expected_completion));
  set('progress', progressBar(detail.percent_complete, p.name));
  const m = detail.next_milestone;
  set('milestone', m ? `${m.phase_name}, ${day(m.date)}` : 'None');
  document.getElementById('p-description').textContent = p.description;
  document.getElementById('p-tickets').href = `/tickets/?project=${p.number}${staff ? `&company=${p.company_id}` : ''}`;
  const changes = document.getElementById('changes-list');
  changes.replaceChildren();
  for (const c of p.completion_changes) {
    const li = document.createElement('li');
    li.textContent = `${day(c.from)} → ${day(c.to)}: ${c.reason} (${c.by_name}, ${when(c.at)})`;
    changes.append(li);
  }
  document.getElementById('changes').hidden = !p.completion_changes.length;
  document.getElementById('no-phases').hidden = detail.phases.length > 0;
  document.getElementById('gantt-figure').hidden = !detail.phases.length;
  if (detail.phases.length) draw();
  const body = document.querySelector('#plan-table tbody');
  body.replaceChildren();
  for (const ph of detail.phases) {
    const row = body.insertRow();
    const name = row.insertCell();
    const button = Object.assign(document.createElement('button'), { type: 'button', className: 'link', textContent: ph.parent ? `↳ ${ph.name}` : ph.name });
    button.addEventListener('click', () => openPhase(ph));
    name.append(button);
    for (const text of [day(ph.start), day(ph.end), String(days(ph)), `${PHASE_STATUS[ph.status]}${ph.late ? ', late' : ''}`, `${ph.percent_complete} %`, `${ph.tickets.closed} of ${ph.tickets.total} done`]) {
      row.insertCell().textContent = text;
    }
  }
  document.getElementById('project').setAttribute('aria-busy', 'false');
}

function draw() {
  const p = detail.project;
  drawGantt(document.getElementById('gantt'), {
    phases: detail.phases,
    start: p.start,
    end: p.expected_completion,
    today: new Date().toISOString().slice(0, 10),
  }, openPhase);
}

async function load() {
  detail = await authed(path);
  render();
  return detail;
}

// MSP staff: raise a ticket in the phase shown, for one of the company's people.
const ticketForm = document.getElementById('phase-ticket-form');
ticketForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const button = ticketForm.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const p = detail.project;
    await api('/api/tickets', {
      method: 'POST',
      headers: { 'Idempotency-Key': crypto.randomUUID() },
      body: {
        company_id: p.company_id, contact_id: ticketForm.elements.ticket_contact.value,
        request_type: ticketForm.elements.request_type.value, summary: ticketForm.elements.summary.value,
        description: `${ticketForm.elements.summary.value} (project ${projectLabel(p.number)}, phase "${shownPhase.name}").`,
        priority: 'medium', project: p.number, phase_id: shownPhase.id,
      },
    });
    ticketForm.reset();
    await load();
    openPhase(detail.phases.find((ph) => ph.id === shownPhase.id));
  } catch (err) {
    showProblem(ticketForm, document.getElementById('phase-ticket-error'), renamed(err, { contact_id: 'ticket_contact' }));
  } finally {
    button.disabled = false;
  }
});

me.then(async (data) => {
  staff = data.capabilities.includes('all_companies');
  try {
    await load();
    let drawn = document.getElementById('gantt').clientWidth;
    new ResizeObserver(() => {
      const now = document.getElementById('gantt').clientWidth;
      if (detail?.phases.length && Math.abs(now - drawn) > 8) {
        drawn = now;
        draw();
      }
    }).observe(document.getElementById('gantt'));
    if (data.capabilities.includes('manage_projects')) {
      const [people, settings] = await Promise.all([
        authed(`/api/tickets/people?company=${encodeURIComponent(detail.project.company_id)}`),
        authed('/api/tickets/settings'),
      ]);
      for (const person of people) option(ticketForm.elements.ticket_contact, person.id, person.name);
      for (const type of settings.request_types) option(ticketForm.elements.request_type, type, type);
      startPlanner(() => detail, load);
    }
  } catch (err) {
    document.getElementById('project').setAttribute('aria-busy', 'false');
    if (err.status === 404) {
      for (const id of ['project', 'planner']) document.getElementById(id).hidden = true;
      document.getElementById('not-found').hidden = false;
      document.title = `No such project · ${document.title.split(' · ').pop()}`;
    } else {
      document.getElementById('load-error').textContent = err.message;
    }
  }
});
