// Billing in a real browser against the local stack with its Stripe stand-in
// (infra/stripe_double.py): the MSP admin writes and issues two invoices in the editor; the
// Billing Admin opens one, downloads its PDF (read back with pdftotext), pays both in one
// Checkout with one amount lowered, waits on the receipt for the signed webhook, sees one invoice
// Paid and the other partly paid, pays the rest, and finds both payments in the history. Then a
// card is saved through setup mode, nicknamed, used for autopay and removed. A card declined on
// Stripe's page is retried with another in the same Checkout and the invoice is paid once; a saved
// card that Stripe declines when autopay charges it (0341) fails the charge, the client is emailed
// and pays from the link. axe-core on every billing page, light and dark.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BASE, expectAnswer, launch, mailedLink, newPage, signIn, seriousViolations, test, settled } from './harness.js';

let browser;
before(async () => {
  browser = await launch();
  // A card and autopay left on by an interrupted run would charge the invoices issued here:
  // start from none.
  const page = await newPage(browser, []);
  await signIn(page, 'billing@acme.example');
  await page.evaluate(async () => {
    const saved = await (await fetch('/api/payment-methods')).json();
    for (const m of saved.methods) await fetch(`/api/payment-methods/${m.id}`, { method: 'DELETE' });
    await fetch('/api/billing/autopay', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"enabled":false}' });
  });
  await page.context().close();
});
after(async () => { await browser?.close(); });

const RUN = Date.now().toString(36);

// Write an invoice for Acme Dental in the editor: `lines` are [description, quantity, unit price].
// Issuing asks first; `charged` is what the dialog must say autopay charges (none: no autopay).
async function writeInvoice(page, lines, tax, issueNow, charged) {
  await page.goto(`${BASE}/invoices/edit/?company=acme-dental`);
  await page.locator('#invoice-form[aria-busy="false"]').waitFor();
  assert.equal(await page.getByLabel('Tax rate (%)').inputValue(), '8.25', "a new draft starts with the company's tax rate");
  for (const [i, [description, quantity, price]] of lines.entries()) {
    if (i > 0) await page.getByRole('button', { name: 'Add a line' }).click();
    await page.getByLabel(`Line ${i + 1}: description`).fill(description);
    await page.getByLabel(`Line ${i + 1}: quantity`).fill(quantity);
    await page.getByLabel(`Line ${i + 1}: unit price`).fill(price);
  }
  await page.getByLabel('Tax rate (%)').fill(tax);
  if (!issueNow) {
    await Promise.all([page.waitForURL(/\/invoices\/view\/\?id=/), page.getByRole('button', { name: 'Save draft' }).click()]);
  } else {
    await page.getByRole('button', { name: 'Save and issue' }).click();
    const total = await page.locator('#total').textContent();
    const ask = page.getByRole('dialog', { name: `Issue this invoice for ${total}?` });
    const text = await ask.textContent();
    assert.match(text, /can no longer be edited, only voided\. The billing contacts are emailed\./);
    assert.ok(text.includes(tax === '0' ? 'Tax: none.' : `Tax: ${tax} %, `), `the dialog shows the tax: ${text}`);
    if (charged) assert.ok(text.includes(`Autopay is on: ${charged} is charged ${total} at once.`), text);
    else assert.ok(!text.includes('Autopay is on'), text);
    await Promise.all([
      page.waitForURL(/\/invoices\/view\/\?id=/),
      ask.getByRole('button', { name: charged ? `Issue and charge ${total}` : 'Issue and email' }).click(),
    ]);
  }
  await page.locator('#invoice[aria-busy="false"]').waitFor();
}

// On a receipt page: wait until the webhook has settled the payment.
async function waitForReceipt(page) {
  await page.waitForURL(/\/payments\/receipt\/\?id=.*checkout=done/);
  await page.waitForFunction(() => document.querySelector('[data-r="status"]')?.textContent === 'Paid', null, { timeout: 30_000 });
}

// On the Stripe stand-in's page: pay.
async function payOnStripe(page, total) {
  await page.waitForURL(/\/checkout\/cs_test_double_/);
  assert.equal(await page.locator('h1').textContent(), `Pay ${total}`);
  await page.getByRole('button', { name: `Pay ${total}` }).click();
}

// Save a card through setup mode, choosing `choice` on Stripe's page; back on the methods page,
// which updates itself when Stripe's event has added it (`shown`).
async function saveCard(page, choice, shown) {
  await page.goto(`${BASE}/payment-methods/`);
  await page.getByRole('button', { name: 'Add a card or bank account' }).click();
  await page.waitForURL(/\/checkout\/cs_test_double_/);
  await page.getByLabel(choice).check();
  await page.getByRole('button', { name: 'Save card' }).click();
  await page.waitForURL(/\/payment-methods\/\?setup=done/);
  // The page waits for Stripe's event itself and says when the card is here (no reload).
  await page.getByRole('status').filter({ hasText: `${shown} is saved` }).waitFor({ timeout: 60_000 });
  await page.locator('#methods td', { hasText: shown }).first().waitFor();
}

test('issue two invoices → PDF → pay both with one amount lowered → Paid and in history → pay the rest', async () => {
  const errors = [];
  const admin = await newPage(browser, errors);
  await signIn(admin, 'admin@northwind.example');
  // One issued straight from the editor, one saved as a draft and issued from its page.
  await writeInvoice(admin, [[`Printer repair ${RUN} (hours)`, '2', '95.00'], ['Toner cartridge', '1', '60']], '10', true);
  const first = (await admin.locator('#title').textContent()).replace('Invoice ', '');
  assert.match(first, /^INV-\d{4}$/);
  assert.equal(await admin.locator('#lines tfoot [data-i="total"]').textContent(), '$275.00');
  await writeInvoice(admin, [[`Offsite backup ${RUN}`, '1', '120']], '0', false);
  assert.equal(await admin.locator('#title').textContent(), 'Draft invoice');
  await admin.getByRole('button', { name: 'Issue invoice' }).click();
  await admin.getByRole('dialog', { name: /^Issue this invoice for / }).getByRole('button', { name: 'Issue and email' }).click();
  await admin.waitForFunction(() => /^Issued as INV-\d{4}/.test(document.getElementById('page-status').textContent));
  const second = (await admin.locator('#title').textContent()).replace('Invoice ', '');
  assert.equal(Number(second.slice(4)), Number(first.slice(4)) + 1, 'numbers follow each other');

  const page = await newPage(browser, errors);
  await signIn(page, 'billing@acme.example');
  await page.locator('#billing-overview:not([hidden])').waitFor();
  // Home: overdue and next due are separate lines; an overdue invoice is never the "next" one.
  const overdueLabel = await page.locator('#bill-overdue-label').textContent();
  const nextLabel = await page.locator('#bill-next-label').textContent();
  if ((await page.locator('#bill-overdue').textContent()) !== '$0.00') {
    const late = /^Overdue since .+ \((INV-\d{4})\)$/.exec(overdueLabel);
    assert.ok(late, overdueLabel);
    assert.ok(!nextLabel.includes(late[1]), `${nextLabel} / ${overdueLabel}`);
  }
  await page.goto(`${BASE}/invoices/`);
  await page.getByRole('link', { name: first }).click();
  await page.locator('#invoice[aria-busy="false"]').waitFor();
  assert.equal(await page.locator('#title').textContent(), `Invoice ${first}`);
  assert.equal(await page.locator('#lines tbody tr').count(), 2);
  assert.match(await page.locator('#lines tbody').textContent(), new RegExp(`Printer repair ${RUN} \\(hours\\)2\\$95\\.00\\$190\\.00`));

  // The PDF: a real file whose text says what the invoice says.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
  assert.equal(download.suggestedFilename(), `${first}.pdf`);
  const text = execFileSync('pdftotext', ['-layout', await download.path(), '-'], { encoding: 'utf8' });
  for (const expected of [first, `Printer repair ${RUN} (hours)`, 'Toner cartridge', 'Acme Dental', '$275.00', 'Northwind IT']) {
    assert.ok(text.includes(expected), `the PDF says ${expected}:\n${text}`);
  }

  // On its page, more than the balance is said at the field as it is typed, before "Pay".
  await page.getByLabel('Amount', { exact: true }).fill('275.01');
  await page.locator('#amount-error').filter({ hasText: 'More than zero and at most the balance, $275.00.' }).waitFor();
  assert.equal(await page.getByLabel('Amount', { exact: true }).getAttribute('aria-invalid'), 'true');
  await page.getByLabel('Amount', { exact: true }).fill('275.00');
  assert.equal(await page.locator('#amount-error').textContent(), '');

  // Pay both from the list, the first only in part (too much first: said as it is typed).
  await page.goto(`${BASE}/invoices/`);
  await page.getByLabel(`Pay ${second}`).check();
  await page.getByLabel(`Amount to pay on ${first} (USD)`).fill('300');
  await page.locator('#pay-error').filter({ hasText: `${first}: More than zero and at most the balance, $275.00.` }).waitFor();
  await page.getByLabel(`Amount to pay on ${first} (USD)`).fill('100.00');
  assert.equal(await page.locator('#pay-error').textContent(), '');
  assert.equal(await page.locator('#pay-summary').textContent(), '2 invoices selected: $220.00.');
  await page.getByRole('button', { name: 'Pay selected invoices' }).click();
  await payOnStripe(page, 'USD 220.00');
  await waitForReceipt(page);
  const applied = await page.locator('#allocations tbody tr').allTextContents();
  assert.deepEqual(applied.sort(), [`${first}$100.00`, `${second}$120.00`].sort());

  await page.goto(`${BASE}/invoices/?tab=closed`);
  const paidRow = page.locator('tr', { has: page.getByRole('link', { name: second }) });
  await paidRow.waitFor();
  assert.equal(await paidRow.locator('[data-field="status"]').textContent(), 'Paid');
  assert.equal(await paidRow.locator('[data-field="paid_on"]').textContent(), new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date()));
  // The Paid tab as a spreadsheet.
  const [sheet] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  assert.match(sheet.suggestedFilename(), /^invoices-acme-dental-closed-\d{4}-\d{2}-\d{2}\.csv$/);
  const rows = readFileSync(await sheet.path(), 'utf8').split('\r\n');
  assert.ok(rows[0].startsWith('"Number","Status",'), rows[0]);
  assert.ok(rows.some((r) => r.startsWith(`"${second}","Paid",`) && r.includes('"USD","120.00","0.00","120.00","120.00","0.00"')), rows.join('\n'));
  await page.goto(`${BASE}/invoices/`);
  const partRow = page.locator('tr', { has: page.getByRole('link', { name: first }) });
  await partRow.waitFor();
  assert.equal(await partRow.locator('[data-field="balance"]').textContent(), '$175.00');
  assert.equal(await partRow.locator('[data-field="status"]').textContent(), 'Partly paid');

  // The rest, from the invoice's page.
  await page.getByRole('link', { name: first }).click();
  await page.locator('#pay-section:not([hidden])').waitFor();
  assert.equal(await page.getByLabel('Amount', { exact: true }).inputValue(), '175.00');
  await page.getByRole('button', { name: 'Pay with Stripe' }).click();
  await payOnStripe(page, 'USD 175.00');
  await waitForReceipt(page);
  await page.goto(`${BASE}/invoices/?tab=closed`);
  await page.getByRole('link', { name: first }).click();
  // The invoice lists both payments, oldest first, each with its receipt.
  await page.locator('#payments-section:not([hidden])').waitFor();
  const paidBy = await page.locator('#payments tbody tr td.num').allTextContents();
  assert.deepEqual(paidBy, ['$100.00', '$175.00']);
  // Its PDF, rendered again for the paid version, lists them too and asks for nothing more.
  const [paidPdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
  const paidText = execFileSync('pdftotext', ['-layout', await paidPdf.path(), '-'], { encoding: 'utf8' });
  assert.match(paidText, /PAID/);
  assert.match(paidText, /Balance due\s+\$0\.00/);
  assert.match(paidText, /Payments received/);
  assert.equal((paidText.match(/^\s*\d{4}-\d{2}-\d{2} · .* · \$(100|175)\.00 · receipt /gm) || []).length, 2, paidText);
  assert.ok(!paidText.includes('How to pay'), paidText);
  await page.getByRole('link', { name: /^Receipt for \$175\.00 paid / }).click();
  await page.getByRole('heading', { name: 'Receipt: $175.00' }).waitFor();

  // The paid invoice's number searched among the outstanding ones opens it (it is not listed there).
  await page.goto(`${BASE}/invoices/`);
  await page.getByLabel(/Invoice number/).fill(first);
  await Promise.all([page.waitForURL(/\/invoices\/view\//), page.getByRole('button', { name: 'Search', exact: true }).click()]);
  await page.locator('#title').filter({ hasText: `Invoice ${first}` }).waitFor();

  await page.goto(`${BASE}/payments/`);
  await page.locator('td[data-field="amount"]').first().waitFor();
  const history = await page.locator('#payments-table tbody tr').allTextContents();
  assert.ok(history.some((row) => row.includes('$175.00') && row.includes(first)), history.join('\n'));
  assert.ok(history.some((row) => row.includes('$220.00') && row.includes(first) && row.includes(second)), history.join('\n'));
  assert.deepEqual(errors, []);
});

test('a card saved through Stripe: nickname, autopay with consent, removed', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'billing@acme.example');
  // Autopay with no card yet: the refusal is said next to the button, on screen, announced.
  await page.goto(`${BASE}/payment-methods/`);
  await page.locator('#methods[aria-busy="false"]').waitFor();
  await page.getByLabel('I agree to these terms on behalf of my company').check();
  expectAnswer(page, 'PUT', '/api/billing/autopay', 409);
  await page.getByRole('button', { name: 'Turn on autopay' }).click();
  const refused = page.locator('#autopay-form [role="alert"]');
  await refused.filter({ hasText: 'Add a payment method and make it the default' }).waitFor();
  assert.ok(await refused.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }), 'in view');
  assert.equal(await page.locator('#page-error').textContent(), '', 'not at the top of the page');
  await page.getByLabel('I agree to these terms on behalf of my company').uncheck();
  await saveCard(page, 'Visa ending 4242 (approved)', 'Visa •••• 4242');
  const row = page.locator('#methods tr', { hasText: 'Visa •••• 4242' });
  assert.equal(await row.locator('td').nth(3).textContent(), 'Default');
  await row.getByRole('button', { name: /^Nickname for/ }).click();
  await page.getByLabel('Nickname (up to 40 characters)').fill('Office card');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForFunction(() => document.getElementById('page-status').textContent === 'Nickname saved.');
  assert.equal(await row.locator('td').nth(1).textContent(), 'Office card');

  // Autopay needs the box ticked.
  await page.getByRole('button', { name: 'Turn on autopay' }).click();
  assert.equal(await page.locator('#consent-error').textContent(), 'Tick the box to agree to the terms above.');
  await page.getByLabel('I agree to these terms on behalf of my company').check();
  await page.getByRole('button', { name: 'Turn on autopay' }).click();
  await page.waitForFunction(() => document.getElementById('autopay-state').textContent.startsWith('Autopay is on'));
  assert.match(await page.locator('#autopay-state').textContent(), /Turned on by Bella Billings/);
  await page.getByRole('button', { name: 'Turn off autopay' }).click();
  await page.waitForFunction(() => document.getElementById('autopay-state').textContent.startsWith('Autopay is off'));

  // Removed meanwhile in another tab: removing it here says so beside the button, not at the top.
  const other = await newPage(browser, errors);
  await signIn(other, 'billing@acme.example');
  await other.evaluate(async () => {
    for (const m of (await (await fetch('/api/payment-methods')).json()).methods) await fetch(`/api/payment-methods/${m.id}`, { method: 'DELETE' });
  });
  expectAnswer(page, 'DELETE', /^\/api\/payment-methods\/pm_/, 404);
  await row.getByRole('button', { name: /^Remove/ }).click();
  await page.getByRole('dialog', { name: /^Remove / }).getByRole('button', { name: 'Remove it' }).click();
  const beside = row.getByRole('alert');
  await beside.filter({ hasText: 'This method is no longer saved: it was removed meanwhile.' }).waitFor();
  assert.ok(await beside.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }), 'in view');
  assert.equal(await page.locator('#page-error').textContent(), '');
  await page.reload();
  await page.locator('#methods[aria-busy="false"]').waitFor();
  assert.ok(!(await page.locator('#methods').textContent()).includes('4242'));
  assert.deepEqual(errors, []);
});

test('a declined card is retried in the same Checkout; autopay declined (0341) emails a link to pay', async () => {
  const errors = [];
  const admin = await newPage(browser, errors);
  await signIn(admin, 'admin@northwind.example');
  await writeInvoice(admin, [[`Firewall renewal ${RUN}`, '1', '80']], '0', true);
  const number = (await admin.locator('#title').textContent()).replace('Invoice ', '');
  const page = await newPage(browser, errors);
  await signIn(page, 'billing@acme.example');
  await page.goto(`${BASE}/invoices/`);
  await page.getByRole('link', { name: number }).click();
  await page.locator('#pay-section:not([hidden])').waitFor();
  await page.getByRole('button', { name: 'Pay with Stripe' }).click();
  await page.waitForURL(/\/checkout\/cs_test_double_/);
  // Declined: Stripe's page says so and stays open (the portal hears payment_intent.payment_failed).
  await page.getByLabel('Visa ending 0002 (declined)').check();
  await page.getByRole('button', { name: 'Pay USD 80.00' }).click();
  await page.getByRole('alert').filter({ hasText: 'Your card was declined. Try another card.' }).waitFor();
  await page.waitForTimeout(1500); // the decline's event reaches the portal before the retry
  await page.getByLabel('Visa ending 4242 (approved)').check();
  await page.getByRole('button', { name: 'Pay USD 80.00' }).click();
  await waitForReceipt(page);
  await page.goto(`${BASE}/invoices/?tab=closed`);
  const row = page.locator('tr', { has: page.getByRole('link', { name: number }) });
  assert.equal(await row.locator('[data-field="status"]').textContent(), 'Paid');

  // A card that saves but is declined when charged, and autopay on.
  await saveCard(page, /Visa ending 0341/, 'Visa •••• 0341');
  await page.getByLabel('I agree to these terms on behalf of my company').check();
  await page.getByRole('button', { name: 'Turn on autopay' }).click();
  await page.waitForFunction(() => document.getElementById('autopay-state').textContent.startsWith('Autopay is on'));

  // Issuing charges it at once; Stripe declines, and the MSP is told on the spot.
  await writeInvoice(admin, [[`Backup storage ${RUN}`, '1', '45']], '0', true, 'Visa •••• 0341');
  const declined = (await admin.locator('#title').textContent()).replace('Invoice ', '');
  await admin.waitForFunction(() => document.getElementById('page-status').textContent.includes('Autopay failed; the billing contacts were emailed a link to pay.'));
  // The client follows the emailed link. The saved card is offered first and declined again:
  // said at the form, nothing charged; then a new card on Stripe's page pays.
  const link = await mailedLink(page, 'billing@acme.example', `Autopay failed for invoice ${declined}`, 'invoices/view');
  await page.goto(link);
  await page.locator('#pay-section:not([hidden])').waitFor();
  assert.ok(await page.getByLabel('Visa •••• 0341 (your default)').isChecked());
  expectAnswer(page, 'POST', '/api/payments/charge', 402);
  await page.getByRole('button', { name: 'Pay with Visa •••• 0341' }).click();
  await page.getByRole('dialog', { name: 'Pay $45.00 with Visa •••• 0341?' }).getByRole('button', { name: 'Pay $45.00' }).click();
  await page.locator('#pay-error').filter({ hasText: /^The payment was declined\. Visa •••• 0341: .*Nothing was charged\./ }).waitFor();
  await page.getByLabel("A new card or bank account, on Stripe's page").check();
  await page.getByRole('button', { name: 'Pay with Stripe' }).click();
  await page.waitForURL(/\/checkout\/cs_test_double_/);
  await page.getByLabel('Visa ending 4242 (approved)').check();
  await page.getByRole('button', { name: 'Pay USD 45.00' }).click();
  await waitForReceipt(page);

  // Leave no card or autopay behind for the next run.
  await page.goto(`${BASE}/payment-methods/`);
  await page.getByRole('button', { name: 'Turn off autopay' }).click();
  await page.waitForFunction(() => document.getElementById('autopay-state').textContent.startsWith('Autopay is off'));
  await page.locator('#methods tr', { hasText: 'Visa •••• 0341' }).getByRole('button', { name: /^Remove/ }).click();
  await page.getByRole('dialog', { name: /^Remove / }).getByRole('button', { name: 'Remove it' }).click();
  await page.waitForFunction(() => !document.querySelector('#methods').textContent.includes('0341'));
  assert.deepEqual(errors, []);
});

test('a saved card pays from the list: chosen, asked first, charged at once, on the receipt', async () => {
  const errors = [];
  const admin = await newPage(browser, errors);
  await signIn(admin, 'admin@northwind.example');
  await writeInvoice(admin, [[`Laptop setup ${RUN}`, '1', '150'], ['Cable', '2', '5']], '0', true);
  const number = (await admin.locator('#title').textContent()).replace('Invoice ', '');
  const page = await newPage(browser, errors);
  await signIn(page, 'billing@acme.example');
  await saveCard(page, 'Visa ending 4242 (approved)', 'Visa •••• 4242');
  await page.goto(`${BASE}/invoices/`);
  await page.getByLabel(`Pay ${number}`).check();
  await page.getByLabel('Visa •••• 4242 (your default)').waitFor();
  assert.ok(await page.getByLabel('Visa •••• 4242 (your default)').isChecked(), 'the default card is chosen');
  // The choice, in light and dark, and on a phone.
  for (const theme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: theme });
    await page.evaluate((t) => localStorage.setItem('portal-theme', t), theme);
    await page.reload();
    await page.getByLabel(`Pay ${number}`).check();
    await page.getByLabel('Visa •••• 4242 (your default)').waitFor();
    assert.deepEqual(await seriousViolations(page), [], `paying with a saved card (${theme})`);
  }
  await page.setViewportSize({ width: 390, height: 800 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scrolling at 390 px');
  await page.setViewportSize({ width: 1280, height: 800 });
  // Asked first; "Cancel" charges nothing.
  await page.getByRole('button', { name: 'Pay selected invoices' }).click();
  const ask = page.getByRole('dialog', { name: 'Pay $160.00 with Visa •••• 4242?' });
  assert.match(await ask.textContent(), /Visa •••• 4242 is charged \$160\.00 now, as you agreed when you saved it\./);
  await ask.getByRole('button', { name: 'Cancel' }).click();
  assert.match(page.url(), /\/invoices\/$/);
  await page.getByRole('button', { name: 'Pay selected invoices' }).click();
  await Promise.all([
    page.waitForURL(/\/payments\/receipt\/\?id=/),
    page.getByRole('dialog', { name: 'Pay $160.00 with Visa •••• 4242?' }).getByRole('button', { name: 'Pay $160.00' }).click(),
  ]);
  // No Stripe page: the receipt follows Stripe's confirmation.
  await page.waitForFunction(() => document.querySelector('[data-r="status"]')?.textContent === 'Paid', null, { timeout: 30_000 });
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Receipt: $160.00');
  assert.match(await page.locator('#receipt').textContent(), /Visa •••• 4242/);
  await page.goto(`${BASE}/invoices/?tab=closed`);
  const row = page.locator('tr', { has: page.getByRole('link', { name: number }) });
  await row.waitFor();
  assert.equal(await row.locator('[data-field="status"]').textContent(), 'Paid');
  await page.goto(`${BASE}/payment-methods/`);
  await page.locator('#methods tr', { hasText: 'Visa •••• 4242' }).getByRole('button', { name: /^Remove/ }).click();
  await page.getByRole('dialog', { name: /^Remove / }).getByRole('button', { name: 'Remove it' }).click();
  await page.waitForFunction(() => !document.querySelector('#methods').textContent.includes('4242'));
  assert.deepEqual(errors, []);
});

test('on a 390 px phone a client\'s money pages fit, amounts never break, and paying needs no sideways scrolling', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.setViewportSize({ width: 390, height: 800 });
  await signIn(page, 'billing@acme.example');
  // Amounts and dates on one line each, inside their boxes; the page as wide as the screen.
  const check = async (path) => {
    await settled(page);
    const report = await page.evaluate(() => {
      const broken = [];
      for (const el of document.querySelectorAll('.stat, td.num, td[data-field="amount"], td[data-field="total"], td[data-field="balance"], td[data-field="due"], td[data-field="issued"]')) {
        if (!el.offsetParent || !el.textContent.trim() || el.querySelector('input')) continue;
        const range = document.createRange();
        range.selectNodeContents(el);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        if (lines > 1) broken.push(`${el.textContent.trim()} on ${lines} lines`);
      }
      return { broken, page: document.documentElement.scrollWidth, screen: document.documentElement.clientWidth };
    });
    assert.deepEqual(report.broken, [], path);
    assert.ok(report.page <= report.screen, `${path}: ${report.page} px wide on ${report.screen}`);
  };
  for (const path of ['/', '/invoices/?tab=closed', '/payments/', '/payment-methods/']) {
    await page.goto(`${BASE}${path}`);
    await check(path);
  }
  await page.goto(`${BASE}/payments/`);
  const receipt = await page.locator('td[data-field="receipt"] a').first().getAttribute('href');
  await page.goto(`${BASE}${receipt}`);
  await check(receipt);
  // Paying: each invoice is a card, its checkbox and amount on screen without scrolling sideways.
  await page.goto(`${BASE}/invoices/`);
  await page.getByLabel(/^Pay INV-/).first().waitFor();
  await check('/invoices/');
  const region = page.locator('.table-scroll', { has: page.locator('#invoices-table') });
  assert.ok(await region.evaluate((el) => el.scrollWidth <= el.clientWidth), 'the pay table does not scroll sideways');
  for (const control of [page.getByLabel(/^Pay INV-/).first(), page.getByLabel(/^Amount to pay on INV-/).first()]) {
    const box = await control.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
  }
  await page.getByRole('link', { name: /^INV-/ }).first().click();
  await page.locator('#invoice[aria-busy="false"]').waitFor();
  await check('an invoice');
  assert.deepEqual(errors, []);
});

for (const theme of ['light', 'dark']) {
  test(`billing pages have no serious or critical axe violations (${theme})`, async () => {
    const errors = [];
    const page = await newPage(browser, errors);
    await page.emulateMedia({ colorScheme: theme });
    const scan = async (path, ready) => {
      await page.goto(`${BASE}${path}`);
      await page.locator(ready).first().waitFor();
      await settled(page);
      assert.deepEqual(await seriousViolations(page), [], `${path} (${theme})`);
    };
    await signIn(page, 'billing@acme.example');
    await page.evaluate((t) => localStorage.setItem('portal-theme', t), theme);
    await scan('/', '#billing-overview:not([hidden])');
    await scan('/invoices/', 'td[data-field="number"] a');
    await page.getByLabel(/^Pay INV-/).first().check();
    assert.deepEqual(await seriousViolations(page), [], `invoices with one chosen (${theme})`);
    const href = await page.locator('td[data-field="number"] a').first().getAttribute('href');
    await scan(href, '#invoice[aria-busy="false"]');
    await scan('/invoices/?tab=closed', 'td[data-field="number"] a');
    const paid = await page.locator('td[data-field="number"] a').first().getAttribute('href');
    await scan(paid, '#payments-section:not([hidden])');
    await scan('/payments/', 'td[data-field="receipt"] a');
    await page.goto(`${BASE}/payments/`);
  const receipt = await page.locator('td[data-field="receipt"] a').first().getAttribute('href');
    await scan(receipt, '#receipt[aria-busy="false"]');
    await scan('/payment-methods/', '#methods[aria-busy="false"]');
    const staff = await newPage(browser, errors);
    await staff.emulateMedia({ colorScheme: theme });
    await signIn(staff, 'admin@northwind.example');
    await staff.evaluate((t) => localStorage.setItem('portal-theme', t), theme);
    for (const [path, ready] of [
      ['/billing/', '#balances[aria-busy="false"]'],
      ['/invoices/?tab=draft', 'td[data-field="number"] a'],
      ['/invoices/edit/?company=acme-dental', '#invoice-form[aria-busy="false"]'],
    ]) {
      await staff.goto(`${BASE}${path}`);
      await staff.locator(ready).first().waitFor();
      await settled(staff);
      assert.deepEqual(await seriousViolations(staff), [], `${path} (${theme})`);
    }
    const draft = await staff.goto(`${BASE}/invoices/?tab=draft`).then(() => staff.locator('td[data-field="number"] a').first().getAttribute('href'));
    await staff.goto(`${BASE}${draft}`);
    await staff.locator('#staff-section:not([hidden])').waitFor();
    assert.deepEqual(await seriousViolations(staff), [], `draft invoice (${theme})`);
    assert.deepEqual(errors, []);
  });
}
