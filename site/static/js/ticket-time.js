// The ticket page's time section: the time spent (total, billable, each entry with its public
// note) for everyone who sees the ticket; for MSP staff the form to log time (the agreement it
// counts against, with the hours left after it), and each entry's change and delete.
import { authed } from './api.js';
import { confirmAction } from './confirm.js';
import { day } from './dates.js';
import { option, renamed, showProblem, whileBusy } from './forms.js';
import { WORK_TYPE, hours, leftText } from './agreements-common.js';
import { invoiceLabel } from './labels.js';

const section = document.getElementById('time-section');
const form = document.getElementById('time-form');
const error = document.getElementById('time-error');
const balanceLine = document.getElementById('time-balance');
let ticket = null;
let reload = async () => {};
let agreements = null;

const FIELDS = { date: 'time-date', minutes: 'time-minutes', work_type: 'time-work-type', agreement_id: 'time-agreement', note: 'time-note' };

function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

// The company's agreements (with balances), for the form's choice and the balance line.
async function loadAgreements(company) {
  const got = await authed(`/api/agreements?company=${encodeURIComponent(company)}`);
  agreements = got.items;
  const select = form.elements['time-agreement'];
  select.replaceChildren();
  option(select, '', 'The agreement that covers this ticket');
  for (const a of agreements.filter((x) => x.status === 'active')) option(select, a.id, a.balance ? `${a.name} (${leftText(a.balance)})` : a.name);
  option(select, 'none', 'No agreement');
}

function resetForm() {
  form.reset();
  form.elements['time-date'].value = today();
  form.elements['time-billable'].checked = true;
  form.elements['time-id'].value = '';
  document.getElementById('time-form-title').textContent = 'Log time';
  document.getElementById('time-save').textContent = 'Log time';
  document.getElementById('time-cancel').hidden = true;
}

function edit(entry) {
  const el = form.elements;
  el['time-date'].value = entry.date;
  el['time-minutes'].value = entry.minutes;
  el['time-work-type'].value = entry.work_type;
  el['time-agreement'].value = entry.agreement_id || 'none';
  el['time-note'].value = entry.note;
  el['time-billable'].checked = entry.billable;
  el['time-internal'].checked = entry.internal;
  el['time-id'].value = entry.id;
  el['time-version'].value = entry.version;
  document.getElementById('time-form-title').textContent = `Change the entry of ${day(entry.date)}`;
  document.getElementById('time-save').textContent = 'Save the change';
  document.getElementById('time-cancel').hidden = false;
  el['time-minutes'].focus();
}

async function remove(entry, button) {
  const ok = await confirmAction({
    title: `Delete ${hours(entry.minutes)} of ${day(entry.date)}?`,
    text: entry.agreement_name ? `The time goes back to ${entry.agreement_name}.` : 'The entry is removed from the ticket.',
    yes: 'Delete the entry',
    danger: true,
  });
  if (!ok) return;
  await whileBusy(button, async () => {
    try {
      await authed(`/api/tickets/${ticket.number}/time/${entry.id}`, { method: 'DELETE' });
      await after(entry.agreement_id, 'Time entry deleted.');
    } catch (err) {
      error.textContent = err.message;
    }
  });
}

// After a change: the ticket again, and what is left of the agreement.
async function after(agreementId, done) {
  await reload();
  if (agreementId) await loadAgreements(ticket.company_id);
  const a = agreements?.find((x) => x.id === agreementId);
  balanceLine.textContent = a?.balance ? `${done} ${a.name}: ${leftText(a.balance)}.` : done;
}

/** Show the time of `detail` (the ticket's page); `staff` get the form. */
export function showTime(detail, staff, again) {
  ticket = detail.ticket;
  reload = again;
  const time = detail.time;
  section.hidden = !staff && !time.entries.length;
  document.getElementById('time-total').textContent = time.entries.length
    ? `Total ${hours(time.total_minutes)}, of which ${hours(time.billable_minutes)} billable.`
    : 'No time logged yet.';
  for (const th of section.querySelectorAll('[data-staff-only]')) th.hidden = !staff;
  const body = document.querySelector('#time-table tbody');
  body.replaceChildren();
  for (const e of time.entries) {
    const row = body.insertRow();
    row.insertCell().textContent = day(e.date);
    row.insertCell().textContent = e.by_name;
    row.insertCell().textContent = WORK_TYPE[e.work_type] || e.work_type;
    row.insertCell().textContent = hours(e.minutes);
    row.insertCell().textContent = e.billable ? 'Yes' : 'No';
    const note = row.insertCell();
    note.textContent = e.note;
    if (e.internal && staff) note.append(' ', Object.assign(document.createElement('span'), { className: 'badge internal', textContent: 'Internal' }));
    if (staff) {
      row.insertCell().textContent = e.agreement_name || '—';
      const actions = row.insertCell();
      if (e.billed) {
        // Its invoice's number once issued (the ticket's marks); a draft has none yet.
        const mark = ticket.invoices?.find((m) => m.invoice_id === e.billed.invoice_id);
        actions.textContent = mark ? `Billed on ${invoiceLabel(mark.number)}` : 'On a draft invoice';
      } else {
        for (const [label, act] of [['Edit', () => edit(e)], ['Delete', (b) => remove(e, b)]]) {
          const b = Object.assign(document.createElement('button'), { type: 'button', className: 'secondary small', textContent: label });
          b.setAttribute('aria-label', `${label} the entry of ${day(e.date)}, ${hours(e.minutes)}`);
          b.addEventListener('click', () => act(b));
          actions.append(b, ' ');
        }
      }
    }
  }
  if (staff && form.hidden) {
    form.hidden = false;
    resetForm();
    loadAgreements(ticket.company_id).catch((err) => { error.textContent = err.message; });
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const el = form.elements;
  const id = el['time-id'].value;
  const chosen = el['time-agreement'].value;
  const body = {
    date: el['time-date'].value,
    minutes: Number(el['time-minutes'].value || 0),
    work_type: el['time-work-type'].value,
    billable: el['time-billable'].checked,
    internal: el['time-internal'].checked,
    note: el['time-note'].value,
  };
  if (chosen) body.agreement_id = chosen === 'none' ? '' : chosen;
  if (id) body.version = Number(el['time-version'].value);
  error.textContent = '';
  balanceLine.textContent = '';
  await whileBusy(document.getElementById('time-save'), async () => {
    try {
      const saved = id
        ? await authed(`/api/tickets/${ticket.number}/time/${id}`, { method: 'PATCH', body })
        : await authed(`/api/tickets/${ticket.number}/time`, { method: 'POST', body, headers: { 'idempotency-key': crypto.randomUUID() } });
      resetForm();
      await after(saved.agreement_id, id ? 'Time entry saved.' : `${hours(saved.minutes)} logged.`);
    } catch (err) {
      // The API names fields as it takes them; the form's slots are `time-…`.
      showProblem(form, error, renamed(err, FIELDS));
    }
  });
});

document.getElementById('time-cancel').addEventListener('click', resetForm);
