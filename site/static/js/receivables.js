// The MSP's receivables: every company's outstanding and overdue balance, and every overdue
// invoice.
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { day, invoiceHref, money } from './billing-common.js';

const $ = (id) => document.getElementById(id);

function row(body, cells) {
  const tr = body.insertRow();
  for (const [value, numeric] of cells) {
    const td = tr.insertCell();
    if (numeric) td.className = 'num';
    if (value instanceof Node) td.append(value);
    else td.textContent = value;
  }
}

function link(text, href) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  return a;
}

function empty(table, text) {
  const body = table.tBodies[0];
  if (body.rows.length) return;
  const cell = body.insertRow().insertCell();
  cell.colSpan = table.tHead.rows[0].cells.length;
  cell.textContent = text;
}

const BALANCES = '/api/billing/companies';
startEarly(() => [BALANCES]);

me.then(async () => {
  try {
    const data = await authed(BALANCES);
    for (const c of data.companies) {
      row($('balances').tBodies[0], [
        [link(c.company_name, `/invoices/?company=${encodeURIComponent(c.company_id)}`)],
        [money(c.outstanding, c.currency), true], [money(c.overdue, c.currency), true],
        [String(c.open_invoices), true], [day(c.oldest_due)],
      ]);
    }
    for (const inv of data.overdue_invoices) {
      row($('overdue').tBodies[0], [
        [link(inv.label, invoiceHref(inv, true))], [inv.company_name], [day(inv.due_date)],
        [money(inv.balance, inv.currency), true],
      ]);
    }
    empty($('balances'), 'Nothing is outstanding.');
    empty($('overdue'), 'No invoice is overdue.');
  } catch (err) {
    $('load-error').textContent = err.message;
  } finally {
    for (const t of ['balances', 'overdue']) $(t).setAttribute('aria-busy', 'false');
  }
});
