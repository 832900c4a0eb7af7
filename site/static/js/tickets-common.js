// What the ticket pages share: labels, dates, building rows, and attachment uploads.
import { uploadThrough } from './uploads.js';
import { invoiceLabel, labels } from './labels.js';
import { when } from './forms.js';

export { option, showProblem, when } from './forms.js';

// The MSP's ticket settings (request types, statuses clients may set, …), read by several pages.
export const SETTINGS = '/api/tickets/settings';
export const STATUS = labels('ticket_status');
export const PRIORITY = labels('priority');

// A ticket's (or a list row's) status as the MSP names it: its own status's name, or the
// stage's under the MSP's name for it (from `settings`, once read), or the stage's own.
export function statusName(t, settings) {
  const id = t.custom_status?.id || t.status;
  const named = settings?.statuses?.find((s) => s.id === id);
  return named?.name || t.custom_status?.name || STATUS[t.status] || t.status;
}

// The statuses staff may choose for a ticket: the MSP's list, retired ones and "waiting for
// approval" (set by asking for it) left out.
export function choosableStatuses(settings) {
  return (settings?.statuses || []).filter((s) => !s.retired && s.stage !== 'waiting_for_approval');
}

// Where a ticket stands against its `which` target ('response' or 'resolution'), as
// { text, missed }, or null when it has none. A target passed unmet counts as missed at once,
// before the hourly mark.
export function targetState(targets, which) {
  const due = targets?.[`${which}_due`];
  if (!due) return null;
  const met = targets[which === 'response' ? 'responded_at' : 'resolved_at'];
  const late = (at) => new Date(at).getTime() > new Date(due).getTime();
  const missed = Boolean(targets[`${which}_missed`]) || late(met || Date.now());
  if (met) return { missed, text: missed ? `Missed: due ${when(due)}, met ${when(met)}` : `Met ${when(met)} (due ${when(due)})` };
  return { missed, text: missed ? `Missed: was due ${when(due)}` : `Due by ${when(due)}` };
}

// The targets tables (the MSP's settings, an agreement's): a row per priority, in hours.
const TARGET_PRIORITIES = ['critical', 'high', 'medium', 'low'];
const hoursOf = (minutes) => (minutes == null ? '' : String(minutes / 60));
const minutesOf = (value) => (value.trim() === '' ? null : Math.round(Number(value) * 60));

export function fillTargets(prefix, targets) {
  for (const p of TARGET_PRIORITIES) {
    const target = targets.find((t) => t.priority === p);
    document.getElementById(`${prefix}response-${p}`).value = hoursOf(target?.response_minutes);
    document.getElementById(`${prefix}resolution-${p}`).value = hoursOf(target?.resolution_minutes);
  }
}

// The priorities with a target set, as the API takes them.
export function readTargets(prefix) {
  return TARGET_PRIORITIES.map((priority) => ({
    priority,
    response_minutes: minutesOf(document.getElementById(`${prefix}response-${priority}`).value),
    resolution_minutes: minutesOf(document.getElementById(`${prefix}resolution-${priority}`).value),
  })).filter((t) => t.response_minutes != null || t.resolution_minutes != null);
}

// "High: first response 15 min, resolution 1 h; …"
export function targetsText(targets) {
  const span = (m) => (m == null ? 'none' : m % 60 ? `${m} min` : `${m / 60} h`);
  return targets.map((t) => `${PRIORITY[t.priority]}: first response ${span(t.response_minutes)}, resolution ${span(t.resolution_minutes)}`).join('; ');
}

export function ticketHref(number) {
  return `/tickets/view/?number=${number}`;
}

// Upload one file to a ticket the whole way: ask for a presigned POST, post the file straight to
// storage, then confirm. Resolves with the attachment; throws an ApiProblem with a clear title.
export function uploadFile(number, file, { internal = false } = {}) {
  return uploadThrough({
    grantPath: `/api/tickets/${number}/uploads`,
    grantBody: { internal },
    confirmPath: `/api/tickets/${number}/attachments`,
  }, file);
}

// Upload `files` to ticket `number` all at once (not one after the other), saying how far it got
// with `progress(text)`; answers the failures as "name: why" lines.
export async function uploadAll(number, files, progress, options) {
  let done = 0;
  const say = () => progress(`Uploading ${files.length === 1 ? files[0].name : `${files.length} files`}… ${done} of ${files.length} done.`);
  if (files.length) say();
  const results = await Promise.allSettled(files.map((file) => uploadFile(number, file, options).finally(() => {
    done += 1;
    say();
  })));
  return results.flatMap((r, i) => (r.status === 'rejected' ? [`${files[i].name}: ${r.reason.message}`] : []));
}

// A file picker that also takes drops and pastes (on `pasteTarget` too). `files()` is the chosen
// list; `clear()` empties it.
export function fileDrop(id, pasteTarget) {
  const input = document.getElementById(id);
  const zone = document.getElementById(`${id}-zone`);
  const list = document.getElementById(`${id}-list`);
  let chosen = [];
  function render() {
    list.replaceChildren();
    chosen.forEach((file, i) => {
      const li = document.createElement('li');
      li.textContent = `${file.name} (${Math.max(1, Math.round(file.size / 1024))} KB) `;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'secondary outline small';
      remove.textContent = 'Remove';
      remove.setAttribute('aria-label', `Remove ${file.name}`);
      remove.addEventListener('click', () => { chosen.splice(i, 1); render(); });
      li.append(remove);
      list.append(li);
    });
  }
  function add(files) {
    for (const file of files) {
      const named = file.name ? file : new File([file], `pasted-image-${Date.now()}.png`, { type: file.type });
      chosen.push(named);
    }
    render();
  }
  input.addEventListener('change', () => { add(input.files); input.value = ''; });
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    add(e.dataTransfer.files);
  });
  for (const target of [zone, pasteTarget].filter(Boolean)) {
    target.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files || [])];
      if (files.length) {
        e.preventDefault();
        add(files);
      }
    });
  }
  return { files: () => [...chosen], clear: () => { chosen = []; render(); } };
}

// Show a problem's per-field messages next to the fields of `form`; the rest in `errorEl`.

const SVG = 'http://www.w3.org/2000/svg';

// A shopping cart (seed 004's marker of an invoiced ticket), for beside its text.
function cartIcon() {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'cart-icon');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', 'M3 4h2.5l2.2 10.2a1 1 0 0 0 1 .8h8.6a1 1 0 0 0 1-.8L20 8H6.6M10 19.5a1.5 1.5 0 1 1-3 0 1.5 1.5 0 0 1 3 0zm9 0a1.5 1.5 0 1 1-3 0 1.5 1.5 0 0 1 3 0z');
  svg.append(path);
  return svg;
}

// The invoices that bill a ticket, each as a cart and its number: a link to the invoice for
// those who see invoices (`company` for MSP staff's links), plain text for the rest. Null when
// none does.
export function invoiceMarks(ticket, seesInvoices, staff) {
  if (!ticket.invoices?.length) return null;
  const holder = document.createElement('span');
  holder.className = 'invoice-marks';
  for (const mark of ticket.invoices) {
    const label = invoiceLabel(mark.number);
    let el;
    if (seesInvoices) {
      el = document.createElement('a');
      el.href = `/invoices/view/?id=${encodeURIComponent(mark.invoice_id)}${staff ? `&company=${encodeURIComponent(ticket.company_id)}` : ''}`;
    } else {
      el = document.createElement('span');
    }
    el.className = 'invoice-mark';
    el.title = `Invoiced on ${label}`;
    const text = document.createElement('span');
    text.textContent = label;
    const hidden = Object.assign(document.createElement('span'), { className: 'visually-hidden', textContent: 'Invoiced on ' });
    el.append(cartIcon(), hidden, text);
    holder.append(el, ' ');
  }
  return holder;
}
