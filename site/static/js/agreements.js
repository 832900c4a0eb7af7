// Agreements: each with its dates and type; for prepaid hours the balance as a bar with what is
// left, the hours used by month (a chart with its table twin) and the time behind them; the terms
// for those who see them. MSP staff choose the company; MSP admins create and change agreements.
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { renamed, showProblem, whileBusy } from './forms.js';
import { day, fillCompanies, money, moneyInput, params, parseMoney } from './billing-common.js';
import { AGREEMENT_STATUS, CYCLE, KIND, WORK_TYPE, hours, leftText, lowText } from './agreements-common.js';
import { barChart } from './bar-chart.js';
import { SETTINGS, fillTargets, readTargets, targetsText, ticketHref } from './tickets-common.js';

const list = document.getElementById('agreement-list');
const template = document.getElementById('agreement-card');
const status = document.getElementById('page-status');
const dialog = document.getElementById('agreement-dialog');
const form = document.getElementById('agreement-form');
const formError = document.getElementById('agreement-error');
let company = params.get('company') || '';
let agreements = [];
let onlinePayment = false;
let who = null;
if (params.get('checkout') === 'cancelled') status.textContent = 'The payment was cancelled: nothing was charged and no hours were added.';

const path = (p) => (company && who?.capabilities.includes('all_companies') ? `${p}${p.includes('?') ? '&' : '?'}company=${encodeURIComponent(company)}` : p);

startEarly((data) => [!data.capabilities.includes('all_companies') && '/api/agreements']);

function fact(dl, term, value) {
  dl.append(Object.assign(document.createElement('dt'), { textContent: term }), Object.assign(document.createElement('dd'), { textContent: value }));
}

function dates(a) {
  const end = a.end_date ? day(a.end_date) : 'no end date';
  const renews = a.terms?.auto_renew ? ' (renews automatically)' : '';
  return `${day(a.start_date)} to ${end}${renews}`;
}

// The time logged against an agreement, 50 at a time, when its details are opened.
function timeList(card, a) {
  const details = card.querySelector('[data-a="time"]');
  const more = card.querySelector('[data-a="time-more"]');
  const box = card.querySelector('.time-list');
  const table = document.createElement('table');
  const caption = Object.assign(document.createElement('caption'), { className: 'visually-hidden', textContent: `Time logged against ${a.name}` });
  const head = table.createTHead().insertRow();
  for (const h of ['Date', 'Ticket', 'Technician', 'Work', 'Time', 'Note']) head.append(Object.assign(document.createElement('th'), { scope: 'col', textContent: h }));
  table.prepend(caption);
  const body = table.createTBody();
  let cursor = null;
  let loaded = false;
  async function page() {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const got = await authed(path(`/api/agreements/${a.id}/time${query}`));
    for (const e of got.items) {
      const row = body.insertRow();
      row.insertCell().textContent = day(e.date);
      row.insertCell().append(Object.assign(document.createElement('a'), { href: ticketHref(e.ticket_number), textContent: `#${e.ticket_number}` }));
      row.insertCell().textContent = e.by_name;
      row.insertCell().textContent = WORK_TYPE[e.work_type] || e.work_type;
      row.insertCell().textContent = hours(e.minutes);
      row.insertCell().textContent = e.note;
    }
    if (!body.rows.length) body.insertRow().insertCell().textContent = 'No time logged yet.';
    cursor = got.next_cursor;
    more.hidden = !cursor;
  }
  details.addEventListener('toggle', () => {
    if (!details.open || loaded) return;
    loaded = true;
    box.replaceChildren(table);
    page().catch((err) => { box.textContent = err.message; });
  });
  more.addEventListener('click', () => whileBusy(more, page));
}

// A client's billing users pay; MSP staff do not buy for clients.
const mayPay = () => who.capabilities.includes('view_invoices') && !who.capabilities.includes('all_companies');

// Buying more hours: an invoice for the size chosen, paid on Stripe's page; the hours are added when
// Stripe confirms. The same key is sent again for the same choice, so a double click buys once.
function buyForm(card, a) {
  const t = a.terms;
  const form = card.querySelector('[data-a="buy"]');
  const select = form.querySelector('[data-a="buy-size"]');
  const error = form.querySelector('[data-a="buy-error"]');
  form.hidden = false;
  for (const h of t.block_sizes) {
    const o = Object.assign(document.createElement('option'), { value: String(h), textContent: `${h} hours: ${money(h * t.rate, t.currency)} before tax` });
    select.append(o);
  }
  let attempt = null;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const hoursWanted = Number(select.value);
    if (!attempt || attempt.hours !== hoursWanted) attempt = { hours: hoursWanted, key: crypto.randomUUID() };
    error.textContent = '';
    whileBusy(form.querySelector('button'), async () => {
      try {
        const started = await authed(`/api/agreements/${a.id}/purchase`, {
          method: 'POST',
          body: { hours: hoursWanted },
          headers: { 'idempotency-key': attempt.key },
        });
        location.assign(started.url);
        await new Promise(() => {});
      } catch (err) {
        error.textContent = err.message;
      }
    });
  });
}

function card(a) {
  const item = template.content.cloneNode(true);
  const article = item.querySelector('article');
  article.id = `a-${a.id}`;
  const at = (name) => item.querySelector(`[data-a="${name}"]`);
  at('name').textContent = a.name;
  at('status').textContent = AGREEMENT_STATUS[a.status] || a.status;
  at('kind').textContent = KIND[a.kind] || a.kind;
  at('dates').textContent = dates(a);
  if (a.balance) {
    const b = a.balance;
    at('hours').hidden = false;
    const period = a.kind === 'retainer' && b.period_start ? ` this period (${day(b.period_start)} to ${day(b.period_end)})` : '';
    at('hours-line').textContent = `${hours(b.used_minutes)} used${period}: ${leftText(b)}.`;
    const bar = at('bar');
    bar.value = Math.min(100, Math.round((100 * b.used_minutes) / Math.max(1, b.included_minutes)));
    bar.setAttribute('aria-label', `${a.name}: ${hours(b.used_minutes)} used of ${hours(b.included_minutes)}`);
    if (b.low) {
      at('low').hidden = false;
      at('low').textContent = `${lowText(a)} ${a.terms?.block_sizes?.length ? '' : 'Ask us about more hours.'}`.trim();
    }
    if (a.usage?.length) {
      at('usage').hidden = false;
      const caption = `${a.name}: hours used by month`;
      at('usage-caption').textContent = caption;
      const id = `usage-${a.id}`;
      at('usage-caption').id = id;
      at('usage-table').setAttribute('aria-labelledby', id);
      const rows = a.usage.slice(-12).map((m) => ({ month: m.month, value: m.minutes, text: hours(m.minutes) }));
      // Drawn once the card is in the page (it takes the card's width).
      queueMicrotask(() => barChart(article.querySelector('[data-a="usage-bars"]'), article.querySelector('[data-a="usage-table"] tbody'), rows));
    }
  }
  if (a.terms) {
    const t = a.terms;
    const dl = at('terms');
    dl.hidden = false;
    if (t.fee) fact(dl, 'Fee', `${money(t.fee, t.currency)} ${(CYCLE[t.billing_cycle] || '').toLowerCase()}`);
    if (t.rate) fact(dl, 'Rate per hour', money(t.rate, t.currency));
    if (t.kind === 'retainer') fact(dl, 'Hours each period', hours(t.included_minutes));
    if (t.kind === 'block') fact(dl, 'Hours in the block', hours(t.included_minutes));
    fact(dl, 'Covers', t.covers.length ? t.covers.join(', ') : 'Every request type');
    if (t.targets?.length) fact(dl, 'Targets (business hours)', targetsText(t.targets));
    if (t.block_sizes.length) fact(dl, 'More hours', t.block_sizes.map((h) => `${h} h (${money(h * t.rate, t.currency)})`).join(', '));
    if (a.balance) at('time').hidden = false;
    timeList(item, a);
  }
  if (a.terms?.block_sizes.length && onlinePayment && mayPay()) buyForm(item, a);
  // A card is cloned after the shell showed the page's own capability parts: its Edit follows here.
  const edit = item.querySelector('footer[data-capability]');
  edit.hidden = !edit.dataset.capability.split(' ').some((c) => who.capabilities.includes(c));
  at('edit').addEventListener('click', () => openForm(a));
  at('edit').setAttribute('aria-label', `Edit ${a.name}`);
  return item;
}

async function load() {
  list.setAttribute('aria-busy', 'true');
  const none = document.getElementById('no-agreements');
  none.hidden = true;
  list.replaceChildren();
  if (!company && who.capabilities.includes('all_companies')) {
    none.hidden = false;
    none.textContent = 'Choose a company to see its agreements.';
    list.setAttribute('aria-busy', 'false');
    return;
  }
  const got = await authed(path('/api/agreements'));
  agreements = got.items;
  onlinePayment = got.online_payment;
  list.replaceChildren(...agreements.map(card));
  if (!agreements.length) {
    none.hidden = false;
    none.textContent = 'No agreements yet.';
  }
  list.setAttribute('aria-busy', 'false');
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

// The MSP admin's form: new, or an agreement's terms to change.
let editing = null;
async function openForm(a) {
  editing = a?.terms || null;
  formError.textContent = '';
  form.reset();
  showProblem(form, formError, { message: '' });
  document.getElementById('agreement-title').textContent = editing ? `Change ${editing.name}` : 'New agreement';
  document.getElementById('agreement-save').textContent = editing ? 'Save changes' : 'Create agreement';
  document.getElementById('company-field').hidden = !!editing;
  const el = form.elements;
  el.company_id.value = company;
  const settings = await authed(SETTINGS);
  const covers = document.getElementById('covers');
  covers.replaceChildren(...settings.request_types.map((t) => {
    const label = document.createElement('label');
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'covers', value: t });
    box.checked = !!editing?.covers.includes(t);
    label.append(box, t);
    return label;
  }));
  if (editing) {
    const currency = editing.currency;
    el.name.value = editing.name;
    el.kind.value = editing.kind;
    el.status.value = editing.status;
    el.billing_cycle.value = editing.billing_cycle;
    el.start_date.value = editing.start_date;
    el.end_date.value = editing.end_date || '';
    el.auto_renew.checked = editing.auto_renew;
    el.fee.value = editing.fee ? moneyInput(editing.fee, currency) : '';
    el.rate.value = editing.rate ? moneyInput(editing.rate, currency) : '';
    el.hours.value = editing.included_minutes ? String(editing.included_minutes / 60) : '';
    el.low_balance_percent.value = editing.low_balance_percent;
    el.block_sizes.value = editing.block_sizes.join(', ');
    fillTargets('agreement-', editing.targets || []);
    el.version.value = editing.version;
  } else {
    el.low_balance_percent.value = 20;
    fillTargets('agreement-', []);
  }
  dialog.showModal();
}

function body() {
  const el = form.elements;
  const currency = editing?.currency || el.company_id.selectedOptions[0]?.dataset.currency || 'USD';
  const amount = (name) => (el[name].value.trim() ? parseMoney(el[name].value, currency) ?? -1 : 0);
  const sizes = el.block_sizes.value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const out = {
    name: el.name.value,
    kind: el.kind.value,
    status: el.status.value,
    billing_cycle: el.billing_cycle.value,
    start_date: el.start_date.value,
    end_date: el.end_date.value || null,
    auto_renew: el.auto_renew.checked,
    fee: amount('fee'),
    rate: amount('rate'),
    included_minutes: Math.round(Number(el.hours.value || 0) * 60),
    covers: [...form.querySelectorAll('input[name="covers"]:checked')].map((b) => b.value),
    low_balance_percent: Number(el.low_balance_percent.value || 20),
    block_sizes: sizes.every(Number.isInteger) ? sizes : [-1],
    targets: readTargets('agreement-'),
  };
  if (editing) out.version = editing.version;
  else out.company_id = el.company_id.value;
  return out;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = document.getElementById('agreement-save');
  await whileBusy(button, async () => {
    try {
      const sent = body();
      const saved = editing
        ? await authed(path(`/api/agreements/${editing.id}`), { method: 'PATCH', body: sent })
        : await authed('/api/agreements', { method: 'POST', body: sent, headers: { 'idempotency-key': crypto.randomUUID() } });
      dialog.close();
      if (!editing && sent.company_id !== company) {
        company = sent.company_id;
        document.getElementById('company').value = company;
      }
      await load();
      status.textContent = editing ? `${saved.name} saved.` : `${saved.name} created.`;
    } catch (err) {
      showProblem(form, formError, renamed(err, { included_minutes: 'hours' }));
    }
  });
});
document.getElementById('agreement-cancel').addEventListener('click', () => dialog.close());
document.getElementById('new-agreement').addEventListener('click', () => openForm(null));

me.then(async (data) => {
  who = data;
  try {
    if (data.capabilities.includes('all_companies')) {
      const filter = document.getElementById('company-filter');
      filter.hidden = false;
      const select = document.getElementById('company');
      await fillCompanies(select, company);
      await fillCompanies(form.elements.company_id, company);
      select.addEventListener('change', () => {
        company = select.value;
        const url = new URL(location.href);
        url.searchParams.set('company', company);
        history.replaceState(null, '', url);
        load().catch((err) => { document.getElementById('load-error').textContent = err.message; });
      });
    }
    await load();
  } catch (err) {
    list.setAttribute('aria-busy', 'false');
    document.getElementById('load-error').textContent = err.message;
  }
});

