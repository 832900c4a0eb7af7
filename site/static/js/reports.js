// Reports: service request trends (a chart of tickets opened by month, its table with last year
// beside it, breakdowns, CSV) and responsiveness, for the user's company; MSP staff choose a
// company or all of them.
import { authed } from './api.js';
import { me } from './shell.js';
import { option } from './forms.js';
import { barChart } from './bar-chart.js';
import { labels } from './labels.js';

const params = new URLSearchParams(location.search);
const PRIORITY = labels('priority');
const monthName = new Intl.DateTimeFormat(undefined, { month: 'long', timeZone: 'UTC' });
const $ = (id) => document.getElementById(id);
const form = $('report-filters');

// Minutes as people say them: "25 min", "1 h 40 min", "2 d 3 h".
export function duration(minutes) {
  if (minutes === null || minutes === undefined) return '—';
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(minutes / 1440);
  const h = Math.round((minutes % 1440) / 60);
  return h ? `${d} d ${h} h` : `${d} d`;
}

const share = (met, all) => (all ? `${Math.round((met / all) * 100)}% (${met} of ${all})` : '—');

function fillBreakdown(id, rows, nameOf = (b) => b.name) {
  const body = $(id).tBodies[0];
  body.replaceChildren();
  for (const b of rows) {
    const row = body.insertRow();
    row.insertCell().textContent = nameOf(b);
    row.insertCell().textContent = b.opened;
    row.insertCell().textContent = b.closed;
  }
  if (!rows.length) {
    const cell = body.insertRow().insertCell();
    cell.colSpan = 3;
    cell.textContent = 'No tickets this year.';
  }
}

async function trends(query, companies) {
  const t = await authed(`/api/reports/trends?${query}`);
  const [now, before] = t.years;
  $('trends-summary').textContent = `${now.year}: ${now.opened} opened, ${now.closed} closed. ${before.year}: ${before.opened} opened, ${before.closed} closed.`;
  $('trend-chart-caption').textContent = `Tickets opened per month, ${now.year}`;
  barChart($('trend-chart'), document.createElement('tbody'), now.months.map((m) => ({ month: m.month, value: m.opened, text: String(m.opened) })));
  $('this-opened').textContent = `Opened ${now.year}`;
  $('this-closed').textContent = `Closed ${now.year}`;
  $('last-opened').textContent = `Opened ${before.year}`;
  $('last-closed').textContent = `Closed ${before.year}`;
  const body = $('trend-table').tBodies[0];
  body.replaceChildren();
  now.months.forEach((m, i) => {
    const row = body.insertRow();
    const head = document.createElement('th');
    head.scope = 'row';
    head.textContent = monthName.format(new Date(`${m.month}-01T00:00:00Z`));
    row.append(head);
    for (const v of [m.opened, m.closed, before.months[i].opened, before.months[i].closed]) row.insertCell().textContent = v;
  });
  fillBreakdown('by-type', now.by_type);
  fillBreakdown('by-priority', now.by_priority, (b) => PRIORITY[b.key] ?? b.name);
  const perCompany = t.company === null;
  $('by-contact-caption').textContent = perCompany ? 'By company' : 'By contact';
  $('by-contact').tHead.rows[0].cells[0].textContent = perCompany ? 'Company' : 'Contact';
  fillBreakdown('by-contact', now.by_contact, (b) => (perCompany ? companies.get(b.key) ?? b.key : b.name));
  $('trends-csv').href = `/api/reports/trends/export?${query}`;
  $('trends').setAttribute('aria-busy', 'false');
}

async function responsiveness(query) {
  const r = await authed(`/api/reports/responsiveness?${query}`);
  const body = $('responsiveness-table').tBodies[0];
  body.replaceChildren();
  for (const m of [...r.months].reverse()) {
    const row = body.insertRow();
    const head = document.createElement('th');
    head.scope = 'row';
    head.textContent = `${monthName.format(new Date(`${m.month}-01T00:00:00Z`))} ${m.month.slice(0, 4)}`;
    row.append(head);
    for (const v of [
      m.responses, duration(m.response_median), duration(m.response_p90),
      m.resolutions, duration(m.resolution_median), duration(m.resolution_p90),
      share(m.response_targets_met, m.response_targets), share(m.resolution_targets_met, m.resolution_targets),
    ]) row.insertCell().textContent = v;
  }
  $('responsiveness').setAttribute('aria-busy', 'false');
}

// The executive report: the last twelve months and four quarters; its link follows the choice.
function executive(query, data) {
  const select = $('period');
  const now = new Date();
  for (let back = 1; back <= 12; back += 1) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    const value = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    option(select, value, `${monthName.format(d)} ${d.getUTCFullYear()}`);
  }
  let q = Math.floor(now.getUTCMonth() / 3);
  let y = now.getUTCFullYear();
  for (let i = 0; i < 4; i += 1) {
    q -= 1;
    if (q < 0) { q = 3; y -= 1; }
    option(select, `${y}-Q${q + 1}`, `Q${q + 1} ${y} (quarter)`);
  }
  const link = () => {
    const p = new URLSearchParams(query);
    p.delete('year');
    p.set('period', select.value);
    $('executive-pdf').href = `/api/reports/executive?${p}`;
  };
  select.addEventListener('change', link);
  link();
  // Full Admins subscribe to it in their notification preferences.
  const box = $('subscribe');
  box.checked = Boolean(data.user.notify.executive_report);
  box.addEventListener('change', async () => {
    $('subscription-status').textContent = '';
    try {
      const saved = await authed('/api/me', { method: 'PATCH', body: { notify: { ...data.user.notify, executive_report: box.checked } } });
      data.user.notify = saved.user.notify;
      $('subscription-status').textContent = box.checked ? 'Subscribed: the report comes on the first of each month.' : 'Unsubscribed.';
    } catch (err) {
      box.checked = !box.checked;
      $('subscription-status').textContent = err.message;
    }
  });
  $('subscription').addEventListener('submit', (e) => e.preventDefault());
}

me.then(async (data) => {
  const staff = data.capabilities.includes('all_companies');
  const thisYear = new Date().getUTCFullYear();
  for (let y = thisYear; y > thisYear - 4; y -= 1) option(form.elements.year, String(y), String(y));
  form.elements.year.value = params.get('year') || String(thisYear);
  const companies = new Map();
  if (staff) {
    $('company-filter').hidden = false;
    const list = await authed('/api/companies');
    for (const c of list.items) if (c.kind !== 'msp') { option(form.elements.company, c.id, c.name); companies.set(c.id, c.name); }
    form.elements.company.value = params.get('company') || '';
  }
  const company = staff ? form.elements.company.value : '';
  $('reports-scope').textContent = staff
    ? (company ? `For ${companies.get(company) ?? company}.` : 'For every client company.')
    : `For ${data.company.name}.`;
  for (const select of [form.elements.year, form.elements.company]) {
    select.addEventListener('change', () => {
      const next = new URLSearchParams();
      if (staff && form.elements.company.value) next.set('company', form.elements.company.value);
      next.set('year', form.elements.year.value);
      location.assign(`?${next}`);
    });
  }
  const query = new URLSearchParams();
  if (company) query.set('company', company);
  query.set('year', form.elements.year.value);
  executive(query, data);
  try {
    await Promise.all([trends(query, companies), responsiveness(company ? `company=${encodeURIComponent(company)}` : '')]);
  } catch (err) {
    $('reports-error').textContent = err.message;
  }
});
