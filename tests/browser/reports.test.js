// Reports in a real browser: a Full Admin opens Reports from the navigation and reads the demo
// year's trends (the chart, the table with last year beside it, the breakdowns), downloads the
// CSV and reads it back, and reads responsiveness; a ticket raised and answered shows in both;
// MSP staff read every company's (by company) and one company's; axe light and dark; a phone.
import { before, after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn, seriousViolations, settled, test, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const loaded = (page) => Promise.all([
  page.locator('#trends[aria-busy="false"]').waitFor(),
  page.locator('#responsiveness[aria-busy="false"]').waitFor(),
]);
const thisMonth = new Intl.DateTimeFormat('en-US', { month: 'long', timeZone: 'UTC' }).format(new Date());
const monthRow = (page) => page.locator('#trend-table tbody tr').filter({ has: page.getByRole('rowheader', { name: thisMonth, exact: true }) });
const figures = async (page) => (await monthRow(page).locator('td').allInnerTexts()).map(Number);

test('a Full Admin reads the trends and responsiveness, downloads the CSV, and sees a new ticket counted', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'fulladmin@acme.example');
  await page.getByRole('link', { name: 'Reports', exact: true }).click();
  await loaded(page);
  assert.match(await page.locator('#reports-scope').innerText(), /Acme Dental/);
  const [opened, closed] = await figures(page);
  assert.ok(opened >= 0 && closed >= 0);
  assert.equal(await page.locator('#trend-chart svg rect.bar').count(), 12, 'a bar per month');
  assert.match(await page.locator('#trends-summary').innerText(), /\d+ opened, \d+ closed/);
  assert.ok(await page.locator('#by-type tbody tr').count() > 0);
  assert.equal(await page.locator('#by-contact-caption').innerText(), 'By contact');

  // The CSV, read back.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the trends as CSV' }).click()]);
  const csv = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(csv).toString('utf8');
  assert.match(text, /^"year","breakdown","name","opened","closed"/);
  assert.match(text, /"request type"/);

  // The executive report of last month: downloaded, and read back.
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the PDF' }).click()]);
  assert.match(pdf.suggestedFilename(), /^executive-report-acme-dental-\d{4}-\d{2}\.pdf$/);
  const file = join(mkdtempSync(join(tmpdir(), 'portal-report-')), 'report.pdf');
  writeFileSync(file, Buffer.concat(await (await pdf.createReadStream()).toArray()));
  const read = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  for (const want of ['Acme Dental', 'Tickets', 'Responsiveness', 'Satisfaction', 'Agreements and hours', 'Invoices and payments', 'Configurations expiring']) {
    assert.ok(read.includes(want), `${want} in the PDF`);
  }
  // A quarter instead.
  await page.getByLabel('Period').selectOption({ index: 12 });
  assert.match(await page.getByRole('button', { name: 'Download the PDF' }).getAttribute('href'), /period=\d{4}-Q[1-4]/);
  // Subscribing: the checkbox saves at once, and stays on.
  await page.getByLabel(/Email me the report of the month before/).check();
  await page.locator('#subscription-status', { hasText: 'Subscribed' }).waitFor();
  await page.reload();
  await loaded(page);
  assert.equal(await page.getByLabel(/Email me the report of the month before/).isChecked(), true);
  await page.getByLabel(/Email me the report of the month before/).uncheck();
  await page.locator('#subscription-status', { hasText: 'Unsubscribed' }).waitFor();

  // A new ticket, answered by the MSP, counts at once.
  await page.goto(`${BASE}/tickets/new/`);
  await page.locator('#ticket-form[aria-busy="false"]').waitFor();
  await page.getByLabel('Summary').fill('Report check');
  await page.getByLabel('Description').fill('Counted?');
  await Promise.all([page.waitForURL(/\/tickets\/view\/\?number=\d+/), page.getByRole('button', { name: 'Submit ticket' }).click()]);
  const number = new URL(page.url()).searchParams.get('number');
  const tech = await newPage(browser, errors);
  await signIn(tech, 'tech@northwind.example');
  await tech.evaluate(async (n) => {
    const r = await fetch(`/api/tickets/${n}/notes`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ text: 'On it.', internal: false }) });
    if (r.status !== 201) throw new Error(`note: ${r.status}`);
  }, number);
  await page.goto(`${BASE}/reports/`);
  await loaded(page);
  assert.deepEqual((await figures(page)).slice(0, 1), [opened + 1]);
  const latest = page.locator('#responsiveness-table tbody tr').first();
  assert.ok(Number((await latest.locator('td').first().innerText())) >= 1, 'the reply counted');
  assert.deepEqual(errors, []);
});

test('MSP staff read every company\'s reports by company, and one company\'s', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'tech@northwind.example');
  await page.goto(`${BASE}/reports/`);
  await loaded(page);
  assert.match(await page.locator('#reports-scope').innerText(), /every client company/);
  assert.equal(await page.locator('#by-contact-caption').innerText(), 'By company');
  const companies = await page.locator('#by-contact tbody th, #by-contact tbody td:first-child').allInnerTexts();
  assert.ok(companies.includes('Acme Dental'), companies.join(', '));
  await Promise.all([page.waitForURL(/company=acme-dental/), page.getByLabel('Company', { exact: true }).selectOption('acme-dental')]);
  await loaded(page);
  assert.match(await page.locator('#reports-scope').innerText(), /Acme Dental/);
  assert.equal(await page.locator('#by-contact-caption').innerText(), 'By contact');
  assert.deepEqual(errors, []);
});

for (const theme of ['light', 'dark']) {
  test(`reports pass axe in ${theme} and fit a phone`, async () => {
    const errors = [];
    const page = await themedPage(browser, errors, theme, { viewport: { width: 390, height: 844 } });
    await signIn(page, 'ticketmanager@acme.example');
    await page.goto(`${BASE}/reports/`);
    await loaded(page);
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], 'the reports');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scrolling at 390 px');
    assert.deepEqual(errors, []);
  });
}
