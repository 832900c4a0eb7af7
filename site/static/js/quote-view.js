// One quote: its lines and the totals of each recurrence, terms, the PDF; for its approvers,
// approving (their name and the consent sentence, which names the totals), declining with a
// reason, asking to renew an expired one, and paying the deposit its approval invoiced; for MSP
// admins, editing, sending, revising and deleting drafts.
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { showProblem, whileBusy, when } from './forms.js';
import { confirmAction } from './confirm.js';
import { checkout, day, keepCompany, money, params, withCompany } from './billing-common.js';
import { labels } from './labels.js';

const $ = (id) => document.getElementById(id);
const id = params.get('id') || '';
const path = withCompany(`/api/quotes/${encodeURIComponent(id)}`);
const STATUS = labels('quote_status');
const RECURRENCE = labels('recurrence');
let quote = null;
let can = new Set();

const api = (tail, body) =>
  authed(withCompany(`/api/quotes/${encodeURIComponent(quote.id)}${tail}`, quote.company_id), { method: 'POST', body });

function cell(row, text, numeric) {
  const c = row.insertCell();
  c.textContent = text;
  if (numeric) c.className = 'num';
}

function fillLines(q) {
  const m = (v) => money(v, q.currency);
  const body = $('lines').tBodies[0];
  body.replaceChildren();
  for (const l of q.lines) {
    const row = body.insertRow();
    cell(row, l.description);
    cell(row, RECURRENCE[l.recurrence] || l.recurrence);
    cell(row, l.quantity, true);
    cell(row, m(l.unit_price), true);
    cell(row, m(l.amount), true);
  }
  const foot = $('lines').tFoot;
  foot.replaceChildren();
  const total = (label, amount) => {
    const row = foot.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.colSpan = 4;
    th.textContent = label;
    row.append(th);
    cell(row, m(amount), true);
  };
  for (const t of q.totals) {
    const kind = RECURRENCE[t.recurrence] || t.recurrence;
    if (q.tax_rate_bp) {
      total(`${kind} subtotal`, t.subtotal);
      total(`Tax (${(q.tax_rate_bp / 100).toLocaleString()} %)`, t.tax);
    }
    total(`${kind} total`, t.total);
  }
}

function link(text, href) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  return a;
}

// Who answered, and what the approval set off (the ticket, the project, the deposit invoice).
function fillAnswer(q) {
  const section = $('answer-section');
  const outcome = $('outcome');
  outcome.replaceChildren();
  $('deposit-pay').hidden = true;
  if (q.approval) {
    const a = q.approval;
    $('answer-heading').textContent = 'Approved';
    $('answer-text').textContent = `Approved by ${a.user_name}, signed “${a.name}”, ${when(a.at)}:\n${a.consent}`;
    const o = q.outcome || {};
    const item = (...parts) => {
      const li = document.createElement('li');
      li.append(...parts);
      outcome.append(li);
    };
    if (o.ticket) item('Ticket for the work: ', link(`#${o.ticket}`, `/tickets/view/?number=${o.ticket}`));
    if (o.project) item('Project: ', link(`P-${o.project}`, `/projects/view/?number=${o.project}`));
    if (o.deposit_invoice) {
      item('Deposit invoice: ', link(o.deposit_label, withCompany(`/invoices/view/?id=${encodeURIComponent(o.deposit_invoice)}`, q.company_id)));
      offerDeposit(o.deposit_invoice);
    }
  } else if (q.decline) {
    const d = q.decline;
    $('answer-heading').textContent = 'Declined';
    $('answer-text').textContent = `Declined by ${d.user_name}, ${when(d.at)}: ${d.reason}`;
  }
  section.hidden = !q.approval && !q.decline;
}

// The deposit can be paid at once, through Stripe, by the client's billing users.
async function offerDeposit(invoiceId) {
  if (!can.has('view_invoices') || can.has('all_companies') || !quote.online_payment) return;
  try {
    const invoice = await authed(`/api/invoices/${encodeURIComponent(invoiceId)}`);
    if (invoice.status !== 'issued' || invoice.balance <= 0) return;
    const button = $('pay-deposit');
    button.textContent = `Pay the deposit now: ${money(invoice.balance, invoice.currency)}`;
    button.onclick = () => whileBusy(button, () =>
      checkout([{ invoice_id: invoice.id, amount: invoice.balance }]).catch((err) => { $('deposit-error').textContent = err.message; }));
    $('deposit-pay').hidden = false;
  } catch {
    // The invoice page offers paying it too.
  }
}

function fill(q) {
  quote = q;
  document.title = `${q.label} · ${document.title.split(' · ').pop()}`;
  $('title').textContent = q.title;
  $('status-badge').textContent = q.expired ? 'Expired' : STATUS[q.status] || q.status;
  const values = { company_name: q.company_name, label: q.label, valid_until: day(q.valid_until), totals_text: q.totals_text, introduction: q.introduction, terms: q.terms };
  for (const el of document.querySelectorAll('[data-q]')) el.textContent = values[el.dataset.q] ?? '';
  $('terms-section').hidden = !q.terms;
  fillLines(q);
  $('pdf').href = withCompany(`/api/quotes/${encodeURIComponent(q.id)}/pdf`, q.company_id);
  $('pdf').setAttribute('download', `${q.label}.pdf`);
  $('superseded').hidden = !q.replaced_by;
  if (q.replaced_by) $('latest').href = withCompany(`/quotes/view/?id=${encodeURIComponent(q.replaced_by)}`, q.company_id);
  fillAnswer(q);
  // Approving: only while it may be answered, by an approver.
  $('approve-section').hidden = !q.may_answer;
  $('consent-text').textContent = q.consent;
  const then = [];
  if (q.on_approval.ticket_request_type) then.push('we raise a ticket for the work');
  if (q.on_approval.create_project) then.push('we plan it as a project');
  if (q.deposit) then.push(`we invoice a deposit of ${money(q.deposit, q.currency)}, which you can pay at once`);
  $('on-approval').textContent = then.length ? `When you approve, ${then.join(', and ')}.` : '';
  $('on-approval').hidden = !then.length;
  const approver = can.has('approve_quotes') && !can.has('all_companies');
  $('renew-section').hidden = !(approver && q.expired);
  $('renew').hidden = Boolean(q.renewal_ticket);
  $('renewed').hidden = !q.renewal_ticket;
  if (q.renewal_ticket) {
    $('renewed').replaceChildren('You asked us to renew it: ', link(`ticket #${q.renewal_ticket}`, `/tickets/view/?number=${q.renewal_ticket}`), '.');
  }
  staffActions(q);
  $('quote').setAttribute('aria-busy', 'false');
}

// The MSP's actions that apply to the quote as it is now.
function staffActions(q) {
  if (!can.has('manage_billing')) return;
  const changeable = ['draft', 'sent', 'declined'].includes(q.status);
  $('edit').hidden = !changeable;
  $('edit').textContent = q.status === 'draft' ? 'Edit draft' : 'Revise';
  $('edit').href = withCompany(`/quotes/edit/?id=${encodeURIComponent(q.id)}`, q.company_id);
  $('send').hidden = q.status !== 'draft';
  $('delete').hidden = q.status !== 'draft';
  $('staff-section').hidden = !changeable;
}

async function load() {
  try {
    fill(await authed(path));
    return true;
  } catch (err) {
    $('load-error').textContent = err.status === 404 ? 'There is no such quote, or it is not yours to see.' : err.message;
    $('quote').hidden = true;
    return false;
  }
}

$('approve-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  await whileBusy($('approve'), async () => {
    try {
      fill(await api('/approve', { name: $('name').value, consent: $('consent').checked, version: quote.version }));
      showProblem(form, $('approve-error'), { message: '' });
      $('page-status').textContent = `${quote.label} is approved. Thank you: we have been told.`;
      ($('deposit-pay').hidden ? $('answer-heading') : $('pay-deposit')).focus?.();
    } catch (err) {
      showProblem(form, $('approve-error'), err);
      if (err.status === 409) await load();
    }
  });
});

const declineDialog = $('decline-dialog');
$('open-decline').addEventListener('click', () => {
  $('decline-form').reset();
  showProblem($('decline-form'), $('decline-form-error'), { message: '' });
  declineDialog.showModal();
});
$('decline-cancel').addEventListener('click', () => declineDialog.close());
$('decline-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  await whileBusy($('decline'), async () => {
    try {
      fill(await api('/decline', { reason: $('reason').value, version: quote.version }));
      declineDialog.close();
      $('page-status').textContent = `${quote.label} is declined. We have been told why.`;
    } catch (err) {
      showProblem($('decline-form'), $('decline-form-error'), err);
    }
  });
});

$('renew').addEventListener('click', (e) => whileBusy(e.target, async () => {
  try {
    fill(await api('/renewal', {}));
    $('page-status').textContent = `We have your request to renew ${quote.label}.`;
  } catch (err) {
    $('renew-error').textContent = err.message;
  }
}));

$('send').addEventListener('click', async (e) => {
  const ok = await confirmAction({
    title: 'Send this quote?',
    text: `The approvers at ${quote.company_name} are emailed a link to approve or decline it. It is numbered, and from then on changes only as a new revision.`,
    yes: 'Send quote',
  });
  if (!ok) return;
  await whileBusy(e.target, async () => {
    try {
      fill(await api('/send', { version: quote.version }));
      $('page-status').textContent = `Sent as ${quote.label}; its approvers were emailed.`;
    } catch (err) {
      $('staff-error').textContent = err.message;
    }
  });
});

$('delete').addEventListener('click', async (e) => {
  if (!(await confirmAction({ title: 'Delete this draft?', text: 'The draft and its lines are gone for good. It never had a number.', yes: 'Delete the draft', no: 'Keep it', danger: true }))) return;
  await whileBusy(e.target, async () => {
    try {
      await authed(withCompany(`/api/quotes/${encodeURIComponent(quote.id)}`, quote.company_id), { method: 'DELETE' });
      location.assign(withCompany('/quotes/?tab=draft', quote.company_id));
    } catch (err) {
      $('staff-error').textContent = err.message;
    }
  });
});

startEarly(() => [path]);

me.then(async (data) => {
  can = new Set(data.capabilities);
  keepCompany();
  $('back').href = withCompany('/quotes/');
  await load();
});
