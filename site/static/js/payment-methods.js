// Payment methods: the cards and bank accounts Stripe keeps for the company, adding one through
// Stripe (setup mode), nicknames, the default, removing; and autopay with its consent terms.
import { confirmAction } from './confirm.js';
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { clearBeside, problemBeside, showProblem, when, whileBusy } from './forms.js';
import { METHODS, fillCompanies, keepCompany, params, withCompany } from './billing-common.js';

const $ = (id) => document.getElementById(id);
let client = false; // a client's billing user (may change things); MSP staff only look
let naming = null;

// The methods listed when the client left for Stripe's page, so that on the way back the page
// knows which one is new.
const BEFORE_SETUP = 'payment-methods-before-setup';
let shown = [];

function button(text, label, action, secondary = true) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = secondary ? 'secondary compact' : 'compact';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', () => action(b));
  return b;
}

// Run a change, then show the list again; a problem is said beside the button that was used.
async function change(b, request, done) {
  clearBeside(b);
  await whileBusy(b, async () => {
    try {
      await request();
      await load();
      $('page-status').textContent = done;
    } catch (err) {
      problemBeside(b, err.status === 404 ? 'This method is no longer saved: it was removed meanwhile. Reload the page to see the list as it is.' : err.message);
    }
  });
}

function render(data) {
  shown = data.methods;
  const body = $('methods').tBodies[0];
  body.replaceChildren();
  for (const m of data.methods) {
    const row = body.insertRow();
    row.insertCell().textContent = m.label;
    row.insertCell().textContent = m.nickname;
    row.insertCell().textContent = m.exp_month ? `${String(m.exp_month).padStart(2, '0')}/${m.exp_year}` : '';
    row.insertCell().textContent = m.default ? 'Default' : '';
    const actions = row.insertCell();
    if (!client) continue;
    const name = m.nickname ? `${m.label} (${m.nickname})` : m.label;
    actions.className = 'actions';
    actions.append(button('Nickname', `Nickname for ${name}`, () => {
      naming = m;
      $('nickname').value = m.nickname;
      $('nickname-title').textContent = `Nickname for ${m.label}`;
      $('nickname-dialog').showModal();
    }));
    if (!m.default) {
      actions.append(button('Make default', `Make ${name} the default`, (b) =>
        change(b, () => authed(`/api/payment-methods/${encodeURIComponent(m.id)}`, { method: 'PATCH', body: { default: true } }), `${m.label} is now the default.`)));
    }
    actions.append(button('Remove', `Remove ${name}`, async (b) => {
      const autopay = m.default && data.autopay_active ? ' It is the default, so autopay stops until another method is the default.' : '';
      if (await confirmAction({ title: `Remove ${name}?`, text: `Stripe forgets it and it can no longer be charged; to use it again, add it again.${autopay}`, yes: 'Remove it', no: 'Keep it', danger: true })) {
        change(b, () => authed(`/api/payment-methods/${encodeURIComponent(m.id)}`, { method: 'DELETE' }), `${m.label} was removed.`);
      }
    }));
  }
  if (!data.methods.length) {
    const cell = body.insertRow().insertCell();
    cell.colSpan = 5;
    cell.textContent = 'No saved payment methods.';
  }
  $('methods').setAttribute('aria-busy', 'false');
  $('online-off').hidden = data.online_payment;
  $('add-row').hidden = !(client && data.online_payment);
  const consent = data.autopay;
  $('autopay-state').textContent = data.autopay_active
    ? `Autopay is on: each new invoice is charged to the default payment method. Turned on by ${consent.by_name} on ${when(consent.at)}.`
    : consent?.enabled
      ? 'Autopay is on, but there is no default payment method to charge: add one.'
      : 'Autopay is off: pay each invoice yourself.';
  $('autopay-terms').textContent = data.autopay_terms;
  $('autopay-form').hidden = !client || !!consent?.enabled || !data.online_payment;
  $('autopay-off').hidden = !client || !consent?.enabled;
}

async function load() {
  try {
    render(await authed(withCompany(METHODS)));
  } catch (err) {
    $('page-error').textContent = err.message;
  }
}

$('add-method').addEventListener('click', (e) =>
  whileBusy(e.target, async () => {
    clearBeside(e.target);
    try {
      const started = await authed('/api/payment-methods/setup', { method: 'POST', headers: { 'idempotency-key': crypto.randomUUID() } });
      sessionStorage.setItem(BEFORE_SETUP, JSON.stringify(shown.map((m) => m.id)));
      location.assign(started.url);
      await new Promise(() => {});
    } catch (err) {
      problemBeside(e.target, err.message);
    }
  }));

$('nickname-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    await authed(`/api/payment-methods/${encodeURIComponent(naming.id)}`, { method: 'PATCH', body: { nickname: $('nickname').value } });
    $('nickname-dialog').close();
    await load();
    $('page-status').textContent = 'Nickname saved.';
  } catch (err) {
    showProblem(form, $('nickname-form-error'), err);
  }
});
$('nickname-close').addEventListener('click', () => $('nickname-dialog').close());

// Autopay's errors are said in its own form, next to its button (announced: role=alert), not at
// the top of the page where nobody looking at the button would see them.
$('autopay-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  showProblem(form, $('autopay-error'), { message: '' });
  if (!$('consent').checked) {
    $('consent').setAttribute('aria-invalid', 'true');
    $('consent-error').textContent = 'Tick the box to agree to the terms above.';
    $('consent').focus();
    return;
  }
  await whileBusy(form.querySelector('button'), async () => {
    try {
      await authed('/api/billing/autopay', { method: 'PUT', body: { enabled: true, consent: true } });
      await load();
      $('page-status').textContent = 'Autopay is on.';
    } catch (err) {
      showProblem(form, $('autopay-error'), err);
    }
  });
});
$('autopay-off').addEventListener('click', (e) =>
  change(e.target, () => authed('/api/billing/autopay', { method: 'PUT', body: { enabled: false } }), 'Autopay is off.'));

startEarly((data) => {
  const staff = data.company.kind === 'msp';
  return [(!staff || params.get('company')) && withCompany(METHODS), staff && '/api/companies'];
});

me.then(async (data) => {
  keepCompany();
  client = data.company.kind !== 'msp';
  if (!client) {
    $('company-picker').hidden = false;
    await fillCompanies($('company'), params.get('company'));
    if (!params.get('company')) {
      $('methods').hidden = true;
      $('autopay-section').hidden = true;
      return;
    }
  }
  await load();
  if (params.get('setup') === 'done') await awaitNewMethod();
});

// Back from Stripe's page: the new method is listed once Stripe's event reaches the portal, which
// is usually a moment later. Look every 2 seconds for a minute, and say when it is here.
async function awaitNewMethod() {
  const before = new Set(JSON.parse(sessionStorage.getItem(BEFORE_SETUP) || '[]'));
  sessionStorage.removeItem(BEFORE_SETUP);
  const url = new URL(location.href);
  url.searchParams.delete('setup');
  history.replaceState(null, '', url);
  const added = () => shown.find((m) => !before.has(m.id));
  $('page-status').textContent = 'Thank you. Waiting for Stripe to confirm your new payment method…';
  for (let i = 0; i < 30 && !added(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await load();
  }
  const method = added();
  $('page-status').textContent = method
    ? `${method.label} is saved${method.default ? ' and is your default' : ''}.`
    : 'Stripe has not confirmed your new payment method yet. It appears here as soon as it does.';
}
