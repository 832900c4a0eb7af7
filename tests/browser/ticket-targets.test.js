// The MSP's statuses and its response and resolution targets, in a real browser (issue 22): the
// admin adds a status and sets business hours and targets (a bad time zone refused at its field);
// a client sees when a first response is due, a technician sets the MSP's own status and answers,
// and the client reads that the target was met; the queue sorts by the nearest target and marks
// misses. axe light and dark; a phone's width.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, expectAnswer, launch, newPage, signIn, seriousViolations, settled, test, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the MSP admin adds a status and sets business hours and targets; a bad time zone is refused at its field', async () => {
  const errors = [];
  const admin = await newPage(browser, errors);
  await signIn(admin, 'admin@northwind.example');
  await admin.goto(`${BASE}/settings/tickets/`);
  await admin.locator('#settings-form[aria-busy="false"]').waitFor();
  // The demo's own statuses are listed beside the built-in ones.
  const names = await admin.locator('#statuses-rows [data-s="name"]').evaluateAll((inputs) => inputs.map((i) => i.value));
  for (const name of ['New', 'In progress', 'On hold', 'No Action Required']) assert.ok(names.includes(name), names.join(', '));
  assert.equal(await admin.getByRole('checkbox', { name: 'Retired: Resolved' }).isDisabled(), true, 'the portal keeps Resolved');

  const status = `Waiting on vendor ${Date.now() % 100000}`;
  await admin.getByRole('button', { name: 'Add a status' }).click();
  const added = admin.locator('#statuses-rows tr').last();
  await added.locator('[data-s="name"]').fill(status);
  await added.locator('[data-s="stage"]').selectOption('waiting_on_client');
  await added.getByRole('button', { name: /Move up/ }).click();
  await admin.getByLabel('High first response, hours').fill('1.5');
  await admin.getByLabel('Open on Saturday').check();
  await admin.getByLabel('Saturday opens').fill('09:00');
  await admin.getByLabel('Saturday closes').fill('12:00');

  // A time zone that does not exist: the field says so and has the focus; nothing is saved.
  await admin.getByLabel('Time zone').fill('Mars/Olympus');
  expectAnswer(admin, 'PUT', '/api/tickets/settings', 422);
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await admin.locator('[id="business_hours.time_zone-error"]').filter({ hasText: 'Choose a time zone' }).waitFor();
  assert.equal(await admin.getByLabel('Time zone').getAttribute('aria-invalid'), 'true');
  assert.equal(await admin.evaluate(() => document.activeElement.id), 'business_hours.time_zone');

  await admin.getByLabel('Time zone').fill('America/New_York');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await admin.locator('#form-status').filter({ hasText: 'Settings saved.' }).waitFor();
  await admin.reload();
  await admin.locator('#settings-form[aria-busy="false"]').waitFor();
  const saved = await admin.locator('#statuses-rows [data-s="name"]').evaluateAll((inputs) => inputs.map((i) => i.value));
  assert.equal(saved.at(-2), status, 'moved up one, above the last');
  assert.equal(await admin.getByLabel('High first response, hours').inputValue(), '1.5');
  assert.equal(await admin.getByLabel('Saturday closes').inputValue(), '12:00');

  // Put the week back as it was (other tests read due times).
  await admin.getByLabel('Open on Saturday').uncheck();
  await admin.getByLabel('High first response, hours').fill('2');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await admin.locator('#form-status').filter({ hasText: 'Settings saved.' }).waitFor();
  assert.deepEqual(errors, []);
});

test('an agreement sets its own targets; its company’s critical tickets follow them and say whose they are', async () => {
  const errors = [];
  const admin = await newPage(browser, errors);
  await signIn(admin, 'admin@northwind.example');
  await admin.goto(`${BASE}/agreements/?company=acme-dental`);
  await admin.locator('#agreement-list[aria-busy="false"]').waitFor();
  const name = 'Managed workstations and server';
  const card = admin.locator('article.agreement').filter({ hasText: name });
  await card.getByRole('button', { name: `Edit ${name}` }).click();
  const dialog = admin.getByRole('dialog', { name: `Change ${name}` });
  await dialog.getByLabel('Critical first response, hours').fill('0.5');
  await dialog.getByLabel('Critical resolution, hours').fill('2');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await admin.locator('#page-status').filter({ hasText: `${name} saved.` }).waitFor();
  assert.match(await card.locator('dl.facts').innerText(), /Critical: first response 30 min, resolution 2 h/);

  const client = await newPage(browser, errors);
  await signIn(client, 'fulladmin@acme.example');
  const number = await client.evaluate(async () => (await (await fetch('/api/tickets', {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ request_type: 'Problem', summary: `Server down ${Date.now()}`, description: 'Nothing answers.', priority: 'critical' }),
  })).json()).number);
  await client.goto(`${BASE}/tickets/view/?number=${number}`);
  await client.locator('#ticket[aria-busy="false"]').waitFor();
  assert.match(await client.locator('[data-t="response_target"]').textContent(), new RegExp(`^Due by .+ \\(${name}\\)$`));

  // Back to the MSP's targets (blank).
  await card.getByRole('button', { name: `Edit ${name}` }).click();
  await dialog.getByLabel('Critical first response, hours').fill('');
  await dialog.getByLabel('Critical resolution, hours').fill('');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await card.locator('dl.facts').filter({ hasNotText: 'Targets' }).waitFor();
  assert.match(await admin.locator('#page-status').innerText(), new RegExp(`${name} saved\\.`));
  assert.deepEqual(errors, []);
});

test('a client sees when a reply is due; the technician sets the MSP’s own status and answers; the queue sorts by target', async () => {
  const errors = [];
  const client = await newPage(browser, errors);
  await signIn(client, 'user@acme.example');
  const summary = `Label printer offline ${Date.now()}`;
  const number = await client.evaluate(async (s) => (await (await fetch('/api/tickets', {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ request_type: 'Problem', summary: s, description: 'Nothing prints.', priority: 'high' }),
  })).json()).number, summary);
  await client.goto(`${BASE}/tickets/view/?number=${number}`);
  await client.locator('#ticket[aria-busy="false"]').waitFor();
  assert.match(await client.locator('[data-t="response_target"]').textContent(), /^Due by /);
  assert.match(await client.locator('[data-t="resolution_target"]').textContent(), /^Due by /);

  const tech = await newPage(browser, errors);
  await signIn(tech, 'tech@northwind.example');
  await tech.goto(`${BASE}/tickets/view/?number=${number}`);
  await tech.locator('#staff-form:not([hidden])').waitFor();
  // The MSP's own status, offered by its name.
  await tech.getByLabel('Status', { exact: true }).selectOption({ label: 'On hold' });
  await tech.getByLabel(/Public note with the change/).fill('Waiting for the replacement cable; back Monday.');
  await tech.getByRole('button', { name: 'Save changes' }).click();
  await tech.locator('#action-status').filter({ hasText: 'Changes saved.' }).waitFor();
  assert.equal(await tech.locator('[data-t="status"]').textContent(), 'On hold');
  assert.equal(await tech.locator('#status-badge').textContent(), 'On hold');

  // The reply met the response target: the client reads it.
  await client.reload();
  await client.locator('#ticket[aria-busy="false"]').waitFor();
  assert.equal(await client.locator('[data-t="status"]').textContent(), 'On hold');
  assert.match(await client.locator('[data-t="response_target"]').textContent(), /^Met /);

  // The queue by the nearest target: rows with a target first, soonest first; misses marked.
  await tech.goto(`${BASE}/tickets/?sort=target&order=asc`);
  await settled(tech);
  assert.equal(await tech.getByLabel('Sort by').inputValue(), 'target');
  assert.ok(await tech.locator('#tickets-table .badge.target-missed').count() > 0, 'the demo has missed targets');
  assert.ok(await tech.locator('#tickets-table').getByText(summary).count() === 1);
  assert.deepEqual(errors, []);
});

test('the ticket with its targets and the settings page pass axe in light and dark, and fit a phone', async () => {
  for (const theme of ['light', 'dark']) {
    const errors = [];
    const page = await themedPage(browser, errors, theme, { viewport: { width: 390, height: 844 } });
    await signIn(page, 'tech@northwind.example');
    await page.goto(`${BASE}/tickets/?sort=target&order=asc`);
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], `queue by target, ${theme}`);
    await page.locator('#tickets-table tbody tr a').first().click();
    await page.locator('#ticket[aria-busy="false"]').waitFor();
    await settled(page);
    assert.ok(await page.locator('#response-fact').isVisible() || await page.locator('#resolution-fact').isVisible(), 'a target shown');
    assert.deepEqual(await seriousViolations(page), [], `ticket with targets, ${theme}`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scroll');

    const admin = await themedPage(browser, errors, theme, { viewport: { width: 390, height: 844 } });
    await signIn(admin, 'admin@northwind.example');
    await admin.goto(`${BASE}/settings/tickets/`);
    await admin.locator('#settings-form[aria-busy="false"]').waitFor();
    await settled(admin);
    assert.deepEqual(await seriousViolations(admin), [], `settings, ${theme}`);
    assert.ok(await admin.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'tables scroll in their regions');
    assert.deepEqual(errors, []);
  }
});
