// What every form page shares: dates, options, and showing an API problem on a form.
import { ApiProblem, api } from './api.js';

export { when } from './dates.js';

// Append <option value>text</option> to a select.
export function option(select, value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  select.append(o);
}

// Show a problem: per-field messages next to their fields (`{name}-error` slots), the title in
// `errorEl`.
export function showProblem(form, errorEl, err) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  const fields = err instanceof ApiProblem ? err.fields : {};
  let placed = false;
  for (const [field, message] of Object.entries(fields)) {
    const input = form.querySelector(`[name="${field}"]`);
    const slot = document.getElementById(`${field}-error`);
    if (input && slot) {
      input.setAttribute('aria-invalid', 'true');
      slot.textContent = message;
      placed = true;
    }
  }
  const first = form.querySelector('[aria-invalid="true"]');
  // A summary only where it is read before the fields; the focus moves to the first marked field,
  // whose message is announced with it (aria-describedby).
  const above = first && (errorEl.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
  errorEl.textContent = placed ? (above ? 'Please correct the fields marked below.' : '') : err.message;
  first?.focus();
}

// An API problem whose field names differ from the form's (`{ apiName: formName }`), renamed so
// showProblem finds their slots.
export function renamed(err, names) {
  for (const e of err.problem?.errors ?? []) if (names[e.field]) e.field = names[e.field];
  return err;
}

// A problem with what `control` (a row's button, a lone button) did, said beside it and announced,
// not at the top of the page out of sight; `clearBeside` empties it before the next try.
export function problemBeside(control, message) {
  const holder = control.parentElement;
  let slot = holder.querySelector(':scope > .beside-error');
  if (!slot) {
    slot = document.createElement('p');
    slot.className = 'form-error beside-error';
    slot.setAttribute('role', 'alert');
    holder.append(slot);
  }
  slot.textContent = message;
}
export function clearBeside(control) {
  control.parentElement?.querySelector(':scope > .beside-error')?.replaceChildren();
}

// Run `action` with `button` marked busy and disabled; answers what `action` answers.
export async function whileBusy(button, action) {
  button.setAttribute('aria-busy', 'true');
  button.disabled = true;
  try {
    return await action();
  } finally {
    button.removeAttribute('aria-busy');
    button.disabled = false;
  }
}

// A public form that posts its fields and shows the server's one answer in `status` (forgot
// password, asking for access): field problems beside their fields, others in `error`.
export function answeringForm(form, error, status, path, body) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    status.textContent = '';
    await whileBusy(form.querySelector('button[type="submit"]'), async () => {
      try {
        const answer = await api(path, { method: 'POST', body: body() });
        showProblem(form, error, { message: '' });
        form.reset();
        status.textContent = answer.message;
      } catch (err) {
        showProblem(form, error, err);
      }
    });
  });
}
