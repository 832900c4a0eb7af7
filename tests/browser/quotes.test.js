// Quotes and approvals in a real browser (issue 19): the MSP admin drafts a quote in the editor
// (one-off and monthly lines, a ticket and a 30 % deposit on approval), sends it and revises it;
// Acme's Billing Admin opens the emailed link from the local mailbox, reads the PDF (read back),
// approves with their name and the consent sentence, and pays the deposit through the Stripe
// stand-in; the superseded revision cannot be approved; Acme's Full Admin approves the ticket that
// waits for approval from the home alert; axe light and dark; a phone's width.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, expectAnswer, launch, mailedLink, newPage, seriousViolations, settled, signIn, test, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const TITLE = 'Backup appliance for the server room';
let revised = null; // the label of the revision the admin sent (Q-000n rev 2)

// Fill line `i` of the editor.
async function line(page, i, description, charged, quantity, price) {
  const row = page.locator('#line-table tbody tr').nth(i);
  await row.getByLabel(`Line ${i + 1}: description`).fill(description);
  await row.getByLabel(`Line ${i + 1}: recurrence`).selectOption(charged);
  await row.getByLabel(`Line ${i + 1}: quantity`).fill(quantity);
  await row.getByLabel(`Line ${i + 1}: unit price`).fill(price);
}

test('the MSP admin drafts a quote, sends it, and revises it', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'admin@northwind.example');
  await page.goto(`${BASE}/quotes/?company=acme-dental`);
  await page.locator('#quotes-table[aria-busy="false"]').waitFor();
  await Promise.all([page.waitForURL(/\/quotes\/edit\//), page.getByRole('button', { name: 'New quote' }).click()]);
  await page.locator('#quote-form[aria-busy="false"]').waitFor();
  assert.equal(await page.getByLabel('Client company').inputValue(), 'acme-dental');
  await page.getByLabel('Title').fill(TITLE);
  await page.getByLabel('Introduction (what and why)').fill('Nightly image backups kept on site and copied offsite.');
  await line(page, 0, 'Synology RS822+ with 4 × 8 TB', 'one_time', '1', '2400');
  await page.getByRole('button', { name: 'Add a line' }).click();
  await line(page, 1, 'Offsite copy, 2 TB', 'monthly', '1', '60');
  // The first of the MSP's request types (other tests may have changed the list).
  await page.getByLabel('Raise a ticket for the work').selectOption({ index: 1 });
  await page.getByLabel('Deposit invoice').selectOption('percent');
  // A deposit that is not a percentage is said beside its field, and nothing is saved.
  await page.getByLabel('Deposit', { exact: true }).fill('half');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.locator('#deposit_value-error').filter({ hasText: 'A percentage such as 50' }).waitFor();
  await page.getByLabel('Deposit', { exact: true }).fill('30');
  // The totals of each recurrence, with tax, as the API computes them.
  assert.match(await page.locator('#totals').innerText(), /One-off total \(with tax\)\s+\$2,598\.00 one-off\s+Monthly total \(with tax\)\s+\$64\.95 a month/);
  await Promise.all([page.waitForURL(/\/quotes\/view\/\?id=/), page.getByRole('button', { name: 'Save draft' }).click()]);
  await page.locator('#quote[aria-busy="false"]').waitFor();
  assert.equal(await page.locator('#status-badge').innerText(), 'Draft');

  // Send: numbered, the approvers emailed.
  await page.getByRole('button', { name: 'Send to the approvers' }).click();
  await page.getByRole('dialog', { name: 'Send this quote?' }).getByRole('button', { name: 'Send quote' }).click();
  await page.locator('#page-status').filter({ hasText: /^Sent as Q-\d{4}; its approvers were emailed\.$/ }).waitFor();
  const label = await page.locator('[data-q="label"]').innerText();

  // Revise it: a new revision with the same number; the first is superseded.
  await Promise.all([page.waitForURL(/\/quotes\/edit\/\?id=/), page.getByRole('button', { name: 'Revise' }).click()]);
  await page.locator('#quote-form[aria-busy="false"]').waitFor();
  assert.match(await page.locator('#revising').innerText(), /Saving sends revision 2 to the approvers/);
  await page.getByLabel('Line 1: unit price').fill('2200');
  await Promise.all([page.waitForURL(/\/quotes\/view\/\?id=/), page.getByRole('button', { name: 'Send revision' }).click()]);
  await page.locator('#quote[aria-busy="false"]').waitFor();
  revised = `${label} rev 2`;
  assert.equal(await page.locator('[data-q="label"]').innerText(), revised);
  assert.equal(await page.locator('[data-q="totals_text"]').innerText(), '$2,381.50 one-off and $64.95 a month');
  assert.deepEqual(errors, []);
});

test('the Billing Admin opens the emailed link, reads the PDF, approves, and pays the deposit', async () => {
  assert.ok(revised, 'the admin sent a revision first');
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'billing@acme.example');
  await page.locator('#quotes-alert:not([hidden])').waitFor();
  const href = await mailedLink(page, 'billing@acme.example', `Quote ${revised} for your approval: ${TITLE}`, '/quotes/view/');
  await page.goto(href);
  await page.locator('#quote[aria-busy="false"]').waitFor();
  assert.equal(await page.locator('#title').innerText(), TITLE);
  assert.match(await page.locator('#on-approval').innerText(), /we raise a ticket for the work, and we invoice a deposit of \$714\.45/);

  // The PDF: a real file that says what the quote says.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
  assert.equal(download.suggestedFilename(), `${revised}.pdf`);
  const text = execFileSync('pdftotext', ['-layout', await download.path(), '-'], { encoding: 'utf8' });
  for (const expected of ['QUOTE', revised, 'Acme Dental', 'Synology RS822+', '(monthly)', '$2,381.50', '$64.95', 'Valid until']) {
    assert.ok(text.includes(expected), `the PDF says ${expected}:\n${text}`);
  }

  // Approve: the name and the sentence, which names the totals.
  const consent = page.getByRole('checkbox', { name: `I approve ${revised} for $2,381.50 one-off and $64.95 a month on the terms above, on behalf of Acme Dental.` });
  expectAnswer(page, 'POST', /^\/api\/quotes\/[0-9a-f]+\/approve(\?.*)?$/, 422);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.locator('#name-error').filter({ hasText: 'Type your name to sign' }).waitFor();
  await page.locator('#consent-error').filter({ hasText: 'Tick the sentence to approve' }).waitFor();
  await page.getByLabel('Your full name, as your signature').fill('Bella Billings');
  await consent.check();
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.locator('#page-status').filter({ hasText: `${revised} is approved.` }).waitFor();
  assert.equal(await page.locator('#status-badge').innerText(), 'Approved');
  assert.match(await page.locator('#answer-text').innerText(), /Approved by Bella Billings, signed “Bella Billings”/);
  assert.match(await page.locator('#outcome').innerText(), /Ticket for the work: #\d+\s+Deposit invoice: INV-\d{4}/);
  assert.equal(await page.locator('#approve-section').isHidden(), true, 'approved is final');

  // Pay the deposit at once, through Stripe (the stand-in).
  await page.getByRole('button', { name: 'Pay the deposit now: $714.45' }).click();
  await page.waitForURL(/\/checkout\/cs_test_double_/);
  const total = (await page.locator('h1').textContent()).replace('Pay ', '');
  assert.match(total, /714\.45/, 'Stripe is asked for the deposit');
  await page.getByRole('button', { name: `Pay ${total}` }).click();
  await page.waitForURL(/\/payments\/receipt\/\?id=.*checkout=done/);
  await page.waitForFunction(() => document.querySelector('[data-r="status"]')?.textContent === 'Paid', null, { timeout: 30_000 });

  // The superseded first revision says so, and offers no approval.
  await page.goto(`${BASE}/quotes/?tab=approved`);
  await page.locator('#quotes-table[aria-busy="false"]').waitFor();
  const first = revised.replace(' rev 2', '');
  await page.goto(`${BASE}/quotes/?q=${first}`);
  await page.locator('#quotes-table[aria-busy="false"]').waitFor();
  assert.match(await page.locator('#quotes-table tbody').innerText(), new RegExp(`${revised}.*Approved`, 's'), 'the number finds its latest revision');
  assert.deepEqual(errors, []);
});

test('the Full Admin approves the ticket that waits for approval, from the home alert', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'fulladmin@acme.example');
  const alert = page.locator('#tickets-alert:not([hidden])');
  await alert.waitFor();
  assert.equal(await alert.innerText(), '1 ticket waiting for your approval');
  await Promise.all([page.waitForURL(/\/tickets\/\?status=waiting_for_approval/), alert.getByRole('link').click()]);
  const row = page.locator('#tickets-table tbody tr').filter({ hasText: 'Appointment reminders not sent by SMS' });
  await row.waitFor();
  await Promise.all([page.waitForURL(/\/tickets\/view\//), row.getByRole('link').first().click()]);
  const section = page.locator('#approval:not([hidden])');
  await section.waitFor();
  assert.equal(await section.getByRole('heading').innerText(), 'Waiting for your approval');
  assert.match(await page.locator('#approval-text').innerText(), /Theo Technician asked.*\n.*SMS gateway add-on/s);
  // Rejecting needs a comment; approving does not.
  expectAnswer(page, 'POST', /^\/api\/tickets\/\d+\/approval$/, 422);
  await page.getByRole('button', { name: 'Reject' }).click();
  await page.locator('#comment-error').filter({ hasText: /Say why/ }).waitFor();
  await page.getByLabel('Comment (required to reject)').fill('Yes, please set it up this week.');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.locator('#action-status').filter({ hasText: 'Approved: the technician has been told.' }).waitFor();
  assert.equal(await page.locator('#status-badge').innerText(), 'In progress');
  assert.match(await page.locator('#approval-answer').innerText(), /^Approved by Fiona Fuller, .*: Yes, please set it up this week\.$/);
  assert.equal(await page.locator('#approval-form').isHidden(), true);
  await page.goto(`${BASE}/`);
  await page.locator('#ticket-stats:not([hidden])').waitFor();
  assert.equal(await page.locator('#tickets-alert').isHidden(), true, 'nothing waits any more');
  assert.deepEqual(errors, []);
});

test('the quote pages pass axe in light and dark, and fit a phone', async () => {
  for (const theme of ['light', 'dark']) {
    const errors = [];
    const page = await themedPage(browser, errors, theme);
    await signIn(page, 'fulladmin@acme.example');
    for (const tab of ['waiting', 'approved', 'declined']) {
      await page.goto(`${BASE}/quotes/?tab=${tab}`);
      await page.locator('#quotes-table[aria-busy="false"]').waitFor();
      assert.deepEqual(await seriousViolations(page), [], `${theme} ${tab}`);
    }
    await page.goto(`${BASE}/quotes/?tab=waiting`);
    await page.locator('#quotes-table[aria-busy="false"]').waitFor();
    await Promise.all([page.waitForURL(/\/quotes\/view\//), page.locator('#quotes-table tbody a').first().click()]);
    await page.locator('#quote[aria-busy="false"]').waitFor();
    await page.locator('#approve-section:not([hidden])').waitFor();
    assert.deepEqual(await seriousViolations(page), [], `${theme} quote`);
    await page.getByRole('button', { name: 'Decline…' }).click();
    await page.getByRole('dialog', { name: 'Decline this quote' }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], `${theme} decline dialog`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual(errors, []);
    await page.context().close();
    const staff = await themedPage(browser, errors, theme);
    await signIn(staff, 'admin@northwind.example');
    await staff.goto(`${BASE}/quotes/edit/?company=acme-dental`);
    await staff.locator('#quote-form[aria-busy="false"]').waitFor();
    assert.deepEqual(await seriousViolations(staff), [], `${theme} editor`);
    assert.deepEqual(errors, []);
    await staff.context().close();
  }
  const errors = [];
  const phone = await newPage(browser, errors, { viewport: { width: 390, height: 844 } });
  await signIn(phone, 'billing@acme.example');
  await phone.goto(`${BASE}/quotes/?tab=approved`);
  await phone.locator('#quotes-table[aria-busy="false"]').waitFor();
  await Promise.all([phone.waitForURL(/\/quotes\/view\//), phone.locator('#quotes-table tbody a').first().click()]);
  await phone.locator('#quote[aria-busy="false"]').waitFor();
  await settled(phone);
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the quote page fits a phone (${width} px)`);
  assert.deepEqual(errors, []);
});
