// The paths a client and a technician walk every day, described once and run in every engine
// (suite.js): each takes a `Run` (page.js) and drives it as a user would, by label, role and name.
// The full Chromium suite (../*.test.js) goes deeper; these are what must work in every browser.
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TAG = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

// A file to attach, on disk as a file chooser needs it.
function fileOnDisk(name, text) {
  const file = join(mkdtempSync(join(tmpdir(), 'portal-upload-')), name);
  writeFileSync(file, text);
  return file;
}

// A 1×1 PNG, as a pasted screenshot: the paste event a browser fires for Ctrl+V of an image.
// Whether the engine let the file through: Firefox's ClipboardEvent constructor keeps no files
// (a real Ctrl+V there does carry them), and no driver can put an image on its clipboard.
function pasteImage(selector) {
  const bytes = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
  let carried = false;
  const seen = (e) => { carried = e.clipboardData?.files.length === 1; };
  document.addEventListener('paste', seen, { capture: true, once: true });
  document.querySelector(selector).dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  return carried;
}

// Paste a screenshot into `selector` where the engine can be made to; the file appears in `list`.
async function paste(page, selector, list) {
  if (await page.evaluate(pasteImage, selector)) {
    await page.waitText(list, /image\.png/);
    return 1;
  }
  page.run.note(`no synthetic paste of a file in ${page.run.engine.name}: its ClipboardEvent keeps no files`);
  return 0;
}

// The relative luminance of the page's background: dark themes are well under 0.2, light over 0.8.
function backgroundLuminance() {
  const c = [document.body, document.documentElement].map((e) => getComputedStyle(e).backgroundColor)
    .find((v) => !/rgba\(.*, 0\)$|transparent/.test(v)) || 'rgb(255, 255, 255)';
  const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

// The focused element's outline: a keyboard user must see where they are, in every engine.
function focusRing() {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return { element: `${e.tagName.toLowerCase()} ${(e.textContent || e.id).trim().slice(0, 30)}`, style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
}

async function assertRing(page) {
  const ring = await page.evaluate(focusRing);
  assert.ok(ring.style !== 'none' && ring.width >= 2, `a visible focus ring: ${JSON.stringify(ring)}`);
}

async function raiseByApi(page, summary, priority = 'medium') {
  const { status, body } = await page.api('POST', '/api/tickets', { request_type: 'Problem', summary, description: 'Raised for the cross-engine paths.', priority });
  assert.equal(status, 201, JSON.stringify(body));
  return body.number;
}

async function openTicket(page, number) {
  await page.goto(`/tickets/view/?number=${number}`);
  await page.find({ css: '#ticket[aria-busy="false"]' });
}

async function addNote(page, text, { internal = false } = {}) {
  await page.fill({ label: 'Add a note' }, text);
  if (internal) await page.check({ label: /Internal note/ });
  await page.click({ role: 'button', name: 'Add note' });
  await page.waitText('#action-status', internal ? /Internal note added\./ : /^Note added\./);
}

async function rows(page) {
  await page.find({ css: '#tickets-table[aria-busy="false"]' });
  return page.evaluate(() => [...document.querySelectorAll('#tickets-table td[data-field="number"]')].map((td) => td.textContent));
}

export const paths = {
  'sign in; home and its chart; the user menu; light and dark; sign out': async (run) => {
    const page = await run.page('Full Admin');
    await page.goto('/login/');
    await page.find({ role: 'heading', name: 'Sign in' });
    await page.shot('login');
    await page.signIn('fulladmin@acme.example');
    assert.equal(await page.text({ css: '#greeting' }), 'Welcome, Fiona');
    await page.waitText('#company-line', /Acme Dental/);
    // The chart: a bar per month of the last twelve, and its table twin for screen readers.
    await page.find({ css: '#chart svg.bar-chart' });
    assert.equal(await page.evaluate(() => document.querySelectorAll('#chart svg rect.bar').length), 12);
    assert.equal(await page.evaluate(() => document.querySelectorAll('#chart-table tbody tr').length), 12);
    await page.shot('home-light');

    // Dark, from the user menu; kept over a reload; then back to the system's.
    await page.click({ css: '#user-menu summary' });
    await page.check({ role: 'radio', name: 'Dark' });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.ok(await page.evaluate(backgroundLuminance) < 0.2, 'a dark background');
    await page.until(async () => (await (await fetch('/api/me')).json()).user.theme === 'dark', null, { what: 'the theme saved' });
    await page.goto('/');
    await page.waitText('#greeting', /^Welcome,/);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.find({ css: '#chart svg.bar-chart' });
    await page.shot('home-dark');
    await page.click({ css: '#user-menu summary' });
    await page.shot('user-menu-dark');
    await page.check({ role: 'radio', name: 'System' });
    await page.until(async () => (await (await fetch('/api/me')).json()).user.theme === 'system', null, { what: 'the theme saved' });
    assert.ok(await page.evaluate(backgroundLuminance) > 0.8, 'a light background (the system is light)');
    // Escape closes the menu from inside it and gives the focus back to its button.
    await page.evaluate(() => document.querySelector('#user-menu input[name="theme"]').focus());
    await page.press('Escape');
    assert.equal(await page.evaluate(() => document.getElementById('user-menu').open), false);
    assert.equal((await page.focused()).tag, 'summary');

    await page.click({ css: '#user-menu summary' });
    await page.click({ role: 'button', name: 'Sign out' });
    await page.waitUrl(/\/login\/\?signed-out=1$/);
    await page.find({ role: 'status', name: 'You have signed out.' });
    await page.goto('/');
    await page.waitUrl(/\/login\/(\?|$)/);
  },

  'raise a ticket with a chosen file and a pasted screenshot; a note; cancelling asks for its note': async (run) => {
    const page = await run.page('Standard User');
    await page.signIn('user@acme.example');
    await page.goto('/tickets/new/');
    await page.find({ css: '#ticket-form[aria-busy="false"]' });
    const summary = `Scanner flicker ${TAG()}`;
    await page.pick({ label: 'Request type' }, 'Problem');
    await page.fill({ label: 'Summary' }, summary);
    await page.fill({ label: 'Description' }, 'The screen flickers when the scanner starts.');
    await page.pick({ label: 'Priority' }, 'high');
    // A date field the engine draws itself (an engine without one would fall back to text).
    assert.equal(await page.evaluate(() => document.getElementById('due_date').type), 'date');
    await page.pick({ label: 'Due date (optional)' }, '2031-01-15');
    await page.upload({ css: '#files' }, fileOnDisk('screen.txt', 'flicker at 09:14\n'));
    await page.waitText('#files-list', /screen\.txt/);
    const pasted = await paste(page, '#description', '#files-list');
    await page.shot('ticket-new');
    await page.click({ role: 'button', name: 'Submit ticket' });
    await page.waitUrl(/\/tickets\/view\/\?number=\d+&created=1/);
    const number = Number(new URL(await page.url()).searchParams.get('number'));
    await page.waitText('#title', new RegExp(`#${number} ${summary}`));
    assert.match(await page.text({ css: '#created-status' }), new RegExp(`Ticket #${number} raised`));
    // Dates read the same in every engine (Intl, the browser's language: en-US here).
    assert.equal(await page.text({ css: '[data-t="due_date"]' }), 'Jan 15, 2031');
    assert.match(await page.text({ css: '[data-t="created_at"]' }), /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M$/);
    await page.waitText('#attachments', /screen\.txt/);

    // A note with a pasted screenshot.
    await page.fill({ label: 'Add a note' }, 'Here is a screenshot of it.');
    const pastedToo = await paste(page, '#note', '#note-files-list');
    await page.click({ role: 'button', name: 'Add note' });
    await page.waitText('#action-status', /^Note added\./);
    await page.waitText('#conversation', /Here is a screenshot of it\./);
    assert.equal(await page.evaluate(() => document.querySelectorAll('#attachments a').length), 1 + pasted + pastedToo);
    await page.shot('ticket-view');

    // Cancelling asks for the note that says why, with the note focused; Escape keeps the ticket.
    await page.click({ role: 'button', name: 'Cancel this ticket' });
    await page.find({ role: 'group', name: new RegExp(`Cancel ticket #${number}`) });
    assert.equal((await page.focused()).id, 'status-note');
    await page.shot('status-note');
    await page.press('Escape');
    await page.until(() => document.getElementById('status-form').hidden, null, { what: 'the note form closed' });
    assert.equal(await page.text({ css: '[data-t="status"]' }), 'New');
    await page.click({ role: 'button', name: 'Cancel this ticket' });
    await page.fill({ label: /^Why/ }, 'Not needed any more.');
    await page.click({ role: 'button', name: 'Cancel the ticket' });
    await page.waitText('#action-status', /Cancelled/);
    assert.equal(await page.text({ css: '[data-t="status"]' }), 'Cancelled');
    await page.waitText('#conversation', /Not needed any more\./);
  },

  'a technician replies and adds an internal note; the client sees the reply only': async (run) => {
    const client = await run.page('Standard User');
    await client.signIn('user@acme.example');
    const number = await raiseByApi(client, `Monitor dead ${TAG()}`);
    const tech = await run.page('Technician');
    await tech.signIn('tech@northwind.example');
    await openTicket(tech, number);
    await addNote(tech, 'Replacement monitor arrives tomorrow.');
    await addNote(tech, 'INTERNAL: charge to the hardware contract.', { internal: true });
    await tech.pick({ label: 'Status' }, 'in_progress');
    await tech.click({ role: 'button', name: 'Save changes' });
    await tech.waitText('#action-status', /Changes saved\./);
    await tech.waitText('#conversation', /INTERNAL: charge/);
    await tech.shot('ticket-staff');

    await openTicket(client, number);
    await client.waitText('#conversation', /Replacement monitor arrives tomorrow\./);
    assert.equal(await client.evaluate(() => document.documentElement.outerHTML.includes('INTERNAL: charge')), false);
    assert.equal(await client.text({ css: '[data-t="status"]' }), 'In progress');
  },

  'the ticket list: search, filter and sort': async (run) => {
    const page = await run.page('Standard User');
    await page.signIn('user@acme.example');
    const word = `zq${TAG()}`;
    const older = await raiseByApi(page, `Printer jam ${word}`, 'low');
    const newer = await raiseByApi(page, `Printer offline ${word}`, 'high');
    await page.goto('/tickets/');
    await rows(page);
    await page.fill({ label: 'Search' }, word);
    await page.click({ role: 'button', name: 'Apply' });
    await page.waitUrl(/q=/);
    assert.deepEqual(await rows(page), [`#${newer}`, `#${older}`], 'found by a word, newest first');
    await page.shot('tickets-list');
    await page.pick({ label: 'Priority' }, 'high');
    await page.click({ role: 'button', name: 'Apply' });
    await page.waitUrl(/priority=high/);
    assert.deepEqual(await rows(page), [`#${newer}`], 'filtered by priority');
    await page.pick({ label: 'Priority' }, '');
    await page.pick({ label: 'Order' }, 'asc');
    await page.click({ role: 'button', name: 'Apply' });
    await page.waitUrl(/order=asc/);
    assert.deepEqual(await rows(page), [`#${older}`, `#${newer}`], 'oldest first');
    await page.click({ role: 'button', name: 'Clear' });
    await page.waitUrl(/\/tickets\/\?$/);
    assert.equal(await page.evaluate(() => document.getElementById('q').value), '');
  },

  'an invoice paid on Stripe\'s page (the local stand-in)': async (run) => {
    const admin = await run.page('MSP Admin');
    await admin.signIn('admin@northwind.example');
    const draft = await admin.api('POST', '/api/invoices', {
      company_id: 'acme-dental', lines: [{ description: `Network check ${TAG()}`, quantity: '1', unit_price: 4200 }], tax_rate_bp: 0,
    });
    assert.equal(draft.status, 201, JSON.stringify(draft.body));
    const issued = await admin.api('POST', `/api/invoices/${draft.body.id}/issue?company=acme-dental`, { version: draft.body.version });
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    const number = `INV-${String(issued.body.invoice.number).padStart(4, '0')}`;

    const page = await run.page('Billing Admin');
    await page.signIn('billing@acme.example');
    await forgetCards(page);
    await page.goto('/invoices/');
    await page.check({ label: `Pay ${number}` });
    await page.waitText('#pay-summary', /1 invoice selected: \$\d/);
    await page.shot('invoices');
    await page.click({ role: 'button', name: 'Pay selected invoices' });
    await page.waitUrl(/\/checkout\/cs_test_double_/);
    await page.shot('stripe-checkout');
    await page.click({ role: 'button', name: /^Pay USD / });
    await page.waitUrl(/\/payments\/receipt\/\?id=.*checkout=done/);
    await page.waitText('[data-r="status"]', /^Paid$/, { timeout: 30_000 });
    await page.waitText('#allocations', new RegExp(number));
    await page.shot('receipt');
  },

  'a card added on Stripe\'s page, then removed': async (run) => {
    const page = await run.page('Billing Admin');
    await page.signIn('billing@acme.example');
    await forgetCards(page);
    await page.goto('/payment-methods/');
    await page.click({ role: 'button', name: 'Add a card or bank account' });
    await page.waitUrl(/\/checkout\/cs_test_double_/);
    await page.check({ label: 'Visa ending 4242 (approved)' });
    await page.click({ role: 'button', name: 'Save card' });
    // Back on the portal, which says so once Stripe's event has added the card (and then tidies
    // `?setup=done` out of its address).
    await page.waitUrl(/\/payment-methods\//);
    await page.find({ role: 'status', name: /Visa •••• 4242 is saved/ }, { timeout: 60_000 });
    await page.shot('payment-methods');
    await page.click({ role: 'button', name: /^Remove/, within: '#methods' });
    await page.click({ role: 'button', name: 'Remove it', within: 'dialog[open]' });
    await page.until(() => !document.getElementById('methods').textContent.includes('4242'), null, { what: 'the card gone' });
  },

  'keyboard only: the skip link, the user menu, raising a ticket, a note, the dialog': async (run) => {
    const page = await run.page('Standard User');
    await page.signIn('user@acme.example');
    // The skip link comes first and moves the focus to the page's content.
    await page.press('Tab');
    assert.equal((await page.focused()).text, 'Skip to content');
    await page.press('Enter');
    assert.equal((await page.focused()).id, 'main');
    // The user menu opens with Enter and closes with Escape.
    await page.tabTo({ css: '#user-menu summary' }, { back: true });
    await assertRing(page);
    await page.press('Enter');
    assert.equal(await page.evaluate(() => document.getElementById('user-menu').open), true);
    await page.press('Escape');
    assert.equal(await page.evaluate(() => document.getElementById('user-menu').open), false);
    // A new ticket, typed and sent from the keyboard.
    await page.tabTo({ role: 'link', name: 'Tickets' });
    await page.press('Enter');
    await page.waitUrl(/\/tickets\/$/);
    await page.tabTo({ role: 'button', name: 'New ticket' });
    await assertRing(page);
    await page.press('Enter');
    await page.waitUrl(/\/tickets\/new\/$/);
    await page.find({ css: '#ticket-form[aria-busy="false"]' });
    const summary = `Keyboard only ${TAG()}`;
    await page.tabTo({ label: 'Summary' });
    await page.type(summary);
    await page.press('Tab');
    await page.type('Sent without a mouse.');
    await page.tabTo({ role: 'button', name: 'Submit ticket' });
    await assertRing(page);
    await page.press('Enter');
    await page.waitUrl(/\/tickets\/view\/\?number=\d+&created=1/);
    await page.waitText('#title', new RegExp(summary));
    await page.find({ css: '#ticket[aria-busy="false"]' });
    // A note, then cancelling: opened with Enter, the note that says why focused, Escape keeps it.
    await page.tabTo({ label: 'Add a note' });
    await page.type('Typed and sent from the keyboard.');
    await page.tabTo({ role: 'button', name: 'Add note' });
    await page.press('Enter');
    await page.waitText('#action-status', /^Note added\./);
    await page.tabTo({ role: 'button', name: 'Cancel this ticket' });
    await page.press('Enter');
    await page.find({ role: 'group', name: /^Cancel ticket #\d+/ });
    assert.equal((await page.focused()).id, 'status-note');
    await page.press('Escape');
    await page.until(() => document.getElementById('status-form').hidden, null, { what: 'the note form closed' });
    assert.equal((await page.focused()).text, 'Cancel this ticket', 'the focus goes back to the button');
  },

  'a project: its Gantt chart, a phase opened with the keyboard, closed tickets struck through': async (run) => {
    const page = await run.page('Ticket Manager');
    await page.signIn('ticketmanager@acme.example');
    await page.goto('/projects/');
    await page.find({ css: '#projects-table[aria-busy="false"]' });
    await page.click({ role: 'link', name: 'Office move to Elm Street' });
    await page.waitUrl(/\/projects\/view\/\?number=\d+/);
    await page.find({ css: '#project[aria-busy="false"]' });
    const drawn = await page.evaluate(() => ({
      phases: document.querySelectorAll('.gantt-chart .phase').length,
      rows: document.querySelectorAll('#plan-table tbody tr').length,
      today: document.querySelectorAll('.gantt-chart .today').length,
    }));
    assert.ok(drawn.phases >= 7 && drawn.rows === drawn.phases && drawn.today === 1, JSON.stringify(drawn));
    await page.shot('project');
    // The late phase, reached with Tab (an SVG element with tabindex) and opened with Enter.
    await page.tabTo({ css: '.gantt-chart .phase[data-phase="b1b2c3d4"]' });
    await page.press('Enter');
    await page.find({ role: 'dialog', name: 'Cabling and comms room' });
    await page.waitText('#phase-done', /^Completed 2\/4$/);
    assert.equal(await page.evaluate(() => document.querySelectorAll('#phase-tickets li s').length), 2, 'closed tickets struck through');
    await page.shot('phase-dialog');
    await page.press('Escape');
    await page.until(() => !document.querySelector('dialog[open]'), null, { what: 'the dialog closed' });
  },

  'time on a ticket: a technician logs it and the balance moves; the client reads it with the agreements': async (run) => {
    const client = await run.page('Full Admin');
    await client.signIn('fulladmin@acme.example');
    const number = await raiseByApi(client, `Scanner offline ${TAG()}`);
    const left = async () => {
      await client.goto('/agreements/');
      await client.find({ css: '#agreement-list[aria-busy="false"]' });
      return client.evaluate(() => {
        const card = [...document.querySelectorAll('article.agreement')].find((a) => a.textContent.includes('Prepaid support hours'));
        return card.querySelector('.hours-line').textContent;
      });
    };
    const before = await left();
    const tech = await run.page('Technician');
    await tech.signIn('tech@northwind.example');
    await openTicket(tech, number);
    await tech.find({ css: '#time-form:not([hidden])' });
    await tech.fill({ label: 'Minutes' }, '30');
    await tech.fill({ label: 'Note' }, 'Power-cycled the scanner and re-added it.');
    await tech.click({ role: 'button', name: 'Log time' });
    await tech.waitText('#time-balance', /30 min logged\. Prepaid support hours: .+ left of \d+ h\./);
    await tech.shot('ticket-time');
    assert.notEqual(await left(), before, 'the balance moved');
    // The usage chart and its table twin, the time behind it opened.
    const drawn = await client.evaluate(() => ({
      bars: document.querySelectorAll('article.agreement .bar-chart .bar').length,
      rows: document.querySelectorAll('article.agreement [data-a="usage-table"] tbody tr').length,
    }));
    assert.ok(drawn.bars >= 1 && drawn.bars === drawn.rows, JSON.stringify(drawn));
    await client.shot('agreements');
    await openTicket(client, number);
    await client.waitText('#time-total', /^Total 30 min, of which 30 min billable\.$/);
    await client.waitText('#time-table', /Power-cycled the scanner/);
    // Taken back, the balance is as it was.
    await tech.click({ role: 'button', name: /^Delete the entry of / });
    await tech.click({ role: 'button', name: 'Delete the entry', within: 'dialog[open]' });
    await tech.waitText('#time-balance', /Time entry deleted\./);
    assert.equal(await left(), before, 'restored');
  },

  'at phone width the pages fit; wide lists scroll in their own region': async (run) => {
    const page = await run.page('Billing Admin', { width: 390, height: 844 });
    await page.signIn('billing@acme.example');
    // (WebKitGTK's MiniBrowser window is at least 447 px wide: a large phone's width there.)
    assert.ok(await page.evaluate(() => innerWidth <= 450), 'a phone-width viewport');
    const fits = () => document.documentElement.scrollWidth <= innerWidth;
    assert.ok(await page.evaluate(fits), 'home fits');
    await page.shot('phone-home');
    for (const [path, table] of [['/tickets/', '#tickets-table'], ['/invoices/', '#invoices-table'], ['/payments/', '#payments-table']]) {
      await page.goto(path);
      await page.find({ css: `${table}[aria-busy="false"]` });
      assert.ok(await page.evaluate(fits), `${path} fits`);
      const region = await page.evaluate((t) => {
        const r = document.querySelector(t).closest('.table-scroll');
        return r && { role: r.getAttribute('role'), tabindex: r.tabIndex, scrolls: getComputedStyle(r).overflowX };
      }, table);
      if (region) assert.deepEqual(region, { role: 'region', tabindex: 0, scrolls: 'auto' }, path);
      await page.shot(`phone-${path.replaceAll('/', '')}`);
    }
  },
};

// Saved cards change what paying asks ("Pay with"): these paths start from none.
async function forgetCards(page) {
  const { body } = await page.api('GET', '/api/payment-methods');
  for (const m of body.methods) await page.api('DELETE', `/api/payment-methods/${m.id}`);
  await page.api('PUT', '/api/billing/autopay', { enabled: false });
}
