// A payment's receipt. Coming back from Stripe, the payment is usually still waiting for Stripe's
// confirmation (the webhook): the page says so and asks again every two seconds for a minute.
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { when } from './forms.js';
import { PAYMENT_STATUS, invoiceLabel, keepCompany, money, params, withCompany } from './billing-common.js';

const $ = (id) => document.getElementById(id);
const path = withCompany(`/api/payments/${encodeURIComponent(params.get('id') || '')}`);

function fill(p) {
  const m = (v) => money(v, p.currency);
  $('title').textContent = p.status === 'succeeded' ? `Receipt: ${m(p.amount)}` : `Payment of ${m(p.amount)}`;
  const values = {
    status: PAYMENT_STATUS[p.status] || p.status, paid_at: when(p.paid_at), amount: m(p.amount),
    method: p.method || (p.kind === 'checkout' ? 'Card or bank account (Stripe)' : ''), created_by_name: p.created_by_name, id: p.id,
  };
  for (const el of document.querySelectorAll('[data-r]')) el.textContent = values[el.dataset.r] ?? '';
  const body = $('allocations').tBodies[0];
  body.replaceChildren();
  for (const a of p.allocations) {
    const row = body.insertRow();
    const link = document.createElement('a');
    link.href = withCompany(`/invoices/view/?id=${encodeURIComponent(a.invoice_id)}`);
    link.textContent = invoiceLabel(a.number);
    row.insertCell().append(link);
    const cell = row.insertCell();
    cell.className = 'num';
    cell.textContent = m(a.amount);
  }
  $('unapplied').hidden = !p.unapplied;
  $('unapplied').textContent = p.unapplied
    ? `${m(p.unapplied)} could not be applied (the invoice was settled meanwhile); we will refund or credit it.`
    : '';
  const pending = $('pending');
  pending.hidden = p.status === 'succeeded';
  pending.textContent = {
    pending: 'Waiting for the payment processor to confirm this payment. Invoices change once it does; this page updates by itself.',
    failed: `This payment failed${p.failure ? `: ${p.failure}` : ''}. Nothing was charged.`,
    expired: 'This payment was not completed. Nothing was charged.',
  }[p.status] ?? '';
  $('receipt').setAttribute('aria-busy', 'false');
}

async function poll() {
  for (let i = 0; i < 30; i++) {
    let p;
    try {
      p = await authed(path);
    } catch (err) {
      $('load-error').textContent = err.status === 404 ? 'There is no such payment, or it is not yours to see.' : err.message;
      $('receipt').hidden = true;
      return;
    }
    fill(p);
    if (p.status !== 'pending') return;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  $('pending').textContent = 'The payment processor has not confirmed this payment yet. Check your payment history later; you were not charged twice.';
}

$('print').addEventListener('click', () => print());
startEarly(() => [path]);
me.then(() => {
  keepCompany();
  $('back').href = withCompany('/payments/');
  poll();
});
