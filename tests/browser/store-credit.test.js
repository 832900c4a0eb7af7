// Store credit in a real browser (issue 18): Acme's Billing Admin sees the demo's credit at home
// and on the credit notes page, downloads the credit note's PDF (read back), and pays part of the
// overdue invoice with it; an MSP admin issues a credit note to Globex about its invoice, a bad
// amount said beside the field; axe light and dark; a phone's width.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, expectAnswer, launch, newPage, signIn, seriousViolations, settled, test, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function creditPage(page, query = '') {
  await page.goto(`${BASE}/credit-notes/${query}`);
  await page.locator('#credit-notes-table[aria-busy="false"]').waitFor();
  await page.locator('#credit-summary:not([hidden])').waitFor();
}

test('a Billing Admin sees the store credit at home and on its page, reads the credit note and pays part of an invoice with it', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'billing@acme.example');
  await page.locator('#billing-overview:not([hidden])').waitFor();
  assert.equal(await page.locator('#bill-credit').innerText(), '$50.00');
  // The hours come from their own request, beside the overview's.
  await page.locator('#bill-hours:not([hidden])').waitFor();
  assert.match(await page.locator('#bill-hours-left').innerText(), /\d+ h/);
  await Promise.all([page.waitForURL(/\/credit-notes\/$/), page.getByRole('link', { name: 'Store credit' }).click()]);
  await page.locator('#credit-notes-table[aria-busy="false"]').waitFor();
  assert.equal(await page.locator('#credit-balance').innerText(), '$50.00');
  const row = page.locator('#credit-notes-table tbody tr').first();
  assert.match(await row.innerText(), /CN-0001.*\$50\.00.*Goodwill credit/s);
  // The PDF: a real file that says what the note says.
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'CN-0001 as a PDF' }).click()]);
  assert.equal(download.suggestedFilename(), 'CN-0001.pdf');
  const text = execFileSync('pdftotext', ['-layout', await download.path(), '-'], { encoding: 'utf8' });
  for (const expected of ['CREDIT NOTE', 'CN-0001', 'Acme Dental', '$50.00', 'Goodwill credit', 'INV-0002']) {
    assert.ok(text.includes(expected), `the PDF says ${expected}:\n${text}`);
  }

  // The invoice it is about: pay $20 of it with the credit.
  await Promise.all([page.waitForURL(/\/invoices\/view\/\?id=/), row.getByRole('link', { name: 'INV-0002' }).click()]);
  const section = page.locator('#credit-section:not([hidden])');
  await section.waitFor();
  assert.equal(await section.locator('#credit-available').innerText(), 'Store credit available: $50.00.');
  assert.equal(await page.getByLabel('Amount of credit to apply').inputValue(), '50.00');
  await page.getByLabel('Amount of credit to apply').fill('20');
  await page.getByRole('button', { name: 'Pay with store credit' }).click();
  await page.locator('#page-status').filter({ hasText: 'Paid $20.00 with store credit.' }).waitFor();
  assert.match(await page.locator('#payments').innerText(), /Store credit\s+\$20\.00/);
  await section.locator('#credit-available').filter({ hasText: '$30.00' }).waitFor();
  // More than is left is refused beside the field, and nothing changes.
  expectAnswer(page, 'POST', /^\/api\/invoices\/[0-9a-f]+\/credit$/, 422);
  await page.getByLabel('Amount of credit to apply').fill('31');
  await page.getByRole('button', { name: 'Pay with store credit' }).click();
  await page.locator('#credit_amount-error').filter({ hasText: /more than the store credit, \$30\.00/ }).waitFor();
  assert.equal(await page.locator('#credit_amount').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(errors, []);
});

test('an MSP admin issues a credit note to Globex about its invoice', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'admin@northwind.example');
  await creditPage(page, '?company=globex-logistics');
  assert.equal(await page.locator('#credit-balance').innerText(), '$0.00');
  await page.getByRole('button', { name: 'New credit note' }).click();
  const dialog = page.getByRole('dialog', { name: 'New credit note' });
  await dialog.getByLabel('Amount').fill('lots');
  await dialog.getByLabel('Reason (printed on the credit note)').fill('Overcharged for the scanner visit');
  await dialog.getByRole('button', { name: 'Issue credit note' }).click();
  await dialog.locator('#amount-error').filter({ hasText: /An amount such as/ }).waitFor();
  await dialog.getByLabel('Amount').fill('25');
  await dialog.getByLabel('Invoice it is about (optional)').fill('INV-0004');
  await dialog.getByRole('button', { name: 'Issue credit note' }).click();
  await page.locator('#page-status').filter({ hasText: /^CN-\d{4} issued: \$25\.00 added to the store credit\.$/ }).waitFor();
  assert.equal(await page.locator('#credit-balance').innerText(), '$25.00');
  assert.match(await page.locator('#credit-notes-table tbody tr').first().innerText(), /\$25\.00.*Overcharged.*INV-0004/s);
  assert.deepEqual(errors, []);
});

for (const theme of ['light', 'dark']) {
  test(`credit notes and paying with credit have no serious or critical axe violations (${theme})`, async () => {
    const errors = [];
    const page = await themedPage(browser, errors, theme);
    await signIn(page, 'fulladmin@acme.example');
    await creditPage(page);
    assert.deepEqual(await seriousViolations(page), [], 'credit notes');
    await page.locator('#credit-notes-table tbody tr').first().getByRole('link', { name: 'INV-0002' }).click();
    await page.locator('#credit-section:not([hidden])').waitFor();
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], 'the invoice with store credit');
    const staff = await newPage(browser, errors);
    await staff.emulateMedia({ colorScheme: theme });
    await signIn(staff, 'admin@northwind.example');
    await creditPage(staff, '?company=acme-dental');
    await staff.getByRole('button', { name: 'New credit note' }).click();
    await settled(staff);
    assert.deepEqual(await seriousViolations(staff), [], 'the new credit note dialog');
    assert.deepEqual(errors, []);
  });
}

test('on a phone the credit notes page fits', async () => {
  const errors = [];
  const page = await newPage(browser, errors, { viewport: { width: 390, height: 844 } });
  await signIn(page, 'fulladmin@acme.example');
  await creditPage(page);
  await settled(page);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scroll');
  assert.deepEqual(errors, []);
});
