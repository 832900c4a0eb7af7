// My account as the guides show it (issue 22), in a real browser: first and last name, the direct
// phone's extension; the login email changed through the link mailed to the new address (the old
// one told), then signing in with it. A newly invited user, so the demo users stay as they are.
// axe light and dark; a phone's width.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, expectAnswer, launch, newPage, seriousViolations, settled, signIn, test, themedPage } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PASSWORD = 'a long new password 42';

// A new Standard User of Acme Dental, invited by its Full Admin and signed in; their page.
async function newcomer(errors, email) {
  const admin = await newPage(browser, errors);
  await signIn(admin, 'fulladmin@acme.example');
  const invited = await admin.evaluate(async (address) => (await fetch('/api/companies/acme-dental/users', {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ name: 'Mia Moved', email: address, phone: '', role: 'standard_user' }),
  })).status, email);
  assert.equal(invited, 201);
  const user = await newPage(browser, errors);
  await user.goto(`${BASE}/dev/mailbox`);
  const mail = user.locator('article').filter({ hasText: email }).first();
  await Promise.all([user.waitForURL(/\/accept-invite\//), mail.getByRole('link', { name: /accept-invite/ }).click()]);
  await user.getByLabel('New password', { exact: true }).fill(PASSWORD);
  await user.getByLabel('New password again').fill(PASSWORD);
  await user.getByRole('button', { name: 'Set password and activate' }).click();
  await user.getByText('Your account is ready.').waitFor();
  await user.goto(`${BASE}/login/`);
  await user.getByLabel('Email').fill(email);
  await user.getByLabel('Password').fill(PASSWORD);
  await Promise.all([user.waitForURL(`${BASE}/`), user.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  return user;
}

test('a user sets their name in two parts and an extension, and moves their login to a new address', async () => {
  const errors = [];
  const run = Date.now();
  const email = `mia-${run}@acme.example`;
  const moved = `mia.moved-${run}@acme.example`;
  const user = await newcomer(errors, email);
  await user.goto(`${BASE}/account/`);
  // The form is filled once /api/me is in.
  await user.waitForFunction(() => document.getElementById('first_name').value !== '');
  assert.equal(await user.getByLabel('First name').inputValue(), 'Mia');
  assert.equal(await user.getByLabel('Last name').inputValue(), 'Moved');
  await user.getByLabel('Last name').fill('van Moved');
  await user.getByLabel('Direct phone').fill('+1 555 0100');
  await user.getByLabel('Extension').fill('12x');
  expectAnswer(user, 'PATCH', '/api/me', 422);
  await user.getByRole('button', { name: 'Save profile' }).click();
  await user.locator('#phone_ext-error').filter({ hasText: 'digits' }).waitFor();
  await user.getByLabel('Extension').fill('204');
  await user.getByRole('button', { name: 'Save profile' }).click();
  await user.locator('#profile-status').filter({ hasText: 'Profile saved.' }).waitFor();
  await user.reload();
  await user.waitForFunction(() => document.getElementById('first_name').value !== '');
  assert.equal(await user.getByLabel('Last name').inputValue(), 'van Moved');
  assert.equal(await user.getByLabel('Extension').inputValue(), '204');

  // The new login email: a wrong password is said at its field; then the link goes out.
  await user.getByLabel('New login email').fill(moved);
  await user.getByLabel('Current password').first().fill('not my password');
  expectAnswer(user, 'POST', '/api/me/email', 422);
  await user.getByRole('button', { name: 'Send a confirmation link' }).click();
  await user.locator('#email_password-error').filter({ hasText: /./ }).waitFor();
  await user.getByLabel('New login email').fill(moved);
  await user.locator('#email_password').fill(PASSWORD);
  await user.getByRole('button', { name: 'Send a confirmation link' }).click();
  await user.locator('#email-status').filter({ hasText: `We sent a link to ${moved}` }).waitFor();
  await settled(user);
  assert.deepEqual(await seriousViolations(user), [], 'the account page');

  // The old address is told; the link comes to the new one and confirms it.
  await user.goto(`${BASE}/dev/mailbox`);
  await user.locator('article').filter({ hasText: email }).getByRole('heading', { name: 'A change of your portal login email was asked for' }).first().waitFor();
  const link = user.locator('article').filter({ hasText: moved }).getByRole('link', { name: /confirm-email/ }).first();
  const href = await link.getAttribute('href');
  await Promise.all([user.waitForURL(/\/confirm-email\//), link.click()]);
  await user.getByText('Your login email is changed.').waitFor();
  assert.equal(new URL(user.url()).hash, '', 'the token leaves the address bar');
  // Used again, the link says it does not work any more.
  expectAnswer(user, 'POST', '/api/auth/email-change/confirm', 400);
  await user.goto(`${BASE}/`);
  await user.goto(href);
  await user.locator('#form-error').filter({ hasText: 'does not work any more' }).waitFor();

  // Signing in: the new address works, the old one no longer does.
  const fresh = await newPage(browser, errors);
  await fresh.goto(`${BASE}/login/`);
  await fresh.getByLabel('Email').fill(email);
  await fresh.getByLabel('Password').fill(PASSWORD);
  expectAnswer(fresh, 'POST', '/api/auth/login', 401);
  await fresh.getByRole('button', { name: 'Sign in', exact: true }).click();
  await fresh.locator('#form-error').filter({ hasText: /./ }).waitFor();
  await fresh.getByLabel('Email').fill(moved);
  await fresh.getByLabel('Password').fill(PASSWORD);
  await Promise.all([fresh.waitForURL(`${BASE}/`), fresh.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  await fresh.goto(`${BASE}/account/`);
  await fresh.locator('#email-heading + p strong').filter({ hasText: moved }).waitFor();
  assert.deepEqual(errors, []);
});

test('a Full Admin keeps the company preferences and lets a colleague see every ticket', async () => {
  const errors = [];
  const fiona = await newPage(browser, errors);
  await signIn(fiona, 'fulladmin@acme.example');
  await fiona.goto(`${BASE}/users/`);
  await Promise.all([fiona.waitForURL(/\/company\/$/), fiona.getByRole('link', { name: 'Company preferences' }).click()]);
  await fiona.locator('#prefs-form[aria-busy="false"]').waitFor();
  // A time zone that is not one is said at its field; nothing is saved.
  await fiona.getByLabel('Time zone').fill('london');
  expectAnswer(fiona, 'PATCH', '/api/companies/acme-dental/preferences', 422);
  await fiona.getByRole('button', { name: 'Save preferences' }).click();
  await fiona.locator('#time_zone-error').filter({ hasText: /IANA/ }).waitFor();
  await fiona.getByLabel('Time zone').fill('America/New_York');
  const phone = `+1 555 ${String(Date.now()).slice(-4)}`;
  await fiona.getByLabel('Main phone').fill(phone);
  await fiona.getByLabel(/the monthly configuration expiry summary/).uncheck();
  await fiona.getByRole('button', { name: 'Save preferences' }).click();
  await fiona.locator('#prefs-status').filter({ hasText: 'Preferences saved.' }).waitFor();
  await fiona.reload();
  await fiona.locator('#prefs-form[aria-busy="false"]').waitFor();
  assert.equal(await fiona.getByLabel('Main phone').inputValue(), phone);
  assert.equal(await fiona.getByLabel(/the monthly configuration expiry summary/).isChecked(), false);
  await settled(fiona);
  assert.deepEqual(await seriousViolations(fiona), [], 'the company preferences page');
  await fiona.getByLabel(/the monthly configuration expiry summary/).check();
  await fiona.getByRole('button', { name: 'Save preferences' }).click();
  await fiona.locator('#prefs-status').filter({ hasText: 'Preferences saved.' }).waitFor();

  // Letting a Billing Admin see every ticket of the company, from the user's dialog.
  await fiona.goto(`${BASE}/users/`);
  await fiona.locator('td[data-field="email"]').first().waitFor();
  const row = fiona.getByRole('row').filter({ hasText: 'billing@acme.example' });
  await row.getByRole('button', { name: /^Manage / }).click();
  const dialog = fiona.getByRole('dialog');
  await dialog.getByLabel(/Sees every ticket of the company/).check();
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await fiona.getByText(/now sees every ticket of the company/).waitFor();
  const billing = await newPage(browser, errors);
  await signIn(billing, 'billing@acme.example');
  const caps = await billing.evaluate(async () => (await (await fetch('/api/me', { headers: { accept: 'application/json' } })).json()).capabilities);
  assert.ok(caps.includes('view_company_tickets'), caps.join());
  // And back.
  await fiona.reload();
  await fiona.locator('td[data-field="email"]').first().waitFor();
  await fiona.getByRole('row').filter({ hasText: 'billing@acme.example' }).getByRole('button', { name: /^Manage / }).click();
  await fiona.getByRole('dialog').getByLabel(/Sees every ticket of the company/).uncheck();
  await fiona.getByRole('dialog').getByRole('button', { name: 'Save', exact: true }).click();
  await fiona.getByText(/sees only their own tickets again/).waitFor();
  assert.deepEqual(errors, []);
});

for (const theme of ['light', 'dark']) {
  test(`the account page and the confirm page pass axe (${theme}), and fit a phone`, async () => {
    const errors = [];
    const page = await themedPage(browser, errors, theme, { viewport: { width: 390, height: 844 } });
    await signIn(page, 'user@acme.example');
    await page.goto(`${BASE}/account/`);
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], 'the account page');
    const sizes = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: innerWidth }));
    assert.ok(sizes.page <= sizes.view, `the page does not scroll sideways (${sizes.page} > ${sizes.view})`);
    expectAnswer(page, 'POST', '/api/auth/email-change/confirm', 400);
    await page.goto(`${BASE}/confirm-email/#token=acme-dental.x.y`);
    await page.locator('#confirm[aria-busy="false"]').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the confirm page with its error');
    assert.deepEqual(errors, []);
  });
}
