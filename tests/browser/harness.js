// Shared by the browser tests: Debian's Chromium through playwright-core, the portal's URL, sign-in,
// axe-core scans, and `test`, which adds what each page last asked the API to any failure.
import { test as nodeTest } from 'node:test';
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export const BASE = process.env.PORTAL_URL || 'http://127.0.0.1:8080';
export const PASSWORD = process.env.PORTAL_DEMO_PASSWORD || 'portal-demo';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Debian's headless Chromium (the same Blink and V8 as its `chromium`, without the windowed
// browser around them: what playwright itself runs headless tests in, with a fifth less CPU here).
// CHROMIUM=/usr/bin/chromium runs the full browser instead. playwright-core gives every launch a
// fresh, empty user data directory of its own.
export async function launch() {
  const home = mkdtempSync(join(tmpdir(), 'portal-chromium-'));
  process.env.XDG_CONFIG_HOME = home;
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium-headless-shell',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}

// The pages the running test opened, each with its API trail and console: what a failure report shows.
let openPages = [];

// node:test's `test`, whose failures also say, for each page the test opened (the latest first),
// where it is, what its status lines read, its console errors and its last API requests (method,
// path, status, time; "pending" if unanswered), then what the local stack says: the API calls the dev
// proxy has answered or still waits on, and the functions' last log lines. CI shows only the first
// lines of a failure, so the report is terse and the likeliest culprit comes first.
export function test(name, fn) {
  return nodeTest(name, async (t) => {
    openPages = [];
    try {
      await fn(t);
    } catch (err) {
      const report = [...(await Promise.all(openPages.map(describePage))).reverse(), await describeStack()];
      if (err && typeof err === 'object') err.message = `${err.message}\n${report.join('\n')}`;
      throw err;
    }
  });
}

async function describePage({ page, trail, consoleLines }, index) {
  const now = Date.now();
  const status = page.isClosed()
    ? []
    : await page
      .locator('[role=status], [role=alert], .field-error')
      .evaluateAll((els) => els.filter((e) => e.checkVisibility()).map((e) => e.textContent.trim()).filter(Boolean))
      .catch(() => []);
  const calls = trail.slice(-6).map((c) => `${c.method} ${c.path} → ${c.status ?? 'pending'} ${(c.end ?? now) - c.start} ms`);
  return [
    `page ${index + 1}: ${page.isClosed() ? 'closed' : page.url()} says ${JSON.stringify(status)}`,
    `  api: ${calls.join(' | ')}`,
    ...(consoleLines.length ? [`  console: ${consoleLines.slice(-3).join(' | ')}`] : []),
  ].join('\n');
}

async function describeStack() {
  try {
    const response = await fetch(`${BASE}/dev/diagnostics.json`, { signal: AbortSignal.timeout(5000) });
    const { calls, instances, functions_log: log } = await response.json();
    return [
      `stack: proxy ${calls.slice(-6).map((c) => `${c.method} ${c.path} → ${c.status} ${c.seconds} s`).join(' | ')}`,
      `  function instances started: ${instances}; functions log:`,
      ...log.slice(-5).map((line) => `  ${line.replace(/^.*?:request\{/, '{').slice(0, 200)}`),
    ].join('\n');
  } catch (err) {
    return `stack: no diagnostics (${err.message})`;
  }
}

// The API error answers (4xx, 5xx) a page may get without failing its test: `[method, path, status]`
// with the path a string (exact, query ignored) or a RegExp (against path and query). Every page
// may be told it is not signed in; anything else a test expects it says with `expectAnswer`.
// A page whose session has ended gets 401 for whatever it reads (its `/api/me` and the requests it
// starts beside it, js/shell.js `startEarly`), and goes to sign in.
const ALWAYS_EXPECTED = [['GET', /^\/api\//, 401]];
const expected = new WeakMap();

// Declare that `page` may get `status` from `method path` (the test checks what the page shows).
export function expectAnswer(page, method, path, status) {
  expected.get(page).push([method, path, status]);
}

function isExpected(page, method, url, status) {
  return [...ALWAYS_EXPECTED, ...expected.get(page)].some(
    ([m, path, s]) => m === method && s === status
      && (path instanceof RegExp ? path.test(url.pathname + url.search) : path === url.pathname),
  );
}

// A fresh context (no cookies, no storage) whose page fails the test on any console error, such as
// a Content-Security-Policy violation or an uncaught exception, and on any API error answer the
// test did not declare with `expectAnswer`.
export async function newPage(browser, errors, contextOptions = {}) {
  // Reduced motion: Pico then skips its transitions, so what a test reads is never mid-animation.
  const context = await browser.newContext({ reducedMotion: 'reduce', ...contextOptions });
  const page = await context.newPage();
  expected.set(page, []);
  const trail = [];
  const consoleLines = [];
  const calls = new Map();
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (!url.pathname.startsWith('/api/')) return;
    const call = { method: req.method(), path: url.pathname + url.search, start: Date.now() };
    calls.set(req, call);
    trail.push(call);
  });
  const finish = (req, status) => {
    const call = calls.get(req);
    if (!call) return;
    calls.delete(req);
    call.end = Date.now();
    call.status = status;
  };
  page.on('requestfinished', async (req) => finish(req, (await req.response().catch(() => null))?.status() ?? 'answered'));
  page.on('response', (res) => {
    const url = new URL(res.url());
    const method = res.request().method();
    if (url.pathname.startsWith('/api/') && res.status() >= 400 && !isExpected(page, method, url, res.status())) {
      errors.push(`unexpected ${res.status()} from ${method} ${url.pathname}${url.search}`);
    }
  });
  page.on('requestfailed', (req) => finish(req, `failed (${req.failure()?.errorText})`));
  openPages.push({ page, trail, consoleLines });
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') consoleLines.push(`${msg.type()}: ${msg.text().slice(0, 160)}`);
    // The browser logs every error answer as a console error too; the API's are judged above
    // (expected or not), any other (a missing script, style or image) is a real error.
    const api = new URL(msg.location()?.url || BASE, BASE).pathname.startsWith('/api/');
    const answered = /the server responded with a status of [45]\d\d/.test(msg.text());
    if (msg.type() === 'error' && !(api && answered)) errors.push(`${msg.text()} (${msg.location()?.url || 'no address'})`);
  });
  page.on('pageerror', (err) => {
    consoleLines.push(`uncaught: ${String(err).slice(0, 160)}`);
    errors.push(String(err));
  });
  return page;
}

// Wait until `page` has loaded and its API requests have all been answered, with none started for
// 150 ms: the page as its user reads it. (Playwright's 'networkidle' waits for 500 ms without any
// request, after every page visit.)
// A page in `theme` (light or dark: the system setting and the portal's own choice), on the
// sign-in page.
export async function themedPage(browser, errors, theme, contextOptions = {}) {
  const page = await newPage(browser, errors, contextOptions);
  await page.emulateMedia({ colorScheme: theme });
  await page.goto(`${BASE}/login/`);
  await page.evaluate((t) => localStorage.setItem('portal-theme', t), theme);
  return page;
}

export async function settled(page, { timeout = 30_000 } = {}) {
  await page.waitForLoadState('load');
  const { trail } = openPages.find((open) => open.page === page);
  const since = Date.now();
  for (;;) {
    const pending = trail.some((call) => call.end === undefined);
    const last = Math.max(since, ...trail.map((call) => call.end ?? call.start));
    if (!pending && Date.now() - last >= 150) return;
    if (Date.now() - since > timeout) {
      throw new Error(`${page.url()} still waits on ${trail.filter((c) => c.end === undefined).map((c) => `${c.method} ${c.path}`).join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The link to `path` in the newest mail to `email` with `subject`, from the local mailbox.
export async function mailedLink(page, email, subject, path) {
  await page.goto(`${BASE}/dev/mailbox`);
  const mail = page.locator('article').filter({ hasText: email }).filter({ has: page.getByRole('heading', { name: subject }) }).first();
  return mail.getByRole('link', { name: new RegExp(path) }).getAttribute('href');
}

export async function signIn(page, email, { remember = false } = {}) {
  await page.goto(`${BASE}/login/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  if (remember) await page.getByLabel(/Keep me signed in/).check();
  await Promise.all([page.waitForURL(`${BASE}/`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  await page.waitForFunction(() => document.getElementById('greeting')?.textContent.startsWith('Welcome,'));
}

// axe-core violations of impact serious or critical on the current page, as readable lines.
export async function seriousViolations(page) {
  // Evaluated through the DevTools protocol, which the page's CSP (rightly) does not let a <script> do.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE_SOURCE);
  // Scan a settled page: a colour mid-transition (a menu fading in) is not what the user reads.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
