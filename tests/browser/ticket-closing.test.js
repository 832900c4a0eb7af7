// How a ticket ends, in a real browser (issue 22): a technician keeps a checklist, is refused a
// resolve without a resolution, resolves with one; the client reads the resolution and the tasks,
// opens the sign-off, reads the form's PDF back, signs it off and reads the signed form back; the
// ticket's own PDF never holds the internal note. axe light and dark; a phone's width.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, expectAnswer, launch, newPage, signIn, seriousViolations, settled, test, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Raise a ticket as the signed-in client, through the API as the page does; its number.
async function raised(page, summary) {
  return page.evaluate(async (s) => (await (await fetch('/api/tickets', {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ request_type: 'Problem', summary: s, description: 'The drum squeaks on every page.', priority: 'medium' }),
  })).json()).number, summary);
}

async function pdfText(page, link) {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return execFileSync('pdftotext', ['-layout', await download.path(), '-'], { encoding: 'utf8' });
}

test('a technician keeps tasks and resolves; the client signs the ticket off and reads both PDFs back', async () => {
  const errors = [];
  const client = await newPage(browser, errors);
  await signIn(client, 'user@acme.example');
  const summary = `Squeaky printer ${Date.now()}`;
  const number = await raised(client, summary);

  const tech = await newPage(browser, errors);
  await signIn(tech, 'tech@northwind.example');
  await tech.goto(`${BASE}/tickets/view/?number=${number}`);
  await tech.locator('#task-form').waitFor();
  for (const task of ['Order a drum unit', 'Fit the drum unit']) {
    await tech.getByLabel('New task').fill(task);
    await tech.getByRole('button', { name: 'Add task' }).click();
    await tech.getByRole('checkbox', { name: task }).waitFor();
  }
  await tech.getByRole('checkbox', { name: 'Order a drum unit' }).check();
  await tech.locator('#tasks-heading').filter({ hasText: 'Tasks 1/2' }).waitFor();
  await tech.getByLabel('Add a note').fill('INTERNAL: bill the drum to the hardware contract.');
  await tech.getByLabel(/Internal note/).check();
  await tech.getByRole('button', { name: 'Add note' }).click();
  await tech.locator('#action-status').filter({ hasText: 'Internal note added.' }).waitFor();
  // Resolving asks for the resolution.
  expectAnswer(tech, 'PATCH', `/api/tickets/${number}`, 422);
  await tech.getByLabel('Status', { exact: true }).selectOption('resolved');
  await tech.getByRole('button', { name: 'Save changes' }).click();
  await tech.locator('#action-error').filter({ hasText: 'Write the resolution' }).waitFor();
  assert.equal(await tech.locator('[data-t="status"]').textContent(), 'New', 'nothing changed');
  await tech.getByLabel('Status', { exact: true }).selectOption('resolved');
  await tech.getByLabel(/Public note with the change/).fill('Replaced the drum unit; the squeak is gone.');
  await tech.getByRole('button', { name: 'Save changes' }).click();
  await tech.locator('#action-status').filter({ hasText: 'Changes saved.' }).waitFor();
  assert.equal(await tech.locator('[data-t="status"]').textContent(), 'Resolved');
  assert.equal(await tech.locator('#resolution-text').textContent(), 'Replaced the drum unit; the squeak is gone.');

  // The client: the resolution above the conversation, the tasks, and the way to sign off.
  await client.goto(`${BASE}/tickets/view/?number=${number}`);
  await client.locator('#ticket[aria-busy="false"]').waitFor();
  await client.getByRole('heading', { name: 'Resolution' }).waitFor();
  assert.equal(await client.locator('#resolution-text').textContent(), 'Replaced the drum unit; the squeak is gone.');
  assert.equal(await client.locator('#tasks-heading').textContent(), 'Tasks 1/2');
  assert.equal(await client.locator('#task-form').isHidden(), true, 'clients do not edit tasks');
  assert.equal(await client.getByRole('checkbox').count(), 0);
  const ticketPdf = await pdfText(client, client.getByRole('button', { name: 'Download PDF' }));
  for (const expected of [`#${number}`, summary, 'Replaced the drum unit', 'Tasks (1 of 2 done)', 'Order a drum unit']) {
    assert.ok(ticketPdf.includes(expected), `the ticket PDF says ${expected}:\n${ticketPdf}`);
  }
  assert.ok(!ticketPdf.includes('INTERNAL'), 'no internal note in the PDF');
  await Promise.all([client.waitForURL(/\/tickets\/signoff\/\?number=/), client.getByRole('button', { name: 'Review and sign off' }).click()]);
  await client.locator('#signoff[aria-busy="false"]').waitFor();
  assert.equal(await client.locator('#title').textContent(), `Sign off ticket #${number}`);
  assert.equal(await client.locator('[data-s="resolution"]').textContent(), 'Replaced the drum unit; the squeak is gone.');
  const form = await pdfText(client, client.getByRole('button', { name: 'Download the form (PDF)' }));
  for (const expected of ['SERVICE SIGN-OFF', 'Replaced the drum unit', 'Not signed yet']) {
    assert.ok(form.includes(expected), `the form says ${expected}:\n${form}`);
  }
  // Both the name and the sentence are needed.
  expectAnswer(client, 'POST', `/api/tickets/${number}/signoff`, 422);
  await client.getByRole('button', { name: 'Sign off', exact: true }).click();
  await client.locator('#consent-error').filter({ hasText: 'Tick the sentence' }).waitFor();
  assert.equal(await client.getByLabel('Your full name, as your signature').getAttribute('aria-invalid'), 'true');
  await client.getByLabel('Your full name, as your signature').fill('Uma User');
  await client.getByLabel(/I confirm that the work on ticket/).check();
  await client.getByRole('button', { name: 'Sign off', exact: true }).click();
  await client.getByRole('heading', { name: 'Signed off' }).waitFor();
  assert.match(await client.locator('#signed-text').textContent(), /Signed off by Uma User \(“Uma User”\)/);
  const signed = await pdfText(client, client.getByRole('button', { name: 'Download the signed sign-off (PDF)' }));
  for (const expected of ['SIGNED', 'Signed “Uma User” by Uma User', 'I confirm that the work on ticket']) {
    assert.ok(signed.includes(expected), `the signed form says ${expected}:\n${signed}`);
  }
  // The ticket is closed; both sides find the signed form on it.
  for (const page of [client, tech]) {
    await page.goto(`${BASE}/tickets/view/?number=${number}`);
    await page.locator('#ticket[aria-busy="false"]').waitFor();
    assert.equal(await page.locator('[data-t="status"]').textContent(), 'Closed');
    assert.match(await page.locator('#signoff-text').textContent(), /Signed off by Uma User/);
    assert.ok(await page.getByRole('button', { name: 'Download the signed sign-off (PDF)' }).isVisible());
  }
  assert.equal(await client.getByRole('button', { name: 'Reopen this ticket' }).count(), 0, 'a signed-off ticket is not reopened');
  assert.deepEqual(errors, []);
});

test('a manager adds a watcher who then leaves; the contact rates the resolved ticket and staff read it', async () => {
  const errors = [];
  const tomas = await newPage(browser, errors);
  await signIn(tomas, 'ticketmanager@acme.example');
  const number = await raised(tomas, `Watched ${Date.now()}`);
  await tomas.goto(`${BASE}/tickets/view/?number=${number}`);
  await tomas.locator('#watcher-form:not([hidden])').waitFor();
  // Only colleagues who see the company's tickets are offered; the contact is not.
  const offered = await tomas.getByLabel('Add a colleague').locator('option').allTextContents();
  assert.ok(offered.includes('Fiona Fuller'), offered.join(', '));
  assert.ok(!offered.includes('Uma User') && !offered.includes('Tomas Manning'), offered.join(', '));
  await tomas.getByLabel('Add a colleague').selectOption({ label: 'Fiona Fuller' });
  await tomas.getByRole('button', { name: 'Add watcher' }).click();
  await tomas.locator('#watcher-list').filter({ hasText: 'Fiona Fuller' }).waitFor();

  const fiona = await newPage(browser, errors);
  await signIn(fiona, 'fulladmin@acme.example');
  await fiona.goto(`${BASE}/tickets/view/?number=${number}`);
  await fiona.getByRole('button', { name: 'Stop watching' }).click();
  await fiona.locator('#watcher-list li').first().waitFor({ state: 'detached' });

  const tech = await newPage(browser, errors);
  await signIn(tech, 'tech@northwind.example');
  const resolved = await tech.evaluate(async (n) => {
    const t = await (await fetch(`/api/tickets/${n}`, { headers: { accept: 'application/json' } })).json();
    return (await fetch(`/api/tickets/${n}`, { method: 'PATCH', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ status: 'resolved', note: 'Cleaned the rollers.', version: t.ticket.version }) })).status;
  }, number);
  assert.equal(resolved, 200);
  await tomas.goto(`${BASE}/tickets/view/?number=${number}`);
  await tomas.getByRole('heading', { name: 'How did we do?' }).waitFor();
  await tomas.getByRole('button', { name: 'Send the rating' }).click();
  await tomas.locator('#good-error').filter({ hasText: 'Choose good or bad.' }).waitFor();
  await tomas.getByLabel('Bad').check();
  await tomas.getByLabel('Comment (optional)').fill('Took a week.');
  await tomas.getByRole('button', { name: 'Send the rating' }).click();
  await tomas.locator('#rating-text').filter({ hasText: 'Tomas Manning rated it bad' }).waitFor();
  assert.equal(await tomas.locator('#rating-form').isHidden(), true, 'rated once');
  await tech.goto(`${BASE}/tickets/view/?number=${number}`);
  await tech.locator('#rating-text').filter({ hasText: 'rated it bad' }).waitFor();
  assert.match(await tech.locator('#rating-text').textContent(), /Took a week\./);
  assert.deepEqual(errors, []);
});

test('the ticket list: summary and list views remembered, sorted by priority, the whole row opens the ticket', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'fulladmin@acme.example');
  const run = Date.now();
  const low = await page.evaluate(async (s) => (await (await fetch('/api/tickets', {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ request_type: 'Problem', summary: s, description: 'x', priority: 'low' }),
  })).json()).number, `Sorted low ${run}`);
  const critical = await page.evaluate(async (s) => (await (await fetch('/api/tickets', {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ request_type: 'Problem', summary: s, description: 'x', priority: 'critical' }),
  })).json()).number, `Sorted critical ${run}`);
  const tech = await newPage(browser, errors);
  await signIn(tech, 'tech@northwind.example');
  await tech.evaluate(async (n) => {
    await fetch(`/api/tickets/${n}/notes`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ text: 'Engineer booked for 9:00.' }) });
    await fetch(`/api/tickets/${n}/notes`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ text: 'INTERNAL: bring a spare PSU', internal: true }) });
  }, critical);

  // Sorted by priority, most urgent first: the critical ticket comes before the low one.
  await page.goto(`${BASE}/tickets/`);
  await page.locator('#tickets-table[aria-busy="false"]').waitFor();
  await page.getByLabel('Sort by').selectOption('priority');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/sort=priority/);
  await page.locator('#tickets-table[aria-busy="false"]').waitFor();
  const order = await page.locator('#tickets-table td[data-field="number"]').allTextContents();
  // (The low one may be on a later page of the company's many open tickets.)
  assert.ok(order.includes(`#${critical}`) && (!order.includes(`#${low}`) || order.indexOf(`#${critical}`) < order.indexOf(`#${low}`)), order.join(' '));
  assert.equal(await page.locator('#tickets-table td[data-field="priority"]').first().textContent(), 'Critical');

  // The summary view: each ticket's latest public reply, never an internal note; remembered.
  await Promise.all([page.waitForEvent('load'), page.getByRole('radio', { name: /^Summary/ }).click()]);
  await page.locator('#tickets-table[aria-busy="false"]').waitFor();
  const row = page.locator('#tickets-table tbody tr', { has: page.getByRole('link', { name: `#${critical}`, exact: true }) });
  await row.locator('.latest-note').filter({ hasText: 'Engineer booked for 9:00.' }).waitFor();
  assert.doesNotMatch(await page.locator('#tickets-table').textContent(), /INTERNAL/);
  assert.equal(await page.locator('#tickets-table th', { hasText: 'Priority' }).count(), 0, 'fewer columns');
  await page.goto(`${BASE}/tickets/`);
  await page.locator('#tickets-table[aria-busy="false"]').waitFor();
  assert.ok(await page.getByRole('radio', { name: /^Summary/ }).isChecked(), 'remembered');
  assert.ok(await page.locator('.latest-note').first().isVisible());
  await settled(page);
  assert.deepEqual(await seriousViolations(page), [], 'the summary view');

  // A click anywhere on the row opens the ticket.
  await Promise.all([
    page.waitForURL(new RegExp(`/tickets/view/\\?number=${critical}`)),
    row.locator('td[data-field="status"]').click(),
  ]);
  // Back to the list view.
  await page.goto(`${BASE}/tickets/`);
  await page.locator('#tickets-table[aria-busy="false"]').waitFor();
  await Promise.all([page.waitForEvent('load'), page.getByRole('radio', { name: 'List' }).click()]);
  await page.locator('#tickets-table[aria-busy="false"]').waitFor();
  assert.equal(await page.locator('.latest-note').count(), 0);
  assert.deepEqual(errors, []);
});

for (const theme of ['light', 'dark']) {
  test(`the ticket page with its resolution and tasks, and the sign-off page, pass axe (${theme})`, async () => {
    const errors = [];
    const client = await themedPage(browser, errors, theme);
    await signIn(client, 'user@acme.example');
    const number = await raised(client, `Axe ${theme} ${Date.now()}`);
    const tech = await themedPage(browser, errors, theme);
    await signIn(tech, 'tech@northwind.example');
    await tech.evaluate(async (n) => {
      const post = (path, b) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(b) });
      await post(`/api/tickets/${n}/tasks`, { text: 'Check the cable' });
      await post(`/api/tickets/${n}/notes`, { text: 'Reseated the cable.', resolution: true });
    }, number);
    await tech.goto(`${BASE}/tickets/view/?number=${number}`);
    await settled(tech);
    assert.deepEqual(await seriousViolations(tech), [], 'the ticket page, staff');
    await tech.evaluate(async (n) => {
      const t = await (await fetch(`/api/tickets/${n}`, { headers: { accept: 'application/json' } })).json();
      await fetch(`/api/tickets/${n}`, { method: 'PATCH', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ status: 'resolved', version: t.ticket.version }) });
    }, number);
    await client.goto(`${BASE}/tickets/view/?number=${number}`);
    await settled(client);
    assert.deepEqual(await seriousViolations(client), [], 'the ticket page, client');
    await client.goto(`${BASE}/tickets/signoff/?number=${number}`);
    await settled(client);
    assert.deepEqual(await seriousViolations(client), [], 'the sign-off page');
    assert.deepEqual(errors, []);
  });
}

test('on a phone the ticket page and the sign-off page fit the width, and a status change takes its note', async () => {
  const errors = [];
  const page = await newPage(browser, errors, { viewport: { width: 390, height: 844 } });
  await signIn(page, 'user@acme.example');
  const number = await raised(page, `Phone ${Date.now()}`);
  for (const path of [`/tickets/view/?number=${number}`, `/tickets/signoff/?number=${number}`]) {
    await page.goto(`${BASE}${path}`);
    await settled(page);
    const sizes = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: innerWidth }));
    assert.ok(sizes.page <= sizes.view, `${path}: the page does not scroll sideways (${sizes.page} > ${sizes.view})`);
  }
  await page.goto(`${BASE}/tickets/view/?number=${number}`);
  await page.locator('#ticket[aria-busy="false"]').waitFor();
  await page.getByRole('button', { name: 'Mark as resolved' }).click();
  await page.getByLabel(/^Why/).fill('It fixed itself after a restart.');
  await page.getByRole('button', { name: 'Mark as resolved' }).click();
  await page.locator('#action-status').filter({ hasText: 'Resolved' }).waitFor();
  // The client's note is the resolution: the ticket can be signed off.
  assert.equal(await page.locator('#resolution-text').textContent(), 'It fixed itself after a restart.');
  assert.ok(await page.getByRole('button', { name: 'Review and sign off' }).isVisible());
  assert.deepEqual(errors, []);
});
