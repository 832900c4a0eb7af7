// Home: greeting, what waits for the user's approval, ticket counts and the last 12 months (an SVG
// chart with a table twin for screen readers), the latest open tickets and a "Submit a ticket"
// action.
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { invoiceMarks, statusName, ticketHref, when } from './tickets-common.js';
import { day, money } from './billing-common.js';
import { projectHref } from './projects-common.js';
import { configurationHref, expiryText } from './configurations-common.js';
import { barChart } from './bar-chart.js';
import { hours, hoursTile, withHours } from './agreements-common.js';
import { articleHref } from './kb-common.js';

// What the page shows, by what the user may see.
function parts(data) {
  const can = new Set(data.capabilities);
  const staff = can.has('all_companies');
  const tickets = can.has('view_company_tickets') || can.has('view_own_tickets');
  return {
    latest: staff || tickets,
    billing: !staff && can.has('view_invoices'),
    stats: !staff && tickets,
    projects: can.has('view_projects'),
    hours: !staff && can.has('view_hours_left'),
    expiring: !staff,
    kb: can.has('read_knowledge_base'),
  };
}
const LATEST = '/api/tickets?sort=updated';
const OVERVIEW = '/api/billing/overview';
const STATS = '/api/tickets/stats';
const PROJECTS = '/api/projects/summary';
const AGREEMENTS = '/api/agreements';
const EXPIRING = '/api/configurations/expiring';
const KB_TOP = '/api/kb/top';
startEarly((data) => {
  const show = parts(data);
  return [show.latest && LATEST, show.billing && OVERVIEW, show.stats && STATS, show.projects && PROJECTS, show.hours && AGREEMENTS, show.expiring && EXPIRING, show.kb && KB_TOP];
});

// The knowledge base's five most useful articles for the company (the MSP's pins first).
async function kbTop() {
  const articles = await authed(KB_TOP);
  const list = document.getElementById('kb-top');
  for (const a of articles) {
    const li = document.createElement('li');
    li.append(Object.assign(document.createElement('a'), { href: articleHref(a.id), textContent: a.title }), ` — ${a.category}`);
    list.append(li);
  }
  document.getElementById('kb-tile').hidden = !articles.length;
}

// The "View a project" tile: open projects, and the next milestone due across them.
async function projects() {
  const s = await authed(PROJECTS);
  document.getElementById('proj-open').textContent = String(s.open);
  const next = s.next_milestone;
  const value = document.getElementById('proj-next');
  const label = document.getElementById('proj-next-label');
  if (next) {
    value.textContent = day(next.date);
    const link = Object.assign(document.createElement('a'), { href: projectHref(next.project_number), textContent: next.project_name });
    label.replaceChildren(`Next milestone: ${next.phase_name}, `, link);
  } else {
    value.textContent = 'None';
    label.textContent = 'Next milestone';
  }
}

// Configurations expired or expiring within 45 days (ITFlow's warning), shown only when there are.
async function expiring() {
  const answer = await authed(EXPIRING);
  if (!answer.items.length) return;
  const list = document.getElementById('expiring-list');
  for (const c of answer.items.slice(0, 10)) {
    const li = document.createElement('li');
    const link = Object.assign(document.createElement('a'), { href: configurationHref(c.id), textContent: c.name });
    const warning = expiryText(c);
    li.append(link, ` (${c.type}) — `, Object.assign(document.createElement('span'), { className: `badge ${warning.className}`, textContent: warning.text }));
    list.append(li);
  }
  const more = answer.items.length > 10 ? ` The first 10 of ${answer.items.length} are listed.` : '';
  document.getElementById('expiring-note').textContent = `Expired, or expiring by ${answer.horizon_label}.${more}`;
  document.getElementById('expiring-tile').hidden = false;
}

async function latest(can) {
  const list = document.getElementById('latest-list');
  try {
    const page = await authed(LATEST);
    list.replaceChildren();
    for (const t of page.items.slice(0, 5)) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = ticketHref(t.number);
      a.textContent = `#${t.number} ${t.summary}`;
      li.append(a, ` — ${statusName(t)}, updated ${when(t.updated_at)}`);
      const marks = invoiceMarks(t, can.has('view_invoices'), can.has('all_companies'));
      if (marks) li.append(' ', marks);
      list.append(li);
    }
    if (!list.children.length) list.append(Object.assign(document.createElement('li'), { textContent: 'No open tickets.' }));
  } catch (err) {
    list.textContent = err.message;
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

// The account overview's prepaid hours: what is left of the active blocks and retainers.
function hoursLeft(items) {
  const active = withHours(items);
  if (!active.length) return;
  document.getElementById('bill-hours-left').textContent = hours(active.reduce((sum, a) => sum + a.balance.left_minutes, 0));
  document.getElementById('bill-hours').hidden = false;
}

// "2 quotes waiting for your approval", "1 ticket waiting for your approval" (seed 001's alerts).
function approvalAlert(id, count, one, many) {
  if (!count) return;
  const alert = document.getElementById(id);
  // The API counts up to 100 waiting quotes.
  const shown = count >= 100 ? '100+' : String(count);
  alert.querySelector('a').textContent = `${shown} ${count === 1 ? one : many} waiting for your approval`;
  alert.hidden = false;
  document.getElementById('approvals').hidden = false;
}

// The account overview: outstanding and overdue per currency, the next invoice due, store credit;
// and the quotes waiting for the approvers.
async function billing(can) {
  const o = await authed(OVERVIEW);
  if (can.has('approve_quotes')) approvalAlert('quotes-alert', o.quotes_waiting, 'quote', 'quotes');
  const sum = (field) => (o.balances.length ? o.balances.map((b) => money(b[field], b.currency)).join(' + ') : money(0, 'USD'));
  document.getElementById('bill-outstanding').textContent = sum('outstanding');
  document.getElementById('bill-overdue').textContent = sum('overdue');
  const late = o.oldest_overdue;
  document.getElementById('bill-overdue-label').textContent = late
    ? `Overdue since ${day(late.due_date)} (${late.label})`
    : 'Overdue';
  const next = o.next_due;
  document.getElementById('bill-next').textContent = next ? day(next.due_date) : 'Nothing due';
  document.getElementById('bill-next-label').textContent = next
    ? `Next payment due: ${next.label}, ${money(next.balance, next.currency)}`
    : late ? 'Next payment due: nothing else is due' : 'Next payment due';
  document.getElementById('bill-credit').textContent = o.credit.length
    ? o.credit.map((c) => money(c.amount, c.currency)).join(' + ')
    : money(0, o.balances[0]?.currency || 'USD');
  document.getElementById('bill-autopay').textContent = o.autopay
    ? 'Autopay is on: new invoices are charged to your default payment method.'
    : '';
  document.getElementById('billing-overview').hidden = false;
}

me.then(async (data) => {
  const first = data.user.name.split(' ')[0] || data.user.name;
  document.getElementById('greeting').textContent = `Welcome, ${first}`;
  document.getElementById('company-line').textContent = `${data.company.name} · ${data.user.role_label}`;
  const can = new Set(data.capabilities);
  const show = parts(data);
  if (show.latest) latest(can);
  if (show.billing) billing(can).catch(() => {});
  if (show.projects) projects().catch(() => {});
  if (show.expiring) expiring().catch(() => {});
  if (show.kb) kbTop().catch(() => {});
  if (show.hours) authed(AGREEMENTS).then((list) => { hoursTile(list.items); hoursLeft(list.items); }).catch(() => {});
  if (show.stats) {
    const stats = await authed(STATS);
    document.getElementById('stat-open').textContent = stats.open;
    document.getElementById('stat-month').textContent = stats.this_month;
    document.getElementById('stat-year').textContent = stats.this_year;
    if (can.has('approve_quotes')) approvalAlert('tickets-alert', stats.awaiting_approval, 'ticket', 'tickets');
    document.getElementById('stats-heading').textContent = can.has('view_company_tickets') ? `${data.company.name}'s tickets` : 'Your tickets';
    // No tickets at all: say so, rather than a chart of zeros.
    const none = stats.open === 0 && stats.months.every((m) => Object.entries(m).every(([k, v]) => k === 'month' || !v));
    document.getElementById('chart-figure').hidden = none;
    document.getElementById('no-tickets-yet').hidden = !none;
    document.getElementById('ticket-stats').hidden = false; // shown first: the chart takes its width
    if (!none) {
      const rows = stats.months.map((m) => ({ month: m.month, value: m.created, text: String(m.created) }));
      barChart(document.getElementById('chart'), document.querySelector('#chart-table tbody'), rows);
    }
  }
});
