// Invoicing time in a real browser (issue 18): the MSP admin sees Globex's unbilled time in the
// invoice editor, drafts an invoice from it, and issues it; the ticket it bills then shows the
// cart marker, which opens the invoice for Globex's Full Admin; the demo's invoiced ticket does
// the same for Acme's; axe light and dark; a phone's width.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn, seriousViolations, settled, test, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The editor for a new invoice of `company`, its unbilled time shown.
async function unbilledFor(page, company) {
  await page.goto(`${BASE}/invoices/edit/?company=${company}`);
  await page.locator('#invoice-form[aria-busy="false"]').waitFor();
  await page.locator('#unbilled:not([hidden])').waitFor();
  return page.locator('#unbilled');
}

test('the demo invoice of a ticket shows as a cart on it, opening the invoice', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'fulladmin@acme.example');
  await page.goto(`${BASE}/tickets/view/?number=13`);
  const marker = page.locator('#invoices-fact:not([hidden]) a.invoice-mark');
  await marker.waitFor();
  assert.match(await marker.getAttribute('title'), /^Invoiced on INV-\d{4}$/);
  const label = /INV-\d{4}/.exec(await marker.innerText())[0];
  await Promise.all([page.waitForURL(/\/invoices\/view\/\?id=/), marker.click()]);
  await page.locator('#invoice[aria-busy="false"]').waitFor();
  assert.match(await page.locator('#title').innerText(), new RegExp(label));
  // The list shows the same cart beside the ticket's summary (the demo closed it).
  await page.goto(`${BASE}/tickets/?tab=closed`);
  await page.locator('#tickets-table[aria-busy="false"]').waitFor();
  const row = page.locator('#tickets-table tbody tr').filter({ hasText: 'Second monitor for the front desk' });
  assert.equal(await row.locator('.invoice-mark').getAttribute('title'), `Invoiced on ${label}`);
  assert.deepEqual(errors, []);
});

for (const theme of ['light', 'dark']) {
  test(`the editor's unbilled time and the ticket's cart have no serious or critical axe violations (${theme})`, async () => {
    const errors = [];
    const page = await themedPage(browser, errors, theme);
    await signIn(page, 'admin@northwind.example');
    await unbilledFor(page, 'globex-logistics');
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], 'the editor with unbilled time');
    await page.goto(`${BASE}/tickets/view/?number=13`);
    await page.locator('#invoices-fact:not([hidden])').waitFor();
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], 'a ticket with its cart');
    assert.deepEqual(errors, []);
  });
}

test('on a phone the editor with unbilled time fits', async () => {
  const errors = [];
  const page = await newPage(browser, errors, { viewport: { width: 390, height: 844 } });
  await signIn(page, 'admin@northwind.example');
  await unbilledFor(page, 'globex-logistics');
  await settled(page);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scroll');
  assert.deepEqual(errors, []);
});

test("an MSP admin drafts an invoice from Globex's unbilled time and issues it; the ticket shows its cart", async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'admin@northwind.example');
  const unbilled = await unbilledFor(page, 'globex-logistics');
  // The demo's 4.5 billable hours at $150 on Globex's tickets.
  assert.match(await unbilled.locator('#unbilled-summary').innerText(), /time entries on \d+ tickets: \$675\.00 before tax\./);
  const rows = await unbilled.locator('#unbilled-table tbody tr').allInnerTexts();
  assert.ok(rows.length >= 2, 'a line per ticket');
  const first = /#(\d+) /.exec(rows[0])[1];
  await Promise.all([
    page.waitForURL(/\/invoices\/edit\/\?id=.*company=globex-logistics/),
    unbilled.getByRole('button', { name: 'Draft from this time' }).click(),
  ]);
  await page.locator('#invoice-form[aria-busy="false"]').waitFor();
  assert.equal(await page.locator('#title').innerText(), 'Edit draft invoice');
  assert.equal(await page.locator('#line-table tbody tr').count(), rows.length, 'the same lines, to edit');
  assert.equal(await page.locator('#unbilled').isVisible(), false, 'a draft being edited has no unbilled section');
  assert.match(await page.locator('#subtotal').innerText(), /\$675\.00/);
  await page.getByRole('button', { name: 'Save and issue' }).click();
  await Promise.all([
    page.waitForURL(/\/invoices\/view\/\?id=/),
    page.getByRole('dialog').getByRole('button', { name: 'Issue and email' }).click(),
  ]);
  await page.locator('#invoice[aria-busy="false"]').waitFor();
  const label = /INV-\d{4}/.exec(await page.locator('#title').innerText())[0];

  // Nothing waits any more.
  const again = await unbilledFor(page, 'globex-logistics');
  assert.match(await again.locator('#unbilled-summary').innerText(), /No billable time waits/);

  // Globex's Full Admin sees the cart on the ticket, and it opens the invoice.
  const client = await newPage(browser, errors);
  await signIn(client, 'fulladmin@globex.example');
  await client.goto(`${BASE}/tickets/view/?number=${first}`);
  const marker = client.locator('#invoices-fact a.invoice-mark');
  await marker.waitFor();
  assert.match(await marker.innerText(), new RegExp(label));
  await Promise.all([client.waitForURL(/\/invoices\/view\/\?id=/), marker.click()]);
  await client.locator('#invoice[aria-busy="false"]').waitFor();
  assert.match(await client.locator('#title').innerText(), new RegExp(label));
  assert.deepEqual(errors, []);
});
