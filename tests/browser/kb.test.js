// The knowledge base in a real browser: a technician writes an article (a bad one refused at its
// field first), adds an image, publishes it; a client finds it by search and as a suggestion while
// typing a ticket's summary, opens it there, leaves without raising the ticket (a deflection the
// MSP then sees), votes, and raises a ticket from "Still need help?"; a client of another company
// never finds an article for Acme alone; the home page lists the most useful; axe light and dark;
// a phone's width.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, expectAnswer, launch, newPage, signIn, seriousViolations, settled, test, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// A one-pixel PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const stamp = Date.now().toString(36);
const title = `Scanner jams on double-sided pages ${stamp}`;

const articleShown = (page) => page.locator('#article[aria-busy="false"]').waitFor();

test('a technician writes, illustrates and publishes an article; a client finds it, is answered by it before raising a ticket, and votes', async () => {
  const errors = [];
  const tech = await newPage(browser, errors);
  await signIn(tech, 'tech@northwind.example');
  await tech.getByRole('link', { name: 'Knowledge base', exact: true }).click();
  await tech.locator('#articles[aria-busy="false"]').waitFor();
  assert.match(await tech.locator('#articles').innerText(), /Runbook: restoring a client's NAS backup[\s\S]*Internal/, 'staff see internal articles with their state');
  await tech.getByRole('button', { name: 'Write an article' }).click();
  await tech.locator('#article-form[aria-busy="false"]').waitFor();
  // Chosen companies, none chosen: refused at the field, nothing saved.
  await tech.getByLabel('Title').fill(title);
  await tech.getByLabel('Category', { exact: true }).fill('Printing');
  await tech.getByLabel('Tags (optional)').fill('scanner, duplex');
  await tech.getByLabel('Chosen companies').check();
  await tech.getByLabel('Article', { exact: true }).fill('<script>alert(1)</script>\n\nOpen the **scanner lid** and remove the jammed sheet. ');
  expectAnswer(tech, 'POST', '/api/kb/articles', 422);
  await tech.getByRole('button', { name: 'Save' }).click();
  await tech.locator('#companies-error:not(:empty)').waitFor();
  assert.match(await tech.locator('#companies-error').innerText(), /Choose the companies/);
  await tech.getByLabel('Every client').check();
  await Promise.all([tech.waitForURL(/\/kb\/article\/\?id=/), tech.getByRole('button', { name: 'Save' }).click()]);
  await articleShown(tech);
  assert.equal(await tech.getByRole('heading', { level: 1 }).innerText(), title);
  assert.equal(await tech.locator('#article-body script').count(), 0, 'the script was cleaned out');
  assert.match(await tech.locator('#article-state').innerText(), /Draft · Every client · revision 1/);
  const id = new URL(tech.url()).searchParams.get('id');

  // An image, uploaded from the editor into the Markdown, served from the portal itself.
  await tech.getByRole('button', { name: 'Edit' }).click();
  await tech.locator('#article-form[aria-busy="false"]').waitFor();
  await tech.getByLabel('Article', { exact: true }).press('Control+End');
  await tech.getByLabel('Add an image').setInputFiles({ name: 'lid.png', mimeType: 'image/png', buffer: PNG });
  await tech.locator('#image-status', { hasText: 'added to the article' }).waitFor();
  assert.match(await tech.getByLabel('Article', { exact: true }).inputValue(), /!\[lid\]\(\/api\/kb\/images\/[^)]+\.png\)/);
  await Promise.all([tech.waitForURL(/\/kb\/article\/\?id=/), tech.getByRole('button', { name: 'Save' }).click()]);
  await articleShown(tech);
  const image = tech.locator('#article-body img[alt="lid"]');
  await image.waitFor();
  assert.ok(await image.evaluate((img) => img.complete && img.naturalWidth === 1), 'the image loads from the portal');
  await tech.getByText('Earlier versions').click();
  await tech.locator('#revision-list li').nth(1).waitFor();
  assert.equal(await tech.locator('#revision-list li').count(), 2);
  await tech.getByRole('button', { name: 'Publish' }).click();
  await tech.locator('#staff-status', { hasText: 'Published' }).waitFor();
  assert.match(await tech.locator('#article-state').innerText(), /^Published/);

  // A client searches and finds it.
  const client = await newPage(browser, errors);
  await signIn(client, 'user@acme.example');
  await client.getByRole('link', { name: 'Knowledge base', exact: true }).click();
  await client.locator('#articles[aria-busy="false"]').waitFor();
  assert.doesNotMatch(await client.locator('#articles').innerText(), /Runbook/, 'no internal article for clients');
  await client.getByLabel('Search articles').fill(`scanner ${stamp}`);
  await Promise.all([client.waitForURL(/q=scanner/), client.getByRole('button', { name: 'Search' }).click()]);
  await client.locator('#articles[aria-busy="false"]').waitFor();
  assert.match(await client.locator('#results-heading').innerText(), /1 article matches/);
  await client.getByRole('link', { name: title }).waitFor();

  // Typing a ticket's summary suggests it; opened there and left without a ticket: a deflection.
  await client.goto(`${BASE}/tickets/new/`);
  await client.locator('#ticket-form[aria-busy="false"]').waitFor();
  await client.getByLabel('Summary').pressSequentially(`the scanner ${stamp} keeps jamming`, { delay: 20 });
  const suggestion = client.locator('#kb-suggestion-list details').filter({ hasText: title });
  await suggestion.waitFor();
  await suggestion.locator('summary').click();
  await suggestion.locator('.kb-body strong', { hasText: 'scanner lid' }).waitFor();
  // Leaving sends the deflection as the page goes (keepalive): the MSP's count below shows it.
  await client.goto(`${BASE}/`);
  await client.locator('#kb-tile:not([hidden])').waitFor();
  assert.match(await client.locator('#kb-top').innerText(), /Printer shows as offline/, 'the pinned article first');

  // The article: vote, then "Still need help?" raises a ticket with its title.
  await client.goto(`${BASE}/kb/article/?id=${id}`);
  await articleShown(client);
  await client.getByRole('button', { name: 'Yes' }).click();
  await client.locator('#vote-status', { hasText: 'glad it helped' }).waitFor();
  assert.equal(await client.getByRole('button', { name: 'Yes' }).getAttribute('aria-pressed'), 'true');
  await Promise.all([client.waitForURL(/\/tickets\/new\/\?summary=/), client.getByRole('button', { name: 'Raise a ticket' }).click()]);
  await client.locator('#ticket-form[aria-busy="false"]').waitFor();
  assert.equal(await client.getByLabel('Summary').inputValue(), title);
  await client.getByLabel('Description').fill('Tried the article; still jams.');
  await Promise.all([client.waitForURL(/\/tickets\/view\/\?number=\d+/), client.getByRole('button', { name: 'Submit ticket' }).click()]);

  // The MSP sees the vote and the deflection.
  await tech.reload();
  await articleShown(tech);
  assert.match(await tech.locator('#article-stats').innerText(), /1 found it helpful, 0 not · 1 deflection/);
  assert.deepEqual(errors, []);
});

test('a client of another company never finds an article shown to Acme alone', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'user@globex.example');
  await page.goto(`${BASE}/kb/?q=imaging`);
  await page.locator('#articles[aria-busy="false"]').waitFor();
  assert.match(await page.locator('#articles').innerText(), /No article matches/);
  await page.goto(`${BASE}/tickets/new/`);
  await page.locator('#ticket-form[aria-busy="false"]').waitFor();
  await page.getByLabel('Summary').pressSequentially('imaging printer blank films', { delay: 20 });
  await settled(page);
  assert.equal(await page.locator('#kb-suggestion-list details').filter({ hasText: 'Imaging printer in surgery 2' }).count(), 0);
  expectAnswer(page, 'GET', '/api/kb/articles/kb-acme-imaging', 404);
  await page.goto(`${BASE}/kb/article/?id=kb-acme-imaging`);
  await page.locator('#article-error:not(:empty)').waitFor();
  assert.match(await page.locator('#article-error').innerText(), /does not exist, or is not shown to you/);
  assert.deepEqual(errors, []);
});

for (const theme of ['light', 'dark']) {
  test(`the knowledge base's pages pass axe in ${theme} and fit a phone`, async () => {
    const errors = [];
    const page = await themedPage(browser, errors, theme, { viewport: { width: 390, height: 844 } });
    await signIn(page, 'tech@northwind.example');
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= innerWidth);
    for (const [path, what] of [
      ['/kb/', 'the list'],
      ['/kb/?category=Printing', 'a category'],
      ['/kb/article/?id=kb-vpn', 'an article with a table, with the MSP tools'],
      ['/kb/edit/?id=kb-vpn', 'the editor'],
    ]) {
      await page.goto(`${BASE}${path}`);
      await settled(page);
      assert.deepEqual(await seriousViolations(page), [], what);
      assert.ok(await fits(), `${what} fits 390 px`);
    }
    const client = await themedPage(browser, errors, theme, { viewport: { width: 390, height: 844 } });
    await signIn(client, 'fulladmin@acme.example');
    await settled(client);
    assert.deepEqual(await seriousViolations(client), [], 'home with the most useful articles');
    await client.goto(`${BASE}/kb/article/?id=kb-printer-offline`);
    await settled(client);
    assert.deepEqual(await seriousViolations(client), [], 'an article as a client reads it');
    assert.ok(await client.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'the article fits 390 px');
    await client.goto(`${BASE}/tickets/new/`);
    await client.locator('#ticket-form[aria-busy="false"]').waitFor();
    await client.getByLabel('Summary').pressSequentially('outlook search', { delay: 20 });
    await client.locator('#kb-suggestion-list details').first().waitFor();
    assert.deepEqual(await seriousViolations(client), [], 'the new ticket with suggestions');
    assert.deepEqual(errors, []);
  });
}
