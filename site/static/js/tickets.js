// Tickets: Open and Closed tabs, search, filters and sort kept in the address (so back, reload and
// sharing keep them), a paginated table, and the CSV export of the same list.
import { authed, forgetMe } from './api.js';
import { me, startEarly } from './shell.js';
import { dropColumn, paginatedTable } from './list.js';
import { PRIORITY, SETTINGS, invoiceMarks, option, statusName, targetState, ticketHref, when } from './tickets-common.js';

// Company names by id, for the MSP's queue (clients see no company column).
const names = new Map();
const FILTERS = ['q', 'status', 'priority', 'contact', 'company', 'assignee', 'project', 'sort', 'order'];
const params = new URLSearchParams(location.search);
const tab = params.get('tab') === 'closed' ? 'closed' : 'open';
const form = document.getElementById('filters');

// The filters a user has (the others stay hidden), and the list's query from the address: only
// those filters, never the form's state.
function filtersFor(can) {
  const staff = can.has('all_companies');
  const only = { company: staff, assignee: staff, contact: !staff && can.has('view_company_tickets') };
  return FILTERS.filter((name) => only[name] ?? true);
}
function listQuery(can) {
  const query = new URLSearchParams({ tab });
  for (const name of filtersFor(can)) if (params.get(name)?.trim()) query.set(name, params.get(name).trim());
  return query;
}
const numberSearched = (q) => /^#?(\d+)$/.exec(q?.trim() ?? '')?.[1];

// Started beside /api/me: the list and its filters' choices.
startEarly((data) => {
  const can = new Set(data.capabilities);
  const staff = can.has('all_companies');
  return [
    !numberSearched(params.get('q')) && `/api/tickets?${listQuery(can)}`,
    staff && '/api/companies',
    (staff || can.has('view_company_tickets')) && '/api/tickets/people',
    SETTINGS,
  ];
});

async function fillPeople(select, url) {
  try {
    for (const p of await authed(url)) option(select, p.id, p.name);
    return true;
  } catch {
    return false;
  }
}

// The statuses of each tab: the other tab's could only ever find nothing.
const TAB_STATUSES = {
  open: ['new', 'in_progress', 'waiting_on_client', 'scheduled', 'waiting_for_approval'],
  closed: ['resolved', 'closed', 'cancelled'],
};

// A ticket number searched for ("36" or "#36") opens that ticket, whichever tab it is in.
async function openByNumber(q) {
  const number = numberSearched(q);
  if (!number) return false;
  const found = await authed(`/api/tickets?q=${number}`);
  if (!found.items.length) return false;
  location.replace(ticketHref(found.items[0].number));
  return true;
}

me.then(async (data) => {
  if (params.get('q') && (await openByNumber(params.get('q').trim()))) return;
  for (const o of [...form.elements.status.options]) if (o.value && !TAB_STATUSES[tab].includes(o.value)) o.remove();
  const can = new Set(data.capabilities);
  const staff = can.has('all_companies');
  // The MSP's names for its statuses (started with the page).
  const settings = await authed(SETTINGS).catch(() => null);
  // The queue sorts by the nearest response or resolution target.
  if (staff) {
    option(form.elements.sort, 'target', 'Nearest target');
  }
  for (const name of ['open', 'closed']) {
    const link = document.getElementById(`tab-${name}`);
    const q = new URLSearchParams(params);
    q.set('tab', name);
    q.delete('status');
    link.href = `?${q}`;
    if (name === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  // The filters' choices and the list load at once, side by side (not one after the other).
  let choices = [];
  if (staff) {
    document.getElementById('company-filter').hidden = false;
    document.getElementById('assignee-filter').hidden = false;
    const companies = authed('/api/companies').catch(() => ({ items: [] })).then((list) => {
      for (const c of list.items) {
        names.set(c.id, c.name);
        if (c.kind !== 'msp') option(document.getElementById('company'), c.id, c.name);
      }
    });
    choices = [companies, fillPeople(document.getElementById('assignee'), '/api/tickets/people')];
    // Rows shown before the names arrived get them then.
    companies.then(() => {
      for (const cell of document.querySelectorAll('#tickets-table td[data-field="company"]')) {
        cell.textContent = names.get(cell.textContent) || cell.textContent;
      }
    });
  } else {
    // Clients see no company column.
    dropColumn('tickets', 'company');
    if (can.has('view_company_tickets')) {
      document.getElementById('contact-filter').hidden = false;
      choices = [fillPeople(document.getElementById('contact'), '/api/tickets/people').then((ok) => {
        document.getElementById('contact-filter').hidden = !ok;
      })];
    }
  }
  // The chosen filters are shown once their choices are there (text fields just below).
  Promise.all(choices).then(() => {
    for (const name of FILTERS) {
      const el = form.elements[name];
      if (el?.tagName === 'SELECT' && params.get(name)) el.value = params.get(name);
    }
  });
  // The list's query comes from the address (the filters this user has), not from the form.
  for (const name of FILTERS) {
    const el = form.elements[name];
    if (el && params.get(name) && el.tagName !== 'SELECT') el.value = params.get(name);
  }
  const query = listQuery(can);
  document.getElementById('export').href = `/api/tickets/export?${query}`;
  const searching = query.get('q');
  document.getElementById('tickets-caption').textContent =
    `${tab === 'open' ? 'Open' : 'Closed'} tickets${searching ? ` matching “${searching}”` : ''}`;
  const filtered = [...query.keys()].some((k) => k !== 'tab' && k !== 'sort' && k !== 'order');
  // The view the user chose last time (kept on their account): the summary shows each ticket's
  // latest public reply and its technician instead of the table of facts.
  const summary = data.user.ticket_view === 'summary';
  for (const radio of document.querySelectorAll('input[name="view"]')) {
    radio.checked = radio.value === data.user.ticket_view;
    radio.addEventListener('change', async () => {
      await authed('/api/me', { method: 'PATCH', body: { ticket_view: radio.value } }).catch(() => {});
      forgetMe();
      location.reload();
    });
  }
  if (summary) for (const field of ['priority', 'contact', 'created', 'company']) dropColumn('tickets', field);
  return paginatedTable({
    id: 'tickets',
    url: `/api/tickets?${query}`,
    empty: searching
      ? `No ${tab} tickets match “${searching}”.`
      : filtered ? `No ${tab} tickets match these filters.` : `No ${tab} tickets.`,
    cells: (t) => ({
      number: { text: `#${t.number}`, href: ticketHref(t.number) },
      summary: `${t.summary}${t.emergency ? ' (emergency)' : ''}${t.project ? ` · Project P-${t.project.number}` : ''}${t.configuration ? ` · ${t.configuration.name}` : ''}`,
      company: names.get(t.company_id) || t.company_id,
      status: statusName(t, settings),
      priority: PRIORITY[t.priority] || t.priority,
      contact: t.contact_name,
      technician: t.assignee_name || 'Unassigned',
      created: when(t.created_at),
      updated: when(t.updated_at),
    }),
    // The invoices that bill it, beside its summary (seed 004's cart); in the summary view, its
    // tasks and latest public note. The whole row opens the ticket (its number stays a real link,
    // for the keyboard and a middle click).
    decorate: (row, t) => {
      const cell = row.querySelector('[data-field="summary"]');
      const marks = invoiceMarks(t, can.has('view_invoices'), staff);
      // A target passed unmet: marked beside the status (the queue's breach mark).
      const missed = tab === 'open' ? ['response', 'resolution'].filter((w) => targetState(t.targets, w)?.missed) : [];
      if (missed.length) {
        row.querySelector('[data-field="status"]').append(' ', Object.assign(document.createElement('span'), {
          className: 'badge target-missed',
          textContent: missed.includes('response') ? 'Response target missed' : 'Resolution target missed',
        }));
      }
      if (marks) cell.append(' ', marks);
      if (summary) {
        if (t.tasks_total) cell.append(' ', Object.assign(document.createElement('span'), { className: 'badge', textContent: `Tasks ${t.tasks_done}/${t.tasks_total}` }));
        const latest = document.createElement('p');
        latest.className = 'latest-note';
        latest.textContent = t.last_note
          ? `${t.last_note.author_name}, ${when(t.last_note.at)}: ${t.last_note.text}`
          : 'No replies yet.';
        cell.append(latest);
      }
      const tr = row.querySelector('tr');
      tr.classList.add('clickable');
      tr.addEventListener('click', (event) => {
        if (event.target.closest('a, button') || getSelection()?.toString()) return;
        location.assign(ticketHref(t.number));
      });
    },
  });
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const q = new URLSearchParams({ tab });
  for (const name of FILTERS) {
    const el = form.elements[name];
    if (el && el.value && !el.closest('[hidden]')) q.set(name, el.value.trim());
  }
  location.assign(`?${q}`);
});
