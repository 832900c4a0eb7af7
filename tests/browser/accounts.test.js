// The account lifecycle in a real browser: a Full Admin invites a user, who accepts from the dev
// mailbox, signs in, turns on two-factor authentication and signs in with a code; the admin
// deactivates them (their next request is refused) and reads the audit trail. A user makes new
// recovery codes and signs in with one (the old ones refused). axe-core on every account page,
// light and dark.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, PASSWORD, expectAnswer, launch, mailedLink, newPage, signIn, seriousViolations, test, settled } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const NEW_PASSWORD = 'lanterns over the harbour';

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let buffer = 0;
  let bits = 0;
  const out = [];
  for (const c of text.replace(/\s/g, '')) {
    buffer = (buffer << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// RFC 6238 (SHA-1, 30 s, 6 digits), as an authenticator app computes it.
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[19] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

const nowStep = () => Math.floor(Date.now() / 30_000);

async function signOut(page) {
  await page.locator('#user-menu summary').click();
  await Promise.all([page.waitForURL(`${BASE}/login/?signed-out=1`), page.getByRole('button', { name: 'Sign out', exact: true }).click()]);
}

test('invite → accept from the mailbox → sign in → two-factor → deactivate → audit trail', async () => {
  const errors = [];
  const admin = await newPage(browser, errors);
  await signIn(admin, 'fulladmin@acme.example');
  await admin.goto(`${BASE}/users/`);
  await admin.locator('td[data-field="email"]').first().waitFor();
  const email = `newbie-${Date.now()}@acme.example`;
  await admin.locator('#invite summary').click();
  const invite = admin.locator('#invite-form');
  await invite.getByLabel('Name').fill('Nova Newbie');
  await invite.getByLabel('Email').fill(email);
  await invite.getByLabel('Role').selectOption('billing_admin');
  // Each role says what it allows, in the guide's words.
  assert.equal(await invite.locator('#role-about').textContent(), 'Pays invoices, submits their own tickets and views projects.');
  await invite.getByLabel('Role').selectOption('standard_user');
  assert.equal(await invite.locator('#role-about').textContent(), 'Creates their own tickets and comments on them.');
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  await admin.getByText(`Invitation sent to ${email}.`).waitFor();
  await admin.getByRole('cell', { name: email }).waitFor();

  // The new user opens the invitation from the (local) mailbox.
  const user = await newPage(browser, errors);
  await user.goto(`${BASE}/dev/mailbox`);
  const mail = user.locator('article').filter({ hasText: email }).first();
  await Promise.all([user.waitForURL(/\/accept-invite\//), mail.getByRole('link', { name: /accept-invite/ }).click()]);
  await user.getByRole('heading', { name: 'Welcome, Nova Newbie' }).waitFor();
  assert.equal(new URL(user.url()).hash, '', 'the token leaves the address bar');
  await user.getByLabel('New password', { exact: true }).fill('password');
  await user.getByLabel('New password again').fill('password');
  expectAnswer(user, 'POST', '/api/auth/invitation/accept', 422);
  await user.getByRole('button', { name: 'Set password and activate' }).click();
  await user.locator('#password-error').filter({ hasText: /12 characters/ }).waitFor();
  await user.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await user.getByLabel('New password again').fill(NEW_PASSWORD);
  await user.getByRole('button', { name: 'Set password and activate' }).click();
  await user.getByText('Your account is ready.').waitFor();
  await Promise.all([user.waitForURL(`${BASE}/login/`), user.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  await user.getByLabel('Email').fill(email);
  await user.getByLabel('Password').fill(NEW_PASSWORD);
  await Promise.all([user.waitForURL(`${BASE}/`), user.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  await user.waitForFunction(() => document.getElementById('greeting')?.textContent === 'Welcome, Nova');
  // A new user has no tickets: the home page says so instead of a chart of zeros.
  await user.locator('#no-tickets-yet').waitFor();
  assert.equal(await user.locator('#chart-figure').isVisible(), false);

  // Two-factor authentication: scan (read the key), confirm, keep the recovery codes.
  await user.goto(`${BASE}/account/`);
  await user.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await user.locator('#mfa-qr svg').waitFor();
  const key = (await user.locator('#mfa-secret').textContent()).replace(/\s/g, '');
  // What an authenticator app scans: the QR code, read back from the screen with zbarimg.
  const shot = join(mkdtempSync(join(tmpdir(), 'portal-qr-')), 'qr.png');
  await user.locator('#mfa-qr svg').screenshot({ path: shot });
  // (zbarimg's stderr is only its complaint that this machine has no D-Bus.)
  const scanned = new URL(execFileSync('zbarimg', ['-q', '--raw', shot], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  assert.equal(`${scanned.protocol}//${scanned.host}`, 'otpauth://totp');
  assert.equal(decodeURIComponent(scanned.pathname), `/Northwind IT:${email}`);
  assert.equal(scanned.searchParams.get('issuer'), 'Northwind IT');
  assert.equal(scanned.searchParams.get('secret'), key);
  assert.equal(scanned.searchParams.get('digits'), '6');
  const secret = base32Decode(key);
  // A mistyped code is said at the field, which keeps the focus; the set-up stays on the page.
  await user.getByLabel('Code from the app').fill('000000');
  expectAnswer(user, 'POST', '/api/me/mfa/confirm', 401);
  await user.getByRole('button', { name: 'Turn on' }).click();
  await user.locator('#code-error').filter({ hasText: /not valid.*Enter the code your app shows now/ }).waitFor();
  assert.equal(await user.getByLabel('Code from the app').getAttribute('aria-invalid'), 'true');
  assert.equal(await user.evaluate(() => document.activeElement.id), 'mfa-code');
  assert.equal(new URL(user.url()).pathname, '/account/');
  assert.equal((await user.locator('#mfa-secret').textContent()).replace(/\s/g, ''), key, 'the same set-up');
  assert.equal(await user.locator('#mfa-status').textContent(), '', 'nothing below the form');
  await user.getByLabel('Code from the app').fill(totp(secret, nowStep()));
  await user.getByRole('button', { name: 'Turn on' }).click();
  await user.locator('#mfa-codes').waitFor({ state: 'visible' });
  assert.equal(await user.locator('#mfa-code-list li').count(), 10);
  const codes = await user.locator('#mfa-code-list li').allTextContents();
  const [saved] = await Promise.all([user.waitForEvent('download'), user.getByRole('button', { name: 'Download as a text file' }).click()]);
  assert.match(saved.suggestedFilename(), /^recovery-codes-127\.0\.0\.1\.txt$/);
  const file = readFileSync(await saved.path(), 'utf8');
  assert.ok(file.startsWith(`Recovery codes for ${email} on `), file);
  assert.deepEqual(file.trim().split('\n').slice(-10), codes);
  await user.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  await user.getByRole('button', { name: 'Copy', exact: true }).click();
  await user.getByText('Copied. Paste them into your password manager.').waitFor();
  assert.equal(await user.evaluate(() => navigator.clipboard.readText()), file);
  await user.getByText(/^On: signing in asks for a code/).waitFor();
  await signOut(user);

  // Sign in again: the password, then a fresh code (the next step's: the last one was used).
  await user.getByLabel('Email').fill(email);
  await user.getByLabel('Password').fill(NEW_PASSWORD);
  await user.getByRole('button', { name: 'Sign in', exact: true }).click();
  await user.getByLabel('Authentication code').waitFor();
  await user.getByLabel('Authentication code').fill('000000');
  expectAnswer(user, 'POST', '/api/auth/login/mfa', 401);
  await user.getByRole('button', { name: 'Verify' }).click();
  await user.locator('#form-error').filter({ hasText: /not valid/ }).waitFor();
  await user.getByLabel('Authentication code').fill(totp(secret, nowStep() + 1));
  await Promise.all([user.waitForURL(`${BASE}/`), user.getByRole('button', { name: 'Verify' }).click()]);
  await user.waitForFunction(() => document.getElementById('greeting')?.textContent === 'Welcome, Nova');

  // Turning it off takes the password and a current code: a wrong code is said at its field, and
  // the user stays signed in on the page.
  await user.goto(`${BASE}/account/`);
  await user.getByLabel('Your password, to turn it off').fill(NEW_PASSWORD);
  await user.getByLabel('A code from your authenticator app').fill('000000');
  expectAnswer(user, 'POST', '/api/me/mfa/disable', 401);
  await user.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
  await user.locator('#disable_code-error').filter({ hasText: /not valid/ }).waitFor();
  assert.equal(new URL(user.url()).pathname, '/account/');
  await user.getByText(/^On: signing in asks for a code/).waitFor();

  // The admin deactivates the user: their very next request is refused.
  await admin.reload();
  const row = admin.getByRole('row').filter({ hasText: email });
  await row.getByRole('cell', { name: 'On', exact: true }).waitFor();
  await row.getByRole('button', { name: 'Manage Nova Newbie' }).click();
  const dialog = admin.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Deactivate' }).click();
  // Asked first, saying what it does.
  const ask = admin.getByRole('dialog', { name: 'Deactivate Nova Newbie?' });
  assert.match(await ask.textContent(), /signed out everywhere at once and can no longer sign in/);
  await ask.getByRole('button', { name: 'Deactivate' }).click();
  await admin.getByText('Nova Newbie is deactivated and signed out everywhere.').waitFor();
  await user.goto(`${BASE}/account/`);
  await user.waitForURL(/\/login\/\?next=%2Faccount%2F$/);

  // The audit trail shows it all; filter by action.
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' }).click();
  await admin.waitForURL(`${BASE}/audit/`);
  const table = admin.getByRole('table', { name: /Audit entries/ });
  await table.getByRole('cell', { name: 'User deactivated' }).first().waitFor();
  for (const action of ['User invited', 'Invitation accepted', 'Two-factor turned on', 'Signed in']) {
    await table.getByRole('cell', { name: action }).first().waitFor();
  }
  await admin.getByLabel('What').selectOption('user_invited');
  await admin.getByRole('button', { name: 'Show', exact: true }).click();
  await table.getByRole('cell', { name: `Invited Nova Newbie <${email}> as Standard User` }).waitFor();
  const actions = await table.locator('td[data-field="action"]').allTextContents();
  assert.ok(actions.length > 0 && actions.every((a) => a === 'User invited'), actions.join());
  const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: 'Export CSV' }).click()]);
  assert.match(download.suggestedFilename(), /^audit-acme-dental-.*\.csv$/);
  // The file holds what the page showed: the filter applies, and the invitation is there.
  const rows = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
  assert.match(rows[0], /^"Time \(UTC\)","Action","Who","Email","Target","What"/);
  assert.ok(rows.length > 1, rows.join('\n'));
  assert.ok(rows.slice(1).every((row) => row.split('","')[1] === 'user_invited'), rows.join('\n'));
  assert.ok(rows.some((row) => row.includes(`Invited Nova Newbie <${email}> as Standard User`)), rows.join('\n'));
  assert.deepEqual(errors, []);
});

// A new active Standard User of Acme Dental, made through the API by its Full Admin (invited, then
// accepted from the mailed link): a test that changes its password leaves the demo users alone,
// and reset requests (three per user per hour) never run out on a long-lived stack.
async function newActiveUser(name) {
  const admin = await newPage(browser, []);
  await signIn(admin, 'fulladmin@acme.example');
  const email = `${name.toLowerCase()}-${Date.now()}@acme.example`;
  const post = (path, body) => admin.evaluate(async ({ path, body }) => {
    const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    return `${r.status} ${await r.text()}`;
  }, { path, body });
  assert.match(await post('/api/companies/acme-dental/users', { name, email, role: 'standard_user' }), /^201 /);
  const link = await mailedLink(admin, email, /invited/i, 'accept-invite');
  const token = new URL(link).hash.replace('#token=', '');
  assert.match(await post('/api/auth/invitation/accept', { token, password: NEW_PASSWORD }), /^20\d /);
  await admin.context().close();
  return email;
}

test('forgot password: the emailed link sets a new password once', async () => {
  const errors = [];
  const email = await newActiveUser('Rhea');
  const page = await newPage(browser, errors);
  await page.goto(`${BASE}/forgot-password/`);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await page.getByText(/If that address has an account/).waitFor();
  const link = await mailedLink(page, email, 'Reset your portal password', 'reset-password');
  await page.goto(link);
  await page.getByLabel('New password', { exact: true }).fill('another long passphrase');
  await page.getByLabel('New password again').fill('another long passphrase');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.getByText(/Your password is changed/).waitFor();
  // The same link a second time does not work.
  await page.goto('about:blank');
  await page.goto(link);
  await page.getByLabel('New password', { exact: true }).fill('yet another long passphrase');
  await page.getByLabel('New password again').fill('yet another long passphrase');
  expectAnswer(page, 'POST', '/api/auth/password-reset/confirm', 400);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.getByText('This link does not work any more').waitFor();
  // The new password signs in; the old one no longer does.
  await page.goto(`${BASE}/login/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  expectAnswer(page, 'POST', '/api/auth/login', 401);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'incorrect' }).waitFor();
  await page.getByLabel('Password').fill('another long passphrase');
  await Promise.all([page.waitForURL(`${BASE}/`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  await page.waitForFunction(() => document.getElementById('greeting')?.textContent === 'Welcome, Rhea');
  assert.deepEqual(errors, []);
});

test('new recovery codes replace the old ones: an old one is refused at sign-in, a new one signs in', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const email = 'user@globex.example';
  await signIn(page, email);
  const me = await page.evaluate(() => fetch('/api/me').then((r) => r.json()));
  await page.goto(`${BASE}/account/`);
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await page.locator('#mfa-qr svg').waitFor();
  const secret = base32Decode((await page.locator('#mfa-secret').textContent()).replace(/\s/g, ''));
  const step = nowStep();
  await page.getByLabel('Code from the app').fill(totp(secret, step));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.locator('#mfa-codes').waitFor({ state: 'visible' });
  const old = await page.locator('#mfa-code-list li').allTextContents();

  // Lost them: new ones, after the password (a wrong one is said at its field) and a code.
  await page.locator('#mfa-renew summary').click();
  await page.getByLabel('Your password, to make new codes').fill('not my password at all');
  await page.getByLabel('A code from your app, to make new codes').fill(totp(secret, step + 1));
  expectAnswer(page, 'POST', '/api/me/mfa/recovery-codes', 422);
  await page.getByRole('button', { name: 'Replace my recovery codes' }).click();
  await page.locator('#codes_password-error').filter({ hasText: /not your current password/ }).waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'the new codes form with its error');
  await page.getByLabel('Your password, to make new codes').fill(PASSWORD);
  await page.getByRole('button', { name: 'Replace my recovery codes' }).click();
  await page.getByText('New recovery codes made: the old ones no longer work.').waitFor();
  const fresh = await page.locator('#mfa-code-list li').allTextContents();
  assert.equal(fresh.length, 10);
  assert.ok(fresh.every((c) => !old.includes(c)), `${fresh} / ${old}`);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Download as a text file');
  await signOut(page);

  // Signing in: an old code is refused, a new one signs in.
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByLabel('Authentication code').fill(old[0]);
  expectAnswer(page, 'POST', '/api/auth/login/mfa', 401);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.locator('#form-error').filter({ hasText: /not valid/ }).waitFor();
  await page.getByLabel('Authentication code').fill(fresh[0]);
  await Promise.all([page.waitForURL(`${BASE}/`), page.getByRole('button', { name: 'Verify' }).click()]);
  await signOut(page);

  // The company's Full Admin resets it, so the demo user signs in with a password alone again.
  await signIn(page, 'fulladmin@globex.example');
  const reset = await page.evaluate((path) => fetch(path, { method: 'DELETE' }).then((r) => r.status), `/api/companies/globex-logistics/users/${me.user.id}/mfa`);
  assert.equal(reset, 204);
  assert.deepEqual(errors, []);
});

for (const theme of ['light', 'dark']) {
  test(`account pages have no serious or critical axe violations (${theme})`, async () => {
    const errors = [];
    const page = await newPage(browser, errors);
    await page.emulateMedia({ colorScheme: theme });
    // The made-up invitation token is refused; the page says so.
    expectAnswer(page, 'POST', '/api/auth/invitation', 400);
    for (const path of ['/forgot-password/', '/reset-password/#token=x', '/accept-invite/#token=x']) {
      await page.goto(`${BASE}${path}`);
      await page.evaluate((t) => localStorage.setItem('portal-theme', t), theme);
      await page.reload();
      await settled(page);
      assert.deepEqual(await seriousViolations(page), [], path);
    }
    await signIn(page, 'ticketmanager@acme.example');
    await page.goto(`${BASE}/account/`);
    await page.locator('td[data-field="started"]').first().waitFor();
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    // The QR code, or a message saying why not: either way the test reports what the page shows.
    await page.waitForFunction(() => document.querySelector('#mfa-qr svg') || document.getElementById('mfa-status')?.textContent || location.pathname !== '/account/', null, { timeout: 60_000 });
    assert.equal(new URL(page.url()).pathname, '/account/', errors.join(' '));
    assert.equal(await page.locator('#mfa-status').textContent(), '', errors.join(' '));
    await page.locator('#mfa-qr svg').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'account page with the QR code');
    await signOut(page);
    await signIn(page, 'admin@northwind.example');
    await page.goto(`${BASE}/users/?company=acme-dental`);
    await page.locator('td[data-field="email"]').first().waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'users page');
    await page.locator('#invite summary').click();
    await page.getByRole('button', { name: /^Manage / }).first().click();
    assert.deepEqual(await seriousViolations(page), [], 'users page with the dialog open');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.goto(`${BASE}/companies/`);
    await page.getByRole('button', { name: /^Edit / }).first().click();
    assert.deepEqual(await seriousViolations(page), [], 'company dialog');
    await page.goto(`${BASE}/audit/?company=acme-dental`);
    await page.locator('td[data-field="action"]').first().waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'audit trail');
    assert.deepEqual(errors, []);
  });
}
