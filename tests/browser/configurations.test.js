// The configuration and document paths of issue 21 in a real browser: a Full Admin searches by
// serial number and by type, opens a configuration, raises a ticket about it and downloads a
// document; the MSP admin imports a CSV file (a bad one first, its rows listed) and uploads a new
// version of a document; a Full Admin uploads a document and deletes it; a Standard User sees only
// their own configurations and no admins-only document; the home page warns of what expires; axe light and dark; a phone's width.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, expectAnswer, launch, newPage, signIn, seriousViolations, settled, test, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const list = (page) => page.locator('#configurations-table[aria-busy="false"]').waitFor();
const names = (page) => page.locator('#configurations-table td[data-field="name"]').allInnerTexts();

test('a Full Admin finds a device by serial number and by type, opens it and raises a ticket about it', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'fulladmin@acme.example');
  // Home: what expires within 45 days, and what has expired.
  const tile = page.locator('#expiring-tile:not([hidden])');
  await tile.waitFor();
  assert.match(await tile.innerText(), /Backup software[\s\S]*Expired/);
  assert.match(await tile.innerText(), /SRV-01 Practice server/);

  await page.getByRole('link', { name: 'Configurations', exact: true }).click();
  await list(page);
  assert.ok((await names(page)).length >= 30, 'every Acme configuration');
  await page.getByLabel('Serial number (exact)').fill('fgt60ftk2109a1b2');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/serial=fgt60ftk2109a1b2/);
  await list(page);
  assert.deepEqual(await names(page), ['FW-01 Main firewall']);

  await page.getByRole('button', { name: 'Clear' }).click();
  await list(page);
  await page.getByRole('search').getByLabel('Type').selectOption('Printer');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/type=Printer/);
  await list(page);
  assert.deepEqual(await names(page), ['PR-01 Reception printer', 'PR-02 Label printer', 'PR-03 Office MFP']);
  const csv = await page.getByRole('button', { name: 'Export CSV' }).getAttribute('href');
  assert.equal(csv, '/api/configurations/export?type=Printer');

  await Promise.all([page.waitForURL(/\/configurations\/view\/\?id=acme-pr-01/), page.getByRole('link', { name: 'PR-01 Reception printer' }).click()]);
  await page.locator('#configuration[aria-busy="false"]').waitFor();
  assert.equal(await page.locator('[data-c="serial"]').innerText(), 'BRL6210R01');
  assert.equal(await page.locator('#internal').isVisible(), false, 'no internal notes for clients');
  assert.match(await page.locator('#tickets-table').innerText(), /Reception printer jams/);

  await Promise.all([page.waitForURL(/\/tickets\/new\/\?configuration=acme-pr-01/), page.getByRole('button', { name: 'Raise a ticket about this' }).click()]);
  await page.locator('#ticket-form[aria-busy="false"]').waitFor();
  assert.equal(await page.getByLabel('Configuration', { exact: true }).inputValue(), 'acme-pr-01');
  await page.getByLabel('Summary').fill('Toner light stays on');
  await page.getByLabel('Description').fill('Even with a new cartridge.');
  await Promise.all([page.waitForURL(/\/tickets\/view\/\?number=\d+/), page.getByRole('button', { name: 'Submit ticket' }).click()]);
  await page.locator('#ticket[aria-busy="false"]').waitFor();
  await page.locator('[data-t="configuration"]').getByRole('link', { name: 'PR-01 Reception printer' }).click();
  await page.locator('#configuration[aria-busy="false"]').waitFor();
  assert.match(await page.locator('#tickets-table tbody tr').first().innerText(), /Toner light stays on/);

  // A document, downloaded from its folder.
  await page.getByRole('link', { name: 'Documents', exact: true }).click();
  await page.locator('#documents-table[aria-busy="false"]').waitFor();
  await page.getByRole('navigation', { name: 'Folders' }).getByRole('link', { name: /^Network/ }).click();
  await page.waitForURL(/folder=Network/);
  await page.locator('#documents-table[aria-busy="false"]').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Network diagram' }).click()]);
  assert.equal(download.suggestedFilename(), 'network-diagram-2026.txt');
  assert.match(await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString()), /SW-02 \(surgery wing\)/);
  assert.deepEqual(errors, []);
});

test('the MSP admin uploads a new version of a document, and the earlier one stays downloadable', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'admin@northwind.example');
  await page.goto(`${BASE}/documents/?company=acme-dental`);
  await page.locator('#documents-table[aria-busy="false"]').waitFor();
  assert.ok(await page.getByRole('link', { name: 'Technician handover notes' }).isVisible(), 'staff see internal documents');
  await page.getByRole('button', { name: 'Versions of Firewall runbook' }).click();
  const dialog = page.getByRole('dialog', { name: 'Versions of Firewall runbook' });
  await dialog.waitFor();
  const before = await dialog.locator('tbody tr').count();
  await dialog.getByLabel('Upload a new version').setInputFiles({ name: 'firewall-runbook-v2.md', mimeType: 'text/markdown', buffer: Buffer.from('# Firewall runbook, v2\n') });
  await dialog.getByRole('button', { name: 'Upload the new version' }).click();
  await dialog.getByText(`Version ${before + 1} uploaded.`).waitFor();
  assert.equal(await dialog.locator('tbody tr').count(), before + 1);
  assert.equal(await dialog.locator('tbody tr').first().locator('a').innerText(), 'firewall-runbook-v2.md');
  const [first] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('link', { name: 'firewall-runbook.md' }).click()]);
  assert.equal(first.suggestedFilename(), 'firewall-runbook.md');
  assert.deepEqual(await seriousViolations(page), [], 'the versions dialog');
  assert.deepEqual(errors, []);
});

test('a Full Admin uploads a document, thinks better of deleting it, then deletes it', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'fulladmin@acme.example');
  await page.goto(`${BASE}/documents/`);
  await page.locator('#documents-table[aria-busy="false"]').waitFor();
  await page.getByRole('button', { name: 'Upload a document' }).click();
  const upload = page.getByRole('dialog', { name: 'Upload a document' });
  await upload.getByLabel('File', { exact: true }).setInputFiles({ name: 'old-seating-plan.txt', mimeType: 'text/plain', buffer: Buffer.from('Desk 4: reception\n') });
  await upload.getByLabel('Folder', { exact: true }).fill('Floor plans');
  await Promise.all([page.waitForURL(/folder=Floor/), upload.getByRole('button', { name: 'Upload', exact: true }).click()]);
  await page.locator('#documents-table[aria-busy="false"]').waitFor();
  const folders = page.getByRole('navigation', { name: 'Folders' });
  await folders.getByRole('link', { name: 'Floor plans (1)' }).waitFor();

  await page.getByRole('button', { name: 'Versions of old-seating-plan.txt' }).click();
  const versions = page.getByRole('dialog', { name: 'Versions of old-seating-plan.txt' });
  await versions.getByRole('button', { name: 'Delete this document' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete old-seating-plan.txt?' });
  await confirm.waitFor();
  assert.match(await confirm.innerText(), /its one version/);
  assert.deepEqual(await seriousViolations(page), [], 'the delete confirmation');
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await versions.waitFor();
  assert.equal(await page.locator('#documents-table tbody tr').count(), 1, 'kept');

  await versions.getByRole('button', { name: 'Delete this document' }).click();
  await confirm.getByRole('button', { name: 'Delete the document' }).click();
  await page.getByRole('status').filter({ hasText: 'old-seating-plan.txt was deleted.' }).waitFor();
  assert.ok(!(await versions.isVisible()), 'the versions dialog closed');
  await page.locator('#documents-table[aria-busy="false"]').waitFor();
  assert.match(await page.locator('#documents-table').innerText(), /No documents here yet/);
  await folders.getByRole('link', { name: /^Floor plans/ }).waitFor({ state: 'detached' });
  assert.ok(await folders.getByRole('link', { name: /^Network/ }).isVisible(), 'other folders stay');
  assert.deepEqual(errors, []);
});

test('the MSP admin imports a CSV file: a bad one is refused row by row, a good one is imported whole', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'admin@northwind.example');
  // The MSP's type list, in the settings.
  await page.goto(`${BASE}/settings/tickets/`);
  await page.locator('#types-form[aria-busy="false"]').waitFor();
  const types = page.getByLabel('Types', { exact: true });
  if (!(await types.inputValue()).includes('Scanner')) {
    await types.fill(`${await types.inputValue()}\nScanner`);
    await page.getByRole('button', { name: 'Save types' }).click();
    await page.getByText('Types saved.').waitFor();
  }
  await page.goto(`${BASE}/configurations/`);
  await page.locator('#company-needed:not([hidden])').waitFor();
  await page.getByLabel('Client company').selectOption('globex-logistics');
  await page.waitForURL(/company=globex-logistics/);
  await list(page);
  const before = (await names(page)).length;

  const stamp = Date.now().toString(36).toUpperCase();
  const file = (rows) => ({ name: 'rmm-export.csv', mimeType: 'text/csv', buffer: Buffer.from(`Device Name,Type,Serial #,Warranty Expires\n${rows}`) });
  expectAnswer(page, 'POST', '/api/configurations/import', 422);
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import configurations from a CSV file' });
  await dialog.waitFor();
  await dialog.getByLabel('CSV file').setInputFiles(file(`Dock PC ${stamp},Workstation,D${stamp},2028-01-01\nDock scanner ${stamp},Toaster,S${stamp},2028-02-30\n`));
  await dialog.getByRole('button', { name: 'Import' }).click();
  const report = dialog.locator('#import-report:not([hidden])');
  await report.waitFor();
  assert.match(await dialog.locator('#import-error').innerText(), /nothing was imported/);
  assert.deepEqual(await report.locator('tbody tr').allInnerTexts(), [
    '3\ttype\tChoose a type from the list',
    '3\texpires\tUse a date like 2026-12-31',
  ]);
  assert.deepEqual(await seriousViolations(page), [], 'the import dialog with its report');

  await dialog.getByLabel('CSV file').setInputFiles(file(`Dock PC ${stamp},Workstation,D${stamp},2028-01-01\nDock scanner ${stamp},scanner,S${stamp},2028-02-28\n`));
  await dialog.getByRole('button', { name: 'Import' }).click();
  await dialog.getByText('Imported 2 configurations.').waitFor();
  await page.waitForEvent('load');
  await list(page);
  assert.equal((await names(page)).length, before + 2);
  await page.getByLabel('Serial number (exact)').fill(`s${stamp}`);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/serial=/);
  await list(page);
  assert.deepEqual(await names(page), [`Dock scanner ${stamp}`]);
  assert.deepEqual(errors, []);
});

test('a Standard User sees only the configurations they are the contact of', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'user@acme.example');
  await page.goto(`${BASE}/configurations/`);
  await list(page);
  assert.deepEqual(await names(page), ['LT-02 Dentist laptop', 'PR-02 Label printer', 'WS-01 Reception desk']);
  assert.match(await page.locator('#scope-note').innerText(), /the ones you are the contact of/);
  assert.equal(await page.locator('#contact-filter').isVisible(), false);
  expectAnswer(page, 'GET', '/api/configurations/acme-fw-01', 404);
  await page.goto(`${BASE}/configurations/view/?id=acme-fw-01`);
  await page.locator('#not-found:not([hidden])').waitFor();
  await page.goto(`${BASE}/documents/`);
  await page.locator('#documents-table[aria-busy="false"]').waitFor();
  const docs = await page.locator('#documents-table td[data-field="name"]').allInnerTexts();
  assert.ok(docs.includes('Network diagram'), docs.join(', '));
  assert.ok(!docs.some((d) => /admins|handover/i.test(d)), docs.join(', '));
  assert.equal(await page.getByRole('button', { name: 'Upload a document' }).isVisible(), false);
  assert.deepEqual(errors, []);
});

for (const theme of ['light', 'dark']) {
  test(`configuration pages have no serious or critical axe violations (${theme})`, async () => {
    const errors = [];
    const page = await themedPage(browser, errors, theme);
    await signIn(page, 'tech@northwind.example');
    await page.goto(`${BASE}/configurations/?company=acme-dental`);
    await list(page);
    assert.deepEqual(await seriousViolations(page), [], 'the list with its search');
    await page.getByRole('button', { name: 'Add configuration' }).click();
    await page.getByRole('dialog', { name: 'Add a configuration' }).waitFor();
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], 'the add dialog');
    await page.keyboard.press('Escape');
    await page.goto(`${BASE}/configurations/view/?id=acme-fw-01&company=acme-dental`);
    await page.locator('#configuration[aria-busy="false"]').waitFor();
    assert.match(await page.locator('#c-internal').innerText(), /vault/, 'staff read the internal notes');
    assert.deepEqual(await seriousViolations(page), [], 'the configuration page');
    await page.goto(`${BASE}/documents/?company=acme-dental`);
    await page.locator('#documents-table[aria-busy="false"]').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the document library');
    await page.getByRole('button', { name: 'Upload a document' }).click();
    await page.getByRole('dialog', { name: 'Upload a document' }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the upload dialog');
    await page.keyboard.press('Escape');
    const client = await themedPage(browser, errors, theme);
    await signIn(client, 'fulladmin@acme.example');
    await settled(client);
    assert.deepEqual(await seriousViolations(client), [], 'home with the expiry warnings');
    assert.deepEqual(errors, []);
  });
}

test('on a phone the configuration list and page and the documents fit the width', async () => {
  const errors = [];
  const page = await newPage(browser, errors, { viewport: { width: 390, height: 844 } });
  await signIn(page, 'fulladmin@acme.example');
  for (const path of ['/configurations/', '/configurations/view/?id=acme-srv-01', '/documents/']) {
    await page.goto(`${BASE}${path}`);
    await settled(page);
    const sizes = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: innerWidth }));
    assert.ok(sizes.page <= sizes.view, `${path}: the page does not scroll sideways (${sizes.page} > ${sizes.view})`);
  }
  assert.deepEqual(errors, []);
});
