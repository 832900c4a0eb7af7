// The ticket paths of issue 3 in a real browser: a client raises a ticket with a file, adds a note
// with a pasted screenshot, cancels it and finds it under Closed; a technician replies and adds an
// internal note; the client sees the reply but never the internal note; CSV export; axe scans.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, expectAnswer, launch, newPage, signIn, seriousViolations, test, settled, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// A 1×1 PNG, as a pasted screenshot.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function raise(page, summary, { file } = {}) {
  await page.goto(`${BASE}/tickets/new/`);
  await page.locator('#ticket-form[aria-busy="false"]').waitFor();
  await page.getByLabel('Request type').selectOption('Problem');
  await page.getByLabel('Summary').fill(summary);
  await page.getByLabel('Description').fill('The screen flickers when the scanner starts.');
  await page.getByLabel('Priority').selectOption('high');
  if (file) await page.locator('#files').setInputFiles(file);
  await Promise.all([
    page.waitForURL(/\/tickets\/view\/\?number=\d+&created=1/),
    page.getByRole('button', { name: 'Submit ticket' }).click(),
  ]);
  const number = Number(new URL(page.url()).searchParams.get('number'));
  await page.locator('#title').filter({ hasText: `#${number} ${summary}` }).waitFor();
  return number;
}

async function rowNumbers(page) {
  await page.locator('#tickets-table[aria-busy="false"]').waitFor();
  return page.locator('#tickets-table td[data-field="number"]').allTextContents();
}

test('a client raises a ticket with a file, adds a note with a pasted image, cancels it and finds it under Closed', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'user@acme.example');
  const summary = `Scanner flicker z${Date.now()}`;
  const number = await raise(page, summary, {
    file: { name: 'screen.txt', mimeType: 'text/plain', buffer: Buffer.from('flicker at 09:14\n') },
  });
  assert.match(await page.locator('#created-status').textContent(), new RegExp(`Ticket #${number} raised`));
  assert.equal(await page.locator('#attachments a').first().textContent(), 'screen.txt');
  // The download is the file itself, as an attachment.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#attachments a').first().click()]);
  assert.equal(download.suggestedFilename(), 'screen.txt');
  assert.equal(readFileSync(await download.path(), 'utf8'), 'flicker at 09:14\n');

  await page.goto(`${BASE}/tickets/`);
  assert.ok((await rowNumbers(page)).includes(`#${number}`), 'listed under Open');
  await page.getByRole('searchbox', { name: 'Search' }).fill(summary.split(' ').pop());
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/q=/);
  assert.deepEqual(await rowNumbers(page), [`#${number}`], 'found by a word of its summary');
  // Its number searched on the Closed tab opens the (open) ticket: never listed under the wrong tab.
  await page.goto(`${BASE}/tickets/?tab=closed`);
  await page.getByRole('searchbox', { name: 'Search' }).fill(`#${number}`);
  await Promise.all([page.waitForURL(/\/tickets\/view\/\?number=/), page.getByRole('button', { name: 'Apply' }).click()]);
  await page.locator('#title').filter({ hasText: `#${number} ${summary}` }).waitFor();
  // The Open tab offers only open statuses, and an empty search says what found nothing.
  await page.goto(`${BASE}/tickets/`);
  await page.locator('#tickets-table[aria-busy="false"]').waitFor();
  assert.deepEqual(await page.locator('#status option').allTextContents(), ['Any status', 'New', 'In progress', 'Waiting on client', 'Scheduled', 'Waiting for approval']);
  await page.getByRole('searchbox', { name: 'Search' }).fill('zzqqxx');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('cell', { name: 'No open tickets match “zzqqxx”.' }).waitFor();

  await page.goto(`${BASE}/tickets/view/?number=${number}`);
  await page.locator('#note-form').waitFor();
  // An empty note is refused at its field, which is marked and gets the focus.
  expectAnswer(page, 'POST', `/api/tickets/${number}/notes`, 422);
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.locator('#text-error').filter({ hasText: 'Write the note' }).waitFor();
  assert.equal(await page.getByLabel('Add a note').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'note');
  assert.equal(await page.locator('#action-error').textContent(), 'Please correct the fields marked below.');
  await page.getByLabel('Add a note').fill('Here is a screenshot of it.');
  // Paste an image into the note box, as Ctrl+V of a screenshot does.
  await page.locator('#note').evaluate((box, bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, [...PNG]);
  assert.match(await page.locator('#note-files-list').textContent(), /image\.png/);
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.locator('#action-status').filter({ hasText: 'Note added.' }).waitFor();
  assert.match(await page.locator('#conversation').textContent(), /Here is a screenshot of it\./);
  assert.equal(await page.locator('#attachments a').count(), 2);
  assert.match(await page.locator('#attachments').textContent(), /image\.png/);

  // Cancelling asks for a note first, saying what happens; going back changes nothing.
  const status = page.locator('[data-t="status"]');
  const before = await status.textContent();
  await page.getByRole('button', { name: 'Cancel this ticket' }).click();
  const ask = page.getByRole('group', { name: `Cancel ticket #${number}` });
  await ask.waitFor();
  assert.match(await ask.textContent(), /takes no more notes\. You can reopen it within \d+ days/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'status-note', 'the note has the focus');
  await page.getByRole('button', { name: 'Back' }).click();
  await ask.waitFor({ state: 'hidden' });
  assert.equal(await status.textContent(), before);
  // Without a note it is refused at the note, and nothing is sent.
  await page.getByRole('button', { name: 'Cancel this ticket' }).click();
  await page.getByRole('button', { name: 'Cancel the ticket' }).click();
  await page.locator('#status-note-error').filter({ hasText: 'Say why' }).waitFor();
  assert.equal(await page.getByLabel(/^Why/).getAttribute('aria-invalid'), 'true');
  assert.equal(await status.textContent(), before);
  await page.getByLabel(/^Why/).fill('We bought a new scanner instead.');
  await page.getByRole('button', { name: 'Cancel the ticket' }).click();
  await page.locator('#action-status').filter({ hasText: 'Cancelled' }).waitFor();
  assert.equal(await status.textContent(), 'Cancelled');
  assert.match(await page.locator('#conversation').textContent(), /We bought a new scanner instead\./, 'the note is in the conversation');
  assert.equal(await page.locator('#note-form').isHidden(), true, 'no notes on a closed ticket');
  assert.match(await page.locator('#closed-text').textContent(), /You can reopen it until .+, or raise a new ticket/);
  // Cancelled by mistake: the client reopens it within the window, like a resolved ticket.
  await page.getByRole('button', { name: 'Reopen this ticket' }).click();
  await page.getByLabel(/^Why/).fill('Sorry, the new scanner flickers too.');
  await page.getByRole('button', { name: 'Reopen the ticket' }).click();
  await page.locator('#action-status').filter({ hasText: 'Ticket set to New.' }).waitFor();
  assert.equal(await status.textContent(), 'New');
  assert.equal(await page.locator('#note-form').isHidden(), false, 'takes notes again');
  await page.getByRole('button', { name: 'Cancel this ticket' }).click();
  await page.getByLabel(/^Why/).fill('Replaced under warranty.');
  await page.getByRole('button', { name: 'Cancel the ticket' }).click();
  await page.locator('#action-status').filter({ hasText: 'Cancelled' }).waitFor();

  // Emailed: the client's confirmation of the new ticket, and the MSP told of the cancellation.
  await page.goto(`${BASE}/dev/mailbox`);
  const mailed = page.locator('article', { hasText: 'user@acme.example' }).getByRole('heading', { name: `Ticket #${number} received: ${summary}` });
  assert.equal(await mailed.count(), 1, 'one confirmation');
  assert.equal(await page.getByRole('heading', { name: `Ticket #${number} cancelled by Acme Dental` }).count(), 2, 'once per cancellation');

  await page.goto(`${BASE}/tickets/`);
  assert.ok(!(await rowNumbers(page)).includes(`#${number}`), 'gone from Open');
  await page.getByRole('link', { name: 'Closed' }).click();
  await page.waitForURL(/tab=closed/);
  assert.ok((await rowNumbers(page)).includes(`#${number}`), 'found under Closed');
  assert.deepEqual(errors, []);
});

test('a technician replies and adds an internal note; the client sees the reply only; CSV export', async () => {
  const errors = [];
  const client = await newPage(browser, errors);
  await signIn(client, 'user@acme.example');
  const summary = `Monitor dead ${Date.now()}`;
  const number = await raise(client, summary);

  const tech = await newPage(browser, errors);
  await signIn(tech, 'tech@northwind.example');
  await tech.goto(`${BASE}/tickets/`);
  assert.ok((await rowNumbers(tech)).includes(`#${number}`), 'in the MSP queue');
  await tech.goto(`${BASE}/tickets/view/?number=${number}`);
  await tech.locator('#note-form').waitFor();
  await tech.getByLabel('Add a note').fill('Replacement monitor arrives tomorrow.');
  await tech.getByRole('button', { name: 'Add note' }).click();
  await tech.locator('#action-status').filter({ hasText: 'Note added.' }).waitFor();
  await tech.getByLabel('Add a note').fill('INTERNAL: charge to the hardware contract.');
  await tech.getByLabel(/Internal note/).check();
  await tech.getByRole('button', { name: 'Add note' }).click();
  await tech.locator('#action-status').filter({ hasText: 'Internal note added.' }).waitFor();
  await tech.getByLabel('Technician').selectOption({ label: 'Theo Technician' });
  await tech.getByLabel('Status', { exact: true }).selectOption('in_progress');
  await tech.getByRole('button', { name: 'Save changes' }).click();
  await tech.locator('#action-status').filter({ hasText: 'Changes saved.' }).waitFor();
  assert.equal(await tech.locator('[data-t="assignee_name"]').textContent(), 'Theo Technician');
  assert.match(await tech.locator('#conversation').textContent(), /INTERNAL: charge/);
  // Laid out cleanly: Print inside the card's header, above its divider; note author lines clear
  // of the card's edge; the file picker a button (no "No file chosen" beside chosen files).
  const [header, print] = await Promise.all([tech.locator('#ticket > header').boundingBox(), tech.getByRole('button', { name: 'Print' }).boundingBox()]);
  assert.ok(print.y + print.height <= header.y + header.height, `Print ${JSON.stringify(print)} crosses the header's edge ${JSON.stringify(header)}`);
  for (const note of await tech.locator('#conversation .note').all()) {
    const [card, author] = await Promise.all([note.boundingBox(), note.locator('header').boundingBox()]);
    assert.ok(author.x - card.x >= 8, `a note's author line touches its card's edge (${author.x - card.x} px)`);
  }
  assert.ok(((await tech.locator('#note-files').boundingBox())?.width ?? 0) <= 1, 'the native file input is hidden');
  assert.ok(await tech.locator('label[for="note-files"]').isVisible(), 'the Choose files button');
  // The ticket names its company, on screen and on paper; the printout has no navigation link.
  await tech.locator('[data-t="company"]').filter({ hasText: /^Acme Dental$/ }).waitFor();
  await tech.emulateMedia({ media: 'print' });
  assert.equal(await tech.getByRole('link', { name: '← All tickets' }).isVisible(), false, 'not printed');
  assert.equal(await tech.locator('[data-t="company"]').isVisible(), true, 'printed');
  await tech.emulateMedia({ media: 'screen' });
  // The queue shows company names and who has each ticket.
  await tech.goto(`${BASE}/tickets/`);
  const queued = tech.locator('#tickets-table tbody tr', { has: tech.getByRole('link', { name: `#${number}`, exact: true }) });
  // (The names come beside the list, not before it: the row gets its name when they arrive.)
  await queued.locator('[data-field="company"]').filter({ hasText: /^Acme Dental$/ }).waitFor();
  assert.equal(await queued.locator('[data-field="technician"]').textContent(), 'Theo Technician');

  await client.goto(`${BASE}/tickets/view/?number=${number}`);
  await client.locator('#ticket[aria-busy="false"]').waitFor();
  const conversation = await client.locator('#conversation').textContent();
  assert.match(conversation, /Replacement monitor arrives tomorrow\./);
  assert.doesNotMatch(await client.content(), /INTERNAL: charge/);
  assert.equal(await client.locator('[data-t="status"]').textContent(), 'In progress');

  await client.goto(`${BASE}/tickets/`);
  await client.locator('#tickets-table[aria-busy="false"]').waitFor();
  const [download] = await Promise.all([client.waitForEvent('download'), client.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(download.suggestedFilename(), /^tickets-open-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.match(csv, new RegExp(`"${number}","${summary}"`));
  assert.doesNotMatch(csv, /INTERNAL/);
  assert.deepEqual(errors, []);
});

test('dates read one way everywhere, and times are the company\'s, whatever the browser\'s time zone', async () => {
  const errors = [];
  // A browser far from the company: the pages still show the company's times.
  const page = await newPage(browser, errors, { timezoneId: 'Pacific/Auckland', locale: 'en-US' });
  await signIn(page, 'fulladmin@acme.example');
  const zone = await page.evaluate(async () => (await (await fetch('/api/me')).json()).company.time_zone);
  const iso = /\b\d{4}-\d{2}-\d{2}\b/;
  for (const path of ['/', '/tickets/', '/tickets/?tab=closed', '/invoices/', '/invoices/?tab=closed', '/payments/', '/audit/', '/account/']) {
    await page.goto(`${BASE}${path}`);
    await settled(page);
    const text = await page.locator('main').innerText();
    assert.ok(!iso.test(text), `${path} shows an ISO date: ${iso.exec(text)?.[0]}`);
  }
  const first = page.locator('#tickets-table td[data-field="number"] a').first();
  await page.goto(`${BASE}/tickets/`);
  await Promise.all([page.waitForURL(/\/tickets\/view\//), first.click()]);
  await page.locator('#ticket[aria-busy="false"]').waitFor();
  const number = new URL(page.url()).searchParams.get('number');
  const created = await page.evaluate(async (n) => (await (await fetch(`/api/tickets/${n}`)).json()).ticket.created_at, number);
  const expected = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date(created));
  assert.equal(await page.locator('[data-t="created_at"]').textContent(), expected, `in ${zone}`);
  assert.ok(!iso.test(await page.locator('main').innerText()), 'the ticket page');
  assert.deepEqual(errors, []);
});

for (const theme of ['light', 'dark']) {
  test(`ticket pages have no serious or critical axe violations (${theme})`, async () => {
    const errors = [];
    const page = await themedPage(browser, errors, theme);
    await signIn(page, 'fulladmin@acme.example');
    await page.locator('#ticket-stats:not([hidden])').waitFor();
    assert.equal(await page.locator('#chart-table tbody tr').count(), 12, 'the chart has its table twin');
    assert.deepEqual(await seriousViolations(page), [], 'home with ticket counts');
    await page.goto(`${BASE}/tickets/`);
    await page.locator('#tickets-table[aria-busy="false"]').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'ticket list');
    const first = page.locator('#tickets-table td[data-field="number"] a').first();
    await Promise.all([page.waitForURL(/\/tickets\/view\//), first.click()]);
    await page.locator('#ticket[aria-busy="false"]').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'ticket page');
    await page.getByRole('button', { name: 'Cancel this ticket' }).click();
    await page.getByRole('group', { name: /^Cancel ticket #\d+$/ }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the form asking for a note before a ticket is cancelled');
    await page.getByRole('button', { name: 'Back' }).click();
    await page.goto(`${BASE}/tickets/new/`);
    await page.locator('#ticket-form[aria-busy="false"]').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'new ticket form');
    assert.deepEqual(errors, []);
  });
}
