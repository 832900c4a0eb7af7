// The agreement and time paths of issue 18 in a real browser: a Full Admin sees the low-balance
// alert at home and the block's balance, usage chart (with its table twin) and time on the
// agreements page; a Ticket Manager sees hours left only; a technician logs time on a Standard
// User's ticket and sees the balance move, changes and deletes it; the user sees the public entry
// and not the internal note; axe light and dark; a phone's width.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, expectAnswer, launch, newPage, signIn, seriousViolations, settled, test, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const BLOCK = 'Prepaid support hours';

// Minutes from "5 h 30 min", "45 min", "2 h".
function minutes(text) {
  const h = /(-?\d+) h/.exec(text);
  const m = /(\d+) min/.exec(text);
  return (h ? Number(h[1]) * 60 : 0) + (m ? Number(m[1]) : 0);
}

// The block's hours left, as its card on the agreements page says.
async function leftOnPage(page) {
  await page.goto(`${BASE}/agreements/`);
  await page.locator('#agreement-list[aria-busy="false"]').waitFor();
  const line = await page.locator('article.agreement').filter({ hasText: BLOCK }).locator('.hours-line').innerText();
  return minutes(line.split(':')[1].split('left')[0]);
}

test('a Full Admin sees the low balance at home, and the block with its usage and time on the agreements page', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'fulladmin@acme.example');
  await page.locator('#hours-tile:not([hidden])').waitFor();
  assert.match(await page.locator('#hours-alert').innerText(), /Prepaid support hours is running low: .+ left of \d+ h\./);
  await Promise.all([page.waitForURL(/\/agreements\/#a-/), page.locator('#hours-list').getByRole('link', { name: BLOCK }).click()]);
  await page.locator('#agreement-list[aria-busy="false"]').waitFor();
  const block = page.locator('article.agreement').filter({ hasText: BLOCK });
  assert.match(await block.locator('.low-alert').innerText(), /running low/);
  assert.ok(Number(await block.locator('progress').getAttribute('value')) > 50, 'the bar shows most of it used');
  assert.match(await block.locator('progress').getAttribute('aria-label'), /used of \d+ h/);
  // The chart and its table twin: the same months, the hours of the demo's 14.5.
  const rows = await block.locator('[data-a="usage-table"] tbody tr').allInnerTexts();
  assert.ok(rows.length >= 1, 'a month at least');
  assert.equal(await block.locator('.bar-chart .bar').count(), rows.length);
  const terms = await block.locator('dl.facts').innerText();
  assert.match(terms, /Rate per hour\s+\$120\.00/);
  assert.match(terms, /10 h \(\$1,200\.00\)/);
  // The time behind it, loaded when opened.
  await block.getByText('Time logged', { exact: true }).click();
  await block.locator('.time-list tbody tr').first().waitFor();
  assert.ok(await block.locator('.time-list tbody tr').count() >= 6);
  assert.match(await block.locator('.time-list').innerText(), /Theo Technician/);
  // The managed-services agreement shows its fee, not hours.
  const managed = page.locator('article.agreement').filter({ hasText: 'Managed workstations' });
  assert.match(await managed.locator('dl.facts').innerText(), /\$2,500\.00 monthly/);
  assert.equal(await managed.locator('progress').isVisible(), false);
  assert.deepEqual(errors, []);
});

test('a Ticket Manager sees the hours left only; a Standard User has no agreements', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'ticketmanager@acme.example');
  await page.locator('#hours-tile:not([hidden])').waitFor();
  await page.getByRole('link', { name: 'Agreements', exact: true }).click();
  await page.locator('#agreement-list[aria-busy="false"]').waitFor();
  assert.deepEqual(await page.locator('article.agreement h2').allInnerTexts(), [BLOCK]);
  assert.equal(await page.locator('article.agreement dl.facts').isVisible(), false, 'no terms');
  assert.equal(await page.locator('article.agreement [data-a="time"]').isVisible(), false, 'no time list');
  assert.match(await page.locator('.hours-line').innerText(), /left of \d+ h/);

  const user = await newPage(browser, errors);
  await signIn(user, 'user@acme.example');
  assert.equal(await user.getByRole('link', { name: 'Agreements', exact: true }).count(), 0);
  await settled(user);
  assert.equal(await user.locator('#hours-tile').isVisible(), false);
  assert.deepEqual(errors, []);
});

test('a technician logs time on a ticket and sees the balance move; the client sees the public entry only', async () => {
  const errors = [];
  const user = await newPage(browser, errors);
  await signIn(user, 'user@acme.example');
  const raised = await user.request.post(`${BASE}/api/tickets`, {
    headers: { origin: BASE },
    data: { request_type: 'Problem', summary: 'Scanner at the front desk drops its connection', description: 'Since the update.', priority: 'medium' },
  });
  assert.equal(raised.status(), 201);
  const number = (await raised.json()).number;

  const tech = await newPage(browser, errors);
  await signIn(tech, 'tech@northwind.example');
  const admin = await newPage(browser, errors);
  await signIn(admin, 'fulladmin@acme.example');
  const before = await leftOnPage(admin);

  await tech.goto(`${BASE}/tickets/view/?number=${number}`);
  await tech.locator('#time-form:not([hidden])').waitFor();
  assert.equal(await tech.locator('#time-total').innerText(), 'No time logged yet.');
  // The agreement list comes with its hours left.
  await tech.locator('#time-agreement option', { hasText: BLOCK }).waitFor({ state: 'attached' });
  await tech.getByLabel('Minutes').fill('45');
  await tech.getByLabel('Note', { exact: true }).fill('Reinstalled the scanner driver.');
  await tech.getByRole('button', { name: 'Log time' }).click();
  await tech.locator('#time-balance').filter({ hasText: '45 min logged.' }).waitFor();
  assert.match(await tech.locator('#time-balance').innerText(), new RegExp(`${BLOCK}: .+ left of \\d+ h`));
  assert.equal(await tech.locator('#time-table tbody tr').count(), 1);
  assert.equal(await leftOnPage(admin), before - 45, 'the balance moved by 45 minutes');

  // An internal note on a second entry, then a change of the first.
  await tech.getByLabel('Minutes').fill('12');
  await tech.getByLabel('Note', { exact: true }).fill('Driver came from the vendor FTP; keep a copy.');
  await tech.getByLabel(/The note is internal/).check();
  await tech.getByRole('button', { name: 'Log time' }).click();
  await tech.locator('#time-balance').filter({ hasText: '12 min logged.' }).waitFor();
  await tech.getByRole('button', { name: /^Edit the entry of .+, 45 min$/ }).click();
  await tech.getByLabel('Minutes').fill('60');
  await tech.getByRole('button', { name: 'Save the change' }).click();
  await tech.locator('#time-balance').filter({ hasText: 'Time entry saved.' }).waitFor();
  assert.match(await tech.locator('#time-total').innerText(), /Total 1 h 12 min/);
  assert.equal(await leftOnPage(admin), before - 72);

  // Bad input: said beside the field, nothing written.
  expectAnswer(tech, 'POST', `/api/tickets/${number}/time`, 422);
  await tech.getByLabel('Minutes').fill('0');
  await tech.getByRole('button', { name: 'Log time' }).click();
  await tech.locator('#time-minutes-error').filter({ hasText: /1 minute to 24 hours/ }).waitFor();
  assert.equal(await tech.locator('#time-minutes').getAttribute('aria-invalid'), 'true');

  // The client sees both entries and the public note only.
  await user.goto(`${BASE}/tickets/view/?number=${number}`);
  await user.locator('#time-section:not([hidden])').waitFor();
  const seen = await user.locator('#time-table').innerText();
  assert.match(seen, /Reinstalled the scanner driver\./);
  assert.doesNotMatch(seen, /vendor FTP/);
  assert.match(await user.locator('#time-total').innerText(), /Total 1 h 12 min/);
  assert.equal(await user.locator('#time-form').isVisible(), false);

  // Deleting (after a confirmation) gives the time back.
  for (const [name, left] of [[/^Delete the entry of .+, 1 h$/, 1], [/^Delete the entry of .+, 12 min$/, 0]]) {
    await tech.getByRole('button', { name }).click();
    await tech.getByRole('dialog').getByRole('button', { name: 'Delete the entry' }).click();
    await tech.waitForFunction((n) => document.querySelectorAll('#time-table tbody tr').length === n, left);
    await tech.locator('#time-balance').filter({ hasText: 'Time entry deleted.' }).waitFor();
  }
  assert.equal(await tech.locator('#time-total').innerText(), 'No time logged yet.');
  assert.equal(await leftOnPage(admin), before, 'restored exactly');
  assert.deepEqual(errors, []);
});

for (const theme of ['light', 'dark']) {
  test(`agreement and time views have no serious or critical axe violations (${theme})`, async () => {
    const errors = [];
    const page = await themedPage(browser, errors, theme);
    await signIn(page, 'fulladmin@acme.example');
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], 'home with the hours tile');
    await page.goto(`${BASE}/agreements/`);
    await page.locator('#agreement-list[aria-busy="false"]').waitFor();
    await page.locator('article.agreement').filter({ hasText: BLOCK }).getByText('Time logged', { exact: true }).click();
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], 'agreements');
    const tech = await newPage(browser, errors);
    await tech.emulateMedia({ colorScheme: theme });
    await signIn(tech, 'tech@northwind.example');
    await tech.goto(`${BASE}/agreements/?company=acme-dental`);
    await tech.locator('#agreement-list[aria-busy="false"]').waitFor();
    assert.equal(await tech.locator('article.agreement').count(), 2);
    await tech.goto(`${BASE}/tickets/view/?number=1`);
    await tech.locator('#time-form:not([hidden])').waitFor();
    await settled(tech);
    assert.deepEqual(await seriousViolations(tech), [], 'the ticket page with the time form');
    assert.deepEqual(errors, []);
  });
}

test('an MSP admin creates an agreement from the form', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'admin@northwind.example');
  await page.goto(`${BASE}/agreements/?company=globex-logistics`);
  await page.locator('#agreement-list[aria-busy="false"]').waitFor();
  const before = await page.locator('article.agreement').count();
  expectAnswer(page, 'POST', '/api/agreements', 422);
  await page.getByRole('button', { name: 'New agreement' }).click();
  const dialog = page.getByRole('dialog', { name: 'New agreement' });
  await dialog.getByLabel('Name').fill(`Retainer ${Date.now()}`);
  await dialog.getByLabel('Type').selectOption('retainer');
  await dialog.getByLabel('Start').fill('2026-01-01');
  await dialog.getByLabel('Fee per period').fill('900');
  await dialog.getByLabel('Hours', { exact: true }).fill('');
  await dialog.getByRole('button', { name: 'Create agreement' }).click();
  // A retainer needs its hours: said beside the field.
  await dialog.locator('#hours-error').filter({ hasText: /hours it holds/ }).waitFor();
  await dialog.getByLabel('Hours', { exact: true }).fill('8');
  await dialog.getByRole('button', { name: 'Create agreement' }).click();
  await page.locator('#page-status').filter({ hasText: 'created' }).waitFor();
  assert.equal(await page.locator('article.agreement').count(), before + 1);
  assert.deepEqual(errors, []);
});

test('on a phone the agreements page and the time table fit', async () => {
  const errors = [];
  const page = await newPage(browser, errors, { viewport: { width: 390, height: 844 } });
  await signIn(page, 'fulladmin@acme.example');
  await page.goto(`${BASE}/agreements/`);
  await page.locator('#agreement-list[aria-busy="false"]').waitFor();
  await page.locator('article.agreement').filter({ hasText: BLOCK }).getByText('Time logged', { exact: true }).click();
  await settled(page);
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= innerWidth);
  assert.ok(await fits(), 'the agreements page does not scroll sideways');
  await page.goto(`${BASE}/tickets/view/?number=1`);
  await settled(page);
  assert.ok(await fits(), 'the ticket page does not scroll sideways');
  assert.deepEqual(errors, []);
});

test('a Billing Admin buys ten more hours through the Stripe stand-in; they are added when Stripe confirms', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'billing@acme.example');
  await page.goto(`${BASE}/agreements/`);
  await page.locator('#agreement-list[aria-busy="false"]').waitFor();
  const block = page.locator('article.agreement').filter({ hasText: BLOCK });
  const included = async () => minutes((await block.locator('.hours-line').innerText()).split('left of ')[1]);
  const before = await included();
  await block.getByLabel('Buy more hours').selectOption('10');
  assert.match(await block.getByLabel('Buy more hours').locator('option:checked').innerText(), /^10 hours: \$1,200\.00 before tax$/);
  await block.getByRole('button', { name: 'Buy and pay' }).click();
  // Stripe's page (the stand-in): the invoice's total, tax included.
  await page.waitForURL(/\/checkout\/cs_test_double_/);
  const total = (await page.locator('h1').textContent()).replace('Pay ', '');
  await page.getByRole('button', { name: `Pay ${total}` }).click();
  await page.waitForURL(/\/payments\/receipt\/\?id=.*checkout=done/);
  await page.waitForFunction(() => document.querySelector('[data-r="status"]')?.textContent === 'Paid', null, { timeout: 30_000 });
  await page.goto(`${BASE}/agreements/`);
  await page.locator('#agreement-list[aria-busy="false"]').waitFor();
  assert.equal(await included(), before + 600, 'ten hours more');
  assert.deepEqual(errors, []);
});
