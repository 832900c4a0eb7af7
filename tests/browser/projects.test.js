// The project paths of issue 17 in a real browser: a Ticket Manager reads the office move's Gantt
// chart, opens a phase with the keyboard, sees its closed tickets struck through and adds a note
// to one; a technician adds a phase and a ticket in it, closes the ticket and sees the % move; a
// Standard User has no Projects; axe light and dark, a phone's width, and the printed page.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn, seriousViolations, settled, test, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const MOVE = 'Office move to Elm Street';

// The demo's office move, opened from the project list.
async function openMove(page) {
  await page.goto(`${BASE}/projects/`);
  await page.locator('#projects-table[aria-busy="false"]').waitFor();
  await Promise.all([page.waitForURL(/\/projects\/view\/\?number=\d+/), page.getByRole('link', { name: MOVE }).click()]);
  await page.locator('#project[aria-busy="false"]').waitFor();
}

const percent = async (page) => Number((await page.locator('[data-p="progress"]').innerText()).match(/(\d+) %/)[1]);

test('a Ticket Manager reads the Gantt chart, opens a phase with the keyboard and adds a note to one of its tickets', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'ticketmanager@acme.example');
  // Home: the project tile.
  await page.locator('#project-tile:not([hidden])').waitFor();
  await page.locator('#proj-open').filter({ hasText: /^\d+$/ }).waitFor();
  assert.match(await page.locator('#proj-next-label').innerText(), /Next milestone: .+, Office move/);

  await page.goto(`${BASE}/projects/`);
  await page.locator('#projects-table[aria-busy="false"]').waitFor();
  const row = page.locator('#projects-table tbody tr').filter({ hasText: MOVE });
  assert.match(await row.locator('[data-field="schedule"]').innerText(), /^Late: 10 days behind plan$/);
  assert.ok(await row.locator('progress').count(), 'a progress bar');
  // Search by a word, and the Closed tab.
  await page.getByRole('searchbox', { name: 'Search' }).fill('elm');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/q=elm/);
  await page.locator('#projects-table[aria-busy="false"]').waitFor();
  assert.deepEqual(await page.locator('#projects-table td[data-field="name"]').allInnerTexts(), [MOVE]);
  await page.getByRole('link', { name: 'Closed' }).click();
  await page.locator('#projects-table[aria-busy="false"]').waitFor();
  await page.getByRole('cell', { name: /No closed projects match/ }).waitFor();

  await openMove(page);
  assert.match(await page.locator('[data-p="expected"]').innerText(), /10 days later than planned/);
  assert.match(await page.locator('#changes-list').innerText(), /landlord/);
  // The demo's four phases and three sub-phases (a technician's test may add more).
  const phases = await page.locator('.gantt-chart .phase').count();
  assert.ok(phases >= 7, `${phases} phases`);
  assert.equal(await page.locator('#plan-table tbody tr').count(), phases, 'the table twin');
  assert.equal(await page.locator('.gantt-chart .today').count(), 1, "today's line");
  assert.equal(await page.locator('.gantt-chart .phase.late').count(), 2, 'the cabling phase and its fit-out are late');

  // Tab to the late phase and open it with Enter.
  const cabling = page.locator('.gantt-chart .phase').filter({ hasText: 'Cabling and comms room' });
  let guard = 0;
  while (!(await cabling.evaluate((el) => el === document.activeElement)) && guard++ < 40) await page.keyboard.press('Tab');
  assert.ok(guard < 40, 'the phase is reached with Tab');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Cabling and comms room' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Completed 2\/4/);
  assert.equal(await dialog.locator('li s').count(), 2, 'closed tickets struck through');
  assert.deepEqual(await seriousViolations(page), [], 'the phase dialog');
  const open = dialog.locator('li:not(:has(s)) a').first();
  const label = await open.innerText();
  await Promise.all([page.waitForURL(/\/tickets\/view\/\?number=\d+/), open.click()]);
  await page.locator('#ticket[aria-busy="false"]').waitFor();
  assert.equal(await page.locator('#title').innerText(), label);
  assert.match(await page.locator('[data-t="project"]').innerText(), new RegExp(`^${MOVE} \\(P-\\d+\\)$`));
  await page.getByLabel('Add a note').fill('The electrician is booked for Thursday.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.locator('#conversation').filter({ hasText: 'The electrician is booked for Thursday.' }).waitFor();
  assert.deepEqual(errors, []);
});

test('a technician adds a phase and a ticket in it, closes the ticket and sees the project move', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'tech@northwind.example');
  await openMove(page);
  const before = await percent(page);
  await page.locator('#planner:not([hidden])').waitFor();
  // A name of its own: the stack's data outlives one run of this file.
  const name = `Handover and snagging ${Date.now() % 100000}`;
  await page.getByRole('button', { name: 'Add a phase' }).click();
  const rows = page.locator('#phase-rows > li');
  const added = rows.last();
  await added.getByLabel('Name').fill(name);
  // Up and down buttons reorder; the new phase goes back to the end.
  await added.getByRole('button', { name: 'Move up' }).click();
  assert.equal(await rows.nth((await rows.count()) - 2).getByLabel('Name').inputValue(), name);
  await rows.nth((await rows.count()) - 2).getByRole('button', { name: 'Move down' }).click();
  await page.getByRole('button', { name: 'Save plan' }).click();
  await page.locator('#planner-status').filter({ hasText: 'Plan saved.' }).waitFor();
  const phase = page.locator('.gantt-chart .phase').filter({ hasText: name });
  await phase.waitFor();

  await phase.locator('.label').click();
  const dialog = page.getByRole('dialog', { name });
  await dialog.waitFor();
  await dialog.getByLabel('Summary').fill('Walk the snag list with the practice manager');
  await dialog.getByLabel('Contact').selectOption({ label: 'Tomas Manning' });
  await dialog.getByRole('button', { name: 'Raise ticket' }).click();
  // The dialog lists the new ticket, then says how many of the phase's are done.
  const link = dialog.getByRole('link', { name: /Walk the snag list/ });
  await link.waitFor();
  assert.equal(await page.locator('#phase-done').innerText(), 'Completed 0/1');
  assert.ok(await percent(page) <= before, 'a new open ticket does not raise the %');
  const lowered = await percent(page);
  await Promise.all([page.waitForURL(/\/tickets\/view\/\?number=\d+/), link.click()]);
  await page.locator('#staff-form:not([hidden])').waitFor();
  await page.locator('#set-status').selectOption('closed');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#status-badge').filter({ hasText: 'Closed' }).waitFor();
  await page.getByRole('link', { name: new RegExp(MOVE) }).click();
  await page.locator('#project[aria-busy="false"]').waitFor();
  assert.ok(await percent(page) > lowered, 'closing the ticket moved the %');
  await page.locator('.gantt-chart .phase').filter({ hasText: name }).locator('.label').click();
  await page.getByRole('dialog', { name }).getByText('Completed 1/1').waitFor();
  assert.deepEqual(errors, []);
});

test('a Standard User has no Projects in the menu, and the page says so plainly', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'user@acme.example');
  await settled(page);
  assert.equal(await page.getByRole('link', { name: 'Projects' }).count(), 0);
  assert.equal(await page.locator('#project-tile').isVisible(), false);
  await page.goto(`${BASE}/projects/`);
  await page.getByRole('heading', { name: "You don't have access to this page" }).waitFor();
  assert.equal(await page.locator('#projects-table').isVisible(), false);
  assert.deepEqual(errors, []);
});

for (const theme of ['light', 'dark']) {
  test(`project pages have no serious or critical axe violations (${theme})`, async () => {
    const errors = [];
    const page = await themedPage(browser, errors, theme);
    await signIn(page, 'tech@northwind.example');
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], 'home with the project tile');
    await page.goto(`${BASE}/projects/`);
    await page.locator('#projects-table[aria-busy="false"]').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'project list');
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByRole('dialog', { name: 'New project' }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the new project dialog');
    await page.keyboard.press('Escape');
    await openMove(page);
    assert.deepEqual(await seriousViolations(page), [], 'project page with the planner');
    assert.deepEqual(errors, []);
  });
}

test('on a phone the Gantt chart scrolls in its own region, and the page prints on A4 landscape', async () => {
  const errors = [];
  const page = await newPage(browser, errors, { viewport: { width: 390, height: 844 } });
  await signIn(page, 'fulladmin@acme.example');
  await openMove(page);
  const sizes = await page.evaluate(() => {
    const g = document.getElementById('gantt');
    return { region: g.clientWidth, chart: g.scrollWidth, page: document.documentElement.scrollWidth, view: innerWidth };
  });
  assert.ok(sizes.chart > sizes.region, `the chart (${sizes.chart} px) scrolls in its region (${sizes.region} px)`);
  assert.ok(sizes.page <= sizes.view, `the page itself does not scroll sideways (${sizes.page} > ${sizes.view})`);
  assert.equal(await page.locator('#gantt').getAttribute('tabindex'), '0', 'the keyboard can scroll it');

  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.gantt-chart').isVisible(), true, 'the chart is printed');
  assert.equal(await page.getByRole('link', { name: '← All projects' }).isVisible(), false, 'not printed');
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  const text = pdf.toString('latin1');
  const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(text);
  assert.ok(box, 'the PDF has a page size');
  const [width, height] = [Number(box[1]), Number(box[2])];
  assert.ok(Math.abs(width - 841.89) < 2 && Math.abs(height - 595.28) < 2, `A4 landscape, not ${width}×${height}`);
  assert.deepEqual(errors, []);
});
