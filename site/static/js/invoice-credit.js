// The invoice page's "Pay with store credit": the company's credit in the invoice's currency,
// applied up to the balance, by the company's billing users or an MSP admin.
import { authed } from './api.js';
import { showProblem, whileBusy } from './forms.js';
import { money, moneyInput, parseMoney, withCompany } from './billing-common.js';

const $ = (id) => document.getElementById(id);
let current = null;
let after = null;

/** Offer `invoice`'s company's store credit on it, if it is payable and there is some; `done`
 * gets the answer once credit is applied. */
export async function offerCredit(invoice, done) {
  current = invoice;
  after = done;
  $('credit-section').hidden = true;
  if (!(invoice.status === 'issued' && invoice.balance > 0)) return;
  const list = await authed(withCompany('/api/credit-notes')).catch(() => null);
  const credit = list?.balances.find((b) => b.currency === invoice.currency)?.amount ?? 0;
  if (credit <= 0) return;
  $('credit-available').textContent = `Store credit available: ${money(credit, invoice.currency)}.`;
  $('credit_amount').value = moneyInput(Math.min(credit, invoice.balance), invoice.currency);
  $('credit-section').hidden = false;
}

$('credit-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const amount = parseMoney($('credit_amount').value, current.currency);
  await whileBusy($('apply-credit'), async () => {
    try {
      const answer = await authed(withCompany(`/api/invoices/${encodeURIComponent(current.id)}/credit`), {
        method: 'POST', body: { amount: amount ?? -1, version: current.version },
      });
      showProblem(form, $('credit-error'), { message: '' });
      await after(answer);
    } catch (err) {
      if (err.fields?.amount) err.problem.errors = [{ field: 'credit_amount', message: err.fields.amount }];
      showProblem(form, $('credit-error'), err);
    }
  });
});
