// The foundation's user paths in a real browser: sign in, home, theme, sign out, navigation by
// capability, and accessibility scans.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, expectAnswer, launch, newPage, signIn, seriousViolations, test, settled } from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a Full Admin signs in, sees their company, switches to dark theme that survives reload, and signs out', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'fulladmin@acme.example');
  await page.locator('#company-line').filter({ hasText: 'Acme Dental' }).waitFor();
  assert.match(await page.locator('#company-line').textContent(), /Acme Dental/);
  assert.equal(await page.locator('#greeting').textContent(), 'Welcome, Fiona');

  await page.locator('#user-menu summary').click();
  await page.getByRole('radio', { name: 'Dark' }).check();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.reload();
  await page.waitForFunction(() => document.getElementById('greeting')?.textContent.startsWith('Welcome,'));
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.locator('#user-menu summary').click();
  assert.equal(await page.getByRole('radio', { name: 'Dark' }).isChecked(), true);
  // The choice is kept on the account; put it back for the other tests.
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/me') && r.request().method() === 'PATCH'),
    page.getByRole('radio', { name: 'System' }).check(),
  ]);

  // My account names the sign-in email, and another session (a phone, say) can be ended alone.
  await page.goto(`${BASE}/account/`);
  await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await page.locator('#sessions-status').filter({ hasText: 'You are now signed out everywhere else.' }).waitFor();
  const phone = await newPage(browser, errors);
  await signIn(phone, 'fulladmin@acme.example');
  await page.reload();
  await page.locator('#email-heading + p strong').filter({ hasText: /^fulladmin@acme\.example$/ }).waitFor();
  const other = page.locator('#sessions-table tbody tr', { has: page.getByRole('button', { name: /^Sign out the / }) });
  await other.waitFor();
  assert.equal(await page.locator('#sessions-table tbody tr').count(), 2, 'this one and the phone');
  assert.equal(await other.locator('[data-field="browser"]').textContent(), 'Chrome on Linux');
  await other.getByRole('button', { name: /^Sign out the / }).click();
  await page.locator('#sessions-status').filter({ hasText: 'That Chrome on Linux session is signed out.' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#sessions-table tbody tr').length === 1);
  await phone.goto(`${BASE}/account/`);
  await phone.waitForURL(/\/login\/\?next=/);
  // Signing out says so.
  await page.locator('#user-menu summary').click();
  await Promise.all([page.waitForURL(`${BASE}/login/?signed-out=1`), page.getByRole('button', { name: 'Sign out', exact: true }).click()]);
  await page.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
  // The session is over: the home page sends us back to sign in.
  await page.goto(`${BASE}/`);
  await page.waitForURL(/\/login\//);
  const status = await page.evaluate(async () => (await fetch('/api/me')).status);
  assert.equal(status, 401);
  assert.deepEqual(errors, []);
});

test('a wrong password is announced and the user stays on the sign-in page', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${BASE}/login/`);
  await page.getByLabel('Email').fill('user@acme.example');
  await page.getByLabel('Password').fill('not the password');
  expectAnswer(page, 'POST', '/api/auth/login', 401);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'incorrect' }).waitFor();
  assert.match(page.url(), /\/login\/$/);
  // Empty fields are flagged on the fields themselves.
  await page.getByLabel('Email').fill('');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#email-error').textContent(), 'Enter your email address');
  assert.deepEqual(errors, [], 'nothing but the refused password');
});

test('navigation shows each of the nine roles exactly its pages', async () => {
  // DESIGN.md's capability table, as the main navigation shows it.
  const client = (...extra) => ['Home', 'Tickets', ...extra];
  const cases = [
    ['admin@northwind.example', client('Projects', 'Configurations', 'Documents', 'Knowledge base', 'Agreements', 'Invoices', 'Quotes', 'Receivables', 'Reports', 'Users', 'Companies', 'Audit trail', 'Settings')],
    ['tech@northwind.example', client('Projects', 'Configurations', 'Documents', 'Knowledge base', 'Agreements', 'Reports', 'Companies', 'Audit trail')],
    ['fulladmin@acme.example', client('Projects', 'Configurations', 'Documents', 'Knowledge base', 'Agreements', 'Invoices', 'Quotes', 'Reports', 'Users', 'Audit trail')],
    ['ticketmanager@acme.example', client('Projects', 'Configurations', 'Documents', 'Knowledge base', 'Agreements', 'Reports')],
    ['billing@acme.example', client('Projects', 'Configurations', 'Documents', 'Knowledge base', 'Agreements', 'Invoices', 'Quotes')],
    ['readonly@acme.example', client('Configurations', 'Documents', 'Knowledge base')],
    ['user@acme.example', client('Configurations', 'Documents', 'Knowledge base')],
    ['fulladmin@globex.example', client('Projects', 'Configurations', 'Documents', 'Knowledge base', 'Agreements', 'Invoices', 'Quotes', 'Reports', 'Users', 'Audit trail')],
    ['user@globex.example', client('Configurations', 'Documents', 'Knowledge base')],
  ];
  for (const [email, pages] of cases) {
    const errors = [];
    const page = await newPage(browser, errors);
    await signIn(page, email);
    const nav = page.getByRole('navigation', { name: 'Main' });
    const links = nav.getByRole('link');
    const shown = [];
    for (const link of await links.all()) if (await link.isVisible()) shown.push((await link.textContent()).trim());
    assert.deepEqual(shown, pages, email);
    assert.deepEqual(errors, [], email);
    await page.context().close();
  }
});

// DESIGN.md's capabilities of each demo role (the API enforces them; the pages must agree).
const TICKETS = ['submit_ticket', 'add_notes'];
// Everyone reads the knowledge base; MSP staff write it.
const KB = ['read_knowledge_base'];
const KB_WRITERS = [...KB, 'manage_knowledge_base', 'view_reports'];
const ROLES = {
  'admin@northwind.example': ['all_companies', 'view_company_tickets', ...TICKETS, 'view_invoices', 'view_projects', 'manage_projects', 'view_hours_left', 'manage_billing', 'manage_users', 'view_audit', 'manage_settings', ...KB_WRITERS],
  'tech@northwind.example': ['all_companies', 'view_company_tickets', ...TICKETS, 'view_projects', 'manage_projects', 'view_hours_left', 'view_audit', ...KB_WRITERS],
  'fulladmin@acme.example': ['view_company_tickets', ...TICKETS, 'view_invoices', 'approve_quotes', 'view_projects', 'view_hours_left', 'manage_users', 'view_audit', ...KB, 'view_reports'],
  'ticketmanager@acme.example': ['view_company_tickets', ...TICKETS, 'view_projects', 'view_hours_left', ...KB, 'view_reports'],
  'billing@acme.example': ['view_own_tickets', ...TICKETS, 'view_invoices', 'approve_quotes', 'view_projects', 'view_hours_left', ...KB],
  'readonly@acme.example': ['view_own_tickets', ...KB],
  'user@acme.example': ['view_own_tickets', ...TICKETS, ...KB],
  'fulladmin@globex.example': ['view_company_tickets', ...TICKETS, 'view_invoices', 'approve_quotes', 'view_projects', 'view_hours_left', 'manage_users', 'view_audit', ...KB, 'view_reports'],
  'user@globex.example': ['view_own_tickets', ...TICKETS, ...KB],
};
const SEES_TICKETS = ['all_companies', 'view_company_tickets', 'view_own_tickets'];
// Every signed-in page and what it needs (any of).
const PAGES = [
  ['/', []], ['/account/', []], ['/tickets/', SEES_TICKETS], ['/tickets/new/', ['submit_ticket']],
  ['/invoices/', ['view_invoices']], ['/payments/', ['view_invoices']], ['/payment-methods/', ['view_invoices']],
  ['/invoices/edit/', ['manage_billing']], ['/billing/', ['manage_billing']], ['/users/', ['manage_users']],
  ['/companies/', ['all_companies']], ['/audit/', ['view_audit']], ['/settings/tickets/', ['manage_settings']],
  ['/projects/', ['view_projects']], ['/agreements/', ['view_hours_left']],
  ['/quotes/', ['approve_quotes', 'manage_billing']], ['/quotes/edit/', ['manage_billing']],
  ['/configurations/', []], ['/documents/', []], ['/company/', ['manage_users']],
  ['/kb/', ['read_knowledge_base']], ['/kb/edit/', ['manage_knowledge_base']], ['/reports/', ['view_reports']],
];

test('every page × every role: the page, or one clear "no access" state with a way home', async () => {
  // A ticket of Acme's Standard User: hers, her company's admins' and managers', and the MSP's.
  const uma = await newPage(browser, []);
  await signIn(uma, 'user@acme.example');
  const number = await uma.evaluate(async () => (await (await fetch('/api/tickets', {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ request_type: 'Problem', summary: 'Access check', description: 'Who sees this?', priority: 'low' }),
  })).json()).number);
  await uma.context().close();
  const seesUmas = new Set(['admin@northwind.example', 'tech@northwind.example', 'fulladmin@acme.example', 'ticketmanager@acme.example', 'user@acme.example']);
  // Each role in its own browser context, three at a time (most of the time is waiting for each
  // page's network to fall quiet).
  const check = async ([email, capabilities]) => {
    const errors = [];
    const page = await newPage(browser, errors);
    await signIn(page, email);
    for (const [path, needs] of PAGES) {
      await page.goto(`${BASE}${path}`);
      const allowed = !needs.length || needs.some((c) => capabilities.includes(c));
      if (allowed) {
        await settled(page);
        assert.equal(await page.locator('#no-access').isVisible(), false, `${email} ${path}`);
        assert.ok(await page.getByRole('heading', { level: 1 }).first().isVisible(), `${email} ${path}: the page`);
      } else {
        const state = page.locator('#no-access');
        await state.waitFor();
        assert.equal(await state.getByRole('heading', { level: 1 }).textContent(), "You don't have access to this page", `${email} ${path}`);
        assert.equal(await state.getByRole('link', { name: 'Go to the home page' }).getAttribute('href'), '/');
        assert.equal(await page.locator('#page-body').isVisible(), false, `${email} ${path}: none of the page's controls`);
      }
    }
    // Uma's ticket: the ticket, or (for those who may not see it) that it is not theirs.
    if (!seesUmas.has(email)) expectAnswer(page, 'GET', `/api/tickets/${number}`, 404);
    await page.goto(`${BASE}/tickets/view/?number=${number}`);
    if (seesUmas.has(email)) {
      await page.locator('#ticket[aria-busy="false"]').waitFor();
      assert.equal(await page.locator('#title').textContent(), `#${number} Access check`, email);
    } else if (capabilities.some((c) => SEES_TICKETS.includes(c))) {
      await page.getByRole('heading', { name: "This ticket doesn't exist or isn't yours" }).waitFor();
      assert.equal(await page.locator('#ticket').isVisible(), false, `${email}: no empty ticket layout`);
      assert.equal(await page.getByRole('button', { name: 'Print' }).isVisible(), false, `${email}: no Print`);
    }
    assert.deepEqual(errors, [], email);
    await page.context().close();
  };
  const roles = Object.entries(ROLES);
  for (let i = 0; i < roles.length; i += 3) await Promise.all(roles.slice(i, i + 3).map(check));
});

for (const theme of ['light', 'dark']) {
  test(`focus is plain to see (${theme}): a 3 px ring of 3:1 contrast, the skip link clear of the logo, Escape closes the menu`, async () => {
    const errors = [];
    const page = await newPage(browser, errors);
    await page.emulateMedia({ colorScheme: theme });
    await signIn(page, 'fulladmin@acme.example');
    await page.evaluate((t) => localStorage.setItem('portal-theme', t), theme);
    await page.reload();
    await page.locator('#greeting').filter({ hasText: 'Welcome,' }).waitFor();
    // WCAG contrast of the focused element's outline against the page behind it.
    const ring = () => page.evaluate(() => {
      const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
      const lum = (c) => {
        const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const el = document.activeElement;
      const style = getComputedStyle(el);
      // The page behind: the first opaque background from the body up (the root's, with Pico).
      const behind = [document.body, document.documentElement].map((e) => getComputedStyle(e).backgroundColor)
        .find((c) => !/rgba\(.*, 0\)$/.test(c)) || 'rgb(255, 255, 255)';
      const [a, b] = [lum(style.outlineColor), lum(behind)];
      return { tag: el.tagName, behind, style: style.outlineStyle, width: parseFloat(style.outlineWidth), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
    });
    // The skip link first: on its own strip, not over the logo.
    await page.keyboard.press('Tab');
    const skip = await page.locator('.skip-link').boundingBox();
    const logo = await page.locator('.brand').boundingBox();
    assert.ok(skip.y + skip.height <= logo.y || skip.x + skip.width <= logo.x, `the skip link ${JSON.stringify(skip)} covers the logo ${JSON.stringify(logo)}`);
    // Then links and buttons: each focused one has a solid ring of at least 2 px and 3:1.
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      const r = await ring();
      assert.equal(r.style, 'solid', JSON.stringify(r));
      assert.ok(r.width >= 2 && r.ratio >= 3, JSON.stringify(r));
    }
    // The user menu closes on Escape wherever the focus is inside it.
    await page.locator('#user-menu summary').click();
    await page.locator('#user-menu input[name="theme"]').first().focus();
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#user-menu').evaluate((d) => d.open), false);
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'SUMMARY');
    assert.deepEqual(errors, []);
  });
}

test('on a 390 px phone the pages fit the screen: wide lists scroll in their own focusable region', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.setViewportSize({ width: 390, height: 800 });
  await signIn(page, 'admin@northwind.example');
  for (const path of ['/', '/tickets/', '/invoices/', '/invoices/edit/?company=acme-dental', '/billing/', '/payments/?company=acme-dental',
    '/payment-methods/?company=acme-dental', '/users/', '/companies/', '/audit/', '/account/', '/settings/tickets/']) {
    await page.goto(`${BASE}${path}`);
    await settled(page);
    const [page_width, screen] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(page_width <= screen, `${path}: the page is ${page_width} px wide on a ${screen} px screen`);
  }
  // A client's home chart at phone width: month labels readable (at least 12 px) and apart.
  const client = await newPage(browser, errors);
  await client.setViewportSize({ width: 390, height: 800 });
  await signIn(client, 'fulladmin@acme.example');
  await client.locator('#chart svg text.month').first().waitFor();
  const labels = await client.locator('#chart svg text.month').evaluateAll((els) => els.map((e) => {
    const r = e.getBoundingClientRect();
    return { text: e.textContent, left: r.left, right: r.right, size: parseFloat(getComputedStyle(e).fontSize) * (e.ownerSVGElement.getBoundingClientRect().width / e.ownerSVGElement.viewBox.baseVal.width) };
  }));
  assert.ok(labels.length >= 6, JSON.stringify(labels));
  for (const [i, l] of labels.entries()) {
    assert.ok(l.size >= 12, `${l.text} is drawn at ${l.size} px`);
    if (i) assert.ok(labels[i - 1].right + 4 <= l.left, `${labels[i - 1].text} runs into ${l.text}`);
  }
  // The ticket list is wider than the phone: its region scrolls, and the keyboard can reach it.
  await page.goto(`${BASE}/tickets/`);
  const region = page.getByRole('region', { name: 'Open tickets' });
  await region.locator('td[data-field="number"] a').first().waitFor();
  assert.ok(await region.evaluate((el) => el.scrollWidth > el.clientWidth), 'the table scrolls inside its region');
  await region.focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('.table-scroll').scrollLeft > 0);
  assert.deepEqual(errors, []);
});

test('a Full Admin sees their own company\'s users; a signed-out visitor is sent to sign in and back', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${BASE}/users/`);
  await page.waitForURL(/\/login\/\?next=%2Fusers%2F$/);
  await page.getByLabel('Email').fill('fulladmin@acme.example');
  await page.getByLabel('Password').fill(process.env.PORTAL_DEMO_PASSWORD || 'portal-demo');
  await Promise.all([page.waitForURL(`${BASE}/users/`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  const table = page.getByRole('table', { name: /Portal users of Acme Dental/ });
  await table.getByRole('cell', { name: 'user@acme.example' }).waitFor();
  const emails = await table.locator('td[data-field="email"]').allTextContents();
  // The five demo users (and anyone another test invited), all of Acme Dental.
  for (const demo of ['fulladmin', 'ticketmanager', 'billing', 'readonly', 'user']) {
    assert.ok(emails.includes(`${demo}@acme.example`), emails.join());
  }
  assert.ok(emails.every((e) => e.endsWith('@acme.example')), emails.join());
  assert.deepEqual(errors, []);
});

test('sign-in never sends the user to another site, whatever ?next= says', async () => {
  // `/\evil.example` and `/%09/evil.example` start with one slash but resolve to another host.
  for (const next of ['/%5Cevil.example', '/%09/evil.example', 'https://evil.example/', '//evil.example']) {
    const errors = [];
    const page = await newPage(browser, errors);
    await page.goto(`${BASE}/login/?next=${next}`);
    await page.getByLabel('Email').fill('user@acme.example');
    await page.getByLabel('Password').fill(process.env.PORTAL_DEMO_PASSWORD || 'portal-demo');
    await Promise.all([page.waitForURL(`${BASE}/`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    assert.equal(new URL(page.url()).origin, new URL(BASE).origin, next);
    assert.deepEqual(errors, []);
    await page.context().close();
  }
});

for (const theme of ['light', 'dark']) {
  test(`sign-in and home pages have no serious or critical axe violations (${theme})`, async () => {
    const errors = [];
    const page = await newPage(browser, errors);
    await page.emulateMedia({ colorScheme: theme });
    await page.goto(`${BASE}/login/`);
    await page.evaluate((t) => localStorage.setItem('portal-theme', t), theme);
    await page.reload();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
    assert.deepEqual(await seriousViolations(page), [], 'sign-in page');
    await signIn(page, 'fulladmin@acme.example');
    assert.deepEqual(await seriousViolations(page), [], 'home page');
    await page.locator('#user-menu summary').click();
    assert.deepEqual(await seriousViolations(page), [], 'home page with the user menu open');
    await page.goto(`${BASE}/users/`);
    await page.locator('td[data-field="email"]').first().waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'users page');
    assert.deepEqual(errors, []);
  });
}

test('an MSP admin changes the ticket settings; errors are shown on the field; others see no Settings', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await signIn(page, 'admin@northwind.example');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.waitForURL(`${BASE}/settings/tickets/`);
  const types = page.getByLabel('Request types');
  await page.waitForFunction(() => document.getElementById('request_types').value.length > 0);
  await types.fill('Problem\nPrinter\nNew starter');
  await page.getByLabel('Largest attachment (MB)').fill('0');
  expectAnswer(page, 'PUT', '/api/tickets/settings', 422);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('#attachment_max_mb-error').filter({ hasText: 'Between 1 and 100 MB' }).waitFor();
  assert.equal(await page.getByLabel('Largest attachment (MB)').getAttribute('aria-invalid'), 'true');
  await page.getByLabel('Largest attachment (MB)').fill('40');
  await page.getByRole('checkbox', { name: 'Clients may set: Cancelled' }).uncheck();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.reload();
  await page.waitForFunction(() => document.getElementById('request_types').value.includes('Printer'));
  assert.equal(await page.getByLabel('Largest attachment (MB)').inputValue(), '40');
  assert.equal(await page.getByRole('checkbox', { name: 'Clients may set: Cancelled' }).isChecked(), false);
  assert.equal(await page.getByRole('checkbox', { name: 'Clients may set: Resolved' }).isChecked(), true);
  // Put "Cancelled" back: the ticket tests that follow cancel a ticket as a client.
  await page.getByRole('checkbox', { name: 'Clients may set: Cancelled' }).check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
  assert.deepEqual(errors, []);

  const tech = await newPage(browser, errors);
  await signIn(tech, 'tech@northwind.example');
  assert.equal(await tech.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).isVisible(), false);
});
