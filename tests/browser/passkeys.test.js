// Passkeys in a real browser (issue 20) with Chromium's virtual authenticator (CDP
// `WebAuthn.enable` + `WebAuthn.addVirtualAuthenticator`): Acme's Read-Only user adds a passkey in
// My account, signs out, signs in with it (no email typed), then with their password and the
// passkey as the second step, and removes it; axe in light and dark with a passkey listed; a
// phone's width. Browsers refuse passkeys on IP addresses, so the portal is used at
// http://localhost:PORT here (docs/passkeys.md).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, launch, newPage, seriousViolations, settled, test } from './harness.js';

const LOCAL = BASE.replace('127.0.0.1', 'localhost');
const EMAIL = 'readonly@acme.example';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// A page with a platform authenticator that verifies its user (a fingerprint, always right).
async function withAuthenticator(errors, options = {}) {
  const page = await newPage(browser, errors, options);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return page;
}

async function welcomed(page) {
  await page.waitForURL(`${LOCAL}/`);
  await page.waitForFunction(() => document.getElementById('greeting')?.textContent.startsWith('Welcome,'));
}

async function passwordStep(page) {
  await page.goto(`${LOCAL}/login/`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signOut(page) {
  await page.locator('#user-menu summary').click();
  await Promise.all([page.waitForURL(`${LOCAL}/login/?signed-out=1`), page.getByRole('button', { name: 'Sign out', exact: true }).click()]);
}

// Whatever happened, the user is left with no passkey (their password alone signs in for the
// other tests), if the page is still signed in.
async function removeAll(page) {
  await page.evaluate(async () => {
    const list = await fetch('/api/me/passkeys').then((r) => (r.ok ? r.json() : { items: [] }));
    for (const p of list.items) await fetch(`/api/me/passkeys/${p.id}`, { method: 'DELETE' });
  }).catch(() => {});
}

test('a user adds a passkey, signs in with it alone and as the second step, and removes it', async () => {
  const errors = [];
  const page = await withAuthenticator(errors);
  try {
    await addUseRemove(page);
  } finally {
    await removeAll(page);
  }
  assert.deepEqual(errors, []);
});

async function addUseRemove(page) {
  await passwordStep(page);
  await welcomed(page);

  await page.goto(`${LOCAL}/account/`);
  await page.getByText('You have no passkeys yet.').waitFor();
  await page.getByLabel('Name for a new passkey').fill('Test laptop');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByText('Passkey Test laptop added').waitFor();
  const row = page.getByRole('row').filter({ hasText: 'Test laptop' });
  await row.waitFor();
  assert.match(await row.textContent(), /Never/);
  for (const theme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: theme });
    await settled(page);
    assert.deepEqual(await seriousViolations(page), [], `axe, ${theme}`);
  }

  // Signed out, the passkey signs in with no email typed.
  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await welcomed(page);
  await page.goto(`${LOCAL}/account/`);
  await row.waitFor();
  assert.doesNotMatch(await row.textContent(), /Never/);

  // With the password, the passkey is the second step.
  await signOut(page);
  await passwordStep(page);
  await page.getByText('Use your passkey to finish signing in.').waitFor();
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await welcomed(page);

  // Removed (after saying so), it is gone, and the password alone signs in again.
  await page.goto(`${LOCAL}/account/`);
  await page.getByRole('button', { name: 'Remove Test laptop' }).click();
  await page.getByRole('button', { name: 'Remove passkey' }).click();
  await page.getByText('Test laptop was removed.').waitFor();
  await page.getByText('You have no passkeys yet.').waitFor();
  await signOut(page);
  await passwordStep(page);
  await welcomed(page);
}

test('the passkey parts of the sign-in and account pages fit a phone', async () => {
  const errors = [];
  const page = await withAuthenticator(errors, { viewport: { width: 390, height: 844 } });
  await page.goto(`${LOCAL}/login/`);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
  await passwordStep(page);
  await welcomed(page);
  await page.goto(`${LOCAL}/account/`);
  await page.getByRole('button', { name: 'Add a passkey' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  assert.deepEqual(errors, []);
});
