// Signing in with Microsoft and Google in a real browser (issue 20), through the local stack's
// sign-in stand-in (infra/idp_double.py): Acme's Standard User signs in with Microsoft; a
// newcomer of Acme's Google Workspace domain gets a user just in time and Acme's Full Admin is
// emailed; cancelling, and a company that does not sign in that way, say so on the sign-in page;
// someone asks for access and Acme's Full Admin approves them; Acme's Full Admin changes the
// sign-in settings (a bad tenant id said beside its field); axe in light and dark; a phone's width.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, expectAnswer, launch, newPage, seriousViolations, settled, signIn, test, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// From the sign-in page to the provider's page, by its button.
async function toProvider(page, provider) {
  await page.goto(`${BASE}/login/`);
  const button = page.getByRole('button', { name: `Sign in with ${provider}` });
  await button.waitFor();
  await Promise.all([page.waitForURL(/\/(microsoft|google)\/authorize\?/), button.click()]);
  await page.getByRole('heading', { name: `Sign in with ${provider}` }).waitFor();
}

// Back at the portal's home, signed in as `name`.
async function welcomed(page, name) {
  await page.waitForURL(`${BASE}/`);
  await page.waitForFunction((n) => document.getElementById('greeting')?.textContent === `Welcome, ${n}`, name);
}

test('a user signs in with Microsoft, and a newcomer of the Google domain gets a user just in time', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await toProvider(page, 'Microsoft');
  await page.getByRole('button', { name: 'Continue as user@acme.example' }).click();
  await welcomed(page, 'Uma');
  await page.context().close();

  // Someone of acme.example with no portal user: Acme has just-in-time access on.
  const newcomer = `newcomer-${Date.now()}@acme.example`;
  const fresh = await newPage(browser, errors);
  await toProvider(fresh, 'Google');
  await fresh.getByLabel('Name').fill('Nia Newcomer');
  await fresh.getByLabel('Email').fill(newcomer);
  await fresh.getByLabel(/Workspace domain/).fill('acme.example');
  await fresh.getByRole('button', { name: 'Continue', exact: true }).click();
  await welcomed(fresh, 'Nia');
  const me = await fresh.evaluate(() => fetch('/api/me').then((r) => r.json()));
  assert.equal(me.user.email, newcomer);
  assert.equal(me.user.role, 'standard_user');
  // Acme's Full Admin was told.
  await fresh.goto(`${BASE}/dev/mailbox`);
  const mail = fresh.locator('article').filter({ hasText: 'fulladmin@acme.example' })
    .filter({ has: fresh.getByRole('heading', { name: 'Nia Newcomer now has a portal user' }) });
  await mail.first().waitFor();
  assert.deepEqual(errors, []);
});

test('cancelling, or a company that does not sign in that way, is said on the sign-in page', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await toProvider(page, 'Microsoft');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForURL(`${BASE}/login/?sso=cancelled`);
  await page.locator('#form-error').filter({ hasText: 'Signing in was cancelled.' }).waitFor();
  // Globex signs in with passwords only.
  await toProvider(page, 'Microsoft');
  await page.getByRole('button', { name: 'Continue as user@globex.example' }).click();
  await page.waitForURL(`${BASE}/login/?sso=method-off`);
  await page.locator('#form-error').filter({ hasText: 'Your company does not sign in that way.' }).waitFor();
  // The password still works for them.
  await signIn(page, 'user@globex.example');
  assert.deepEqual(errors, []);
});

test("someone asks for access, and Acme's Full Admin approves them with a role", async () => {
  const errors = [];
  const email = `asker-${Date.now()}@acme.example`;
  const page = await newPage(browser, errors);
  await page.goto(`${BASE}/login/`);
  await Promise.all([page.waitForURL(`${BASE}/request-access/`), page.getByRole('link', { name: 'Need access?' }).click()]);
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Your name').fill('Ada Asker');
  await page.getByRole('button', { name: 'Ask for access' }).click();
  await page.locator('#sent').filter({ hasText: 'its administrator has been told' }).waitFor();
  await page.context().close();

  const admin = await newPage(browser, errors);
  await signIn(admin, 'fulladmin@acme.example');
  await admin.goto(`${BASE}/users/`);
  await admin.getByRole('heading', { name: 'Asking for access' }).waitFor();
  const row = admin.locator('#requests-table tbody tr').filter({ hasText: email });
  await row.getByLabel('Role for Ada Asker').selectOption('ticket_manager');
  await row.getByRole('button', { name: 'Approve Ada Asker' }).click();
  await admin.locator('#users-status').filter({ hasText: `Invitation sent to ${email}.` }).waitFor();
  await admin.locator('#users-table').getByText(email).waitFor();
  await admin.goto(`${BASE}/dev/mailbox`);
  await admin.locator('article').filter({ hasText: email }).first().waitFor();
  assert.deepEqual(errors, []);
});

test("Acme's Full Admin changes the sign-in settings", async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'fulladmin@acme.example');
  await page.goto(`${BASE}/users/`);
  await Promise.all([page.waitForURL(/\/users\/sign-in\//), page.getByRole('link', { name: 'Sign-in settings' }).click()]);
  await page.locator('#settings-form[aria-busy="false"]').waitFor();
  assert.equal(await page.getByLabel('Microsoft (work or school account)').isChecked(), true);
  const tenants = page.getByLabel('Microsoft tenant ids');
  const before = await tenants.inputValue();
  assert.match(before, /^[0-9a-f-]{36}$/);
  await tenants.fill(`${before}\nnot-a-guid`);
  expectAnswer(page, 'PUT', '/api/companies/acme-dental/sign-in', 422);
  await page.getByRole('button', { name: 'Save sign-in settings' }).click();
  await page.locator('#microsoft_tenants-error').filter({ hasText: '"not-a-guid" is not a tenant id' }).waitFor();
  assert.equal(await tenants.getAttribute('aria-invalid'), 'true');
  await tenants.fill(before);
  await page.getByLabel('Their role').selectOption('ticket_read_only');
  await page.getByRole('button', { name: 'Save sign-in settings' }).click();
  await page.locator('#form-status').filter({ hasText: 'Sign-in settings saved.' }).waitFor();
  await page.reload();
  await page.locator('#settings-form[aria-busy="false"]').waitFor();
  assert.equal(await page.getByLabel('Their role').inputValue(), 'ticket_read_only');
  // Back as the demo has it.
  await page.getByLabel('Their role').selectOption('standard_user');
  await page.getByRole('button', { name: 'Save sign-in settings' }).click();
  await page.locator('#form-status').filter({ hasText: 'Sign-in settings saved.' }).waitFor();
  assert.deepEqual(errors, []);
});

test('the sign-in page, asking for access, the requests in Users and the sign-in settings pass axe in light and dark, and fit a phone', async () => {
  for (const theme of ['light', 'dark']) {
    const errors = [];
    const page = await themedPage(browser, errors, theme);
    // A request waiting, so Users shows its section.
    await page.evaluate((email) => fetch('/api/auth/access-request', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, name: 'Wendy Waiting' }),
    }), `waiting-${theme}-${Date.now()}@acme.example`);
    await page.goto(`${BASE}/login/?sso=no-user`);
    await page.getByRole('button', { name: 'Sign in with Google' }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], `${theme} sign-in page`);
    await page.goto(`${BASE}/request-access/`);
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], `${theme} asking for access`);
    await signIn(page, 'fulladmin@acme.example');
    await page.goto(`${BASE}/users/`);
    await page.getByRole('heading', { name: 'Asking for access' }).waitFor();
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], `${theme} users with requests`);
    await page.goto(`${BASE}/users/sign-in/`);
    await page.locator('#settings-form[aria-busy="false"]').waitFor();
    assert.deepEqual(await seriousViolations(page), [], `${theme} sign-in settings`);
    assert.deepEqual(errors, []);
    await page.context().close();
  }
  const errors = [];
  const phone = await newPage(browser, errors, { viewport: { width: 390, height: 844 } });
  await phone.goto(`${BASE}/login/`);
  await phone.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
  let width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the sign-in page fits a phone (${width} px)`);
  await signIn(phone, 'fulladmin@acme.example');
  await phone.goto(`${BASE}/users/sign-in/`);
  await phone.locator('#settings-form[aria-busy="false"]').waitFor();
  await settled(phone);
  width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the sign-in settings fit a phone (${width} px)`);
  assert.deepEqual(errors, []);
});
