// What the cross-engine paths are written against, the same in every engine: a `Run` (one test:
// its pages, the API answers it expects, its screenshots) and a `Page` (find by label, role and
// name as a user does; click, type, press keys, wait). Each engine's adapter (chromium.js,
// firefox.js, webkit.js) gives only the primitives: open a URL, run a function in the page, click
// an element, type and press keys, choose a file, take a screenshot, report console errors.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BASE, PASSWORD } from '../harness.js';

export { BASE, PASSWORD };
const SHOTS = process.env.SCREENSHOTS || new URL('../../../.local/screenshots/', import.meta.url).pathname;

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

// An adapter's session over a Playwright or a Puppeteer page, whose APIs agree on these; `own`
// gives what differs (choosing a file, key chords) and `close`.
export function pageSession(page, own) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push({ text: m.text(), url: m.location()?.url }); });
  page.on('pageerror', (e) => errors.push({ text: `uncaught: ${e.message ?? e}` }));
  return {
    goto: (url) => page.goto(url),
    url: async () => page.url(),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    click: (css) => page.click(css),
    type: (text) => page.keyboard.type(text),
    press: (key) => page.keyboard.press(key),
    screenshot: (file) => page.screenshot({ path: file, fullPage: true }),
    errors: async () => errors.splice(0),
    ...own,
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A name to match: a string (the whole accessible name, spaces collapsed) or a RegExp.
const matcher = (name) => (name instanceof RegExp ? { re: name.source, flags: name.flags } : name);

// Runs in the page: the first visible element that `spec` describes, marked so the adapter can act
// on it with a CSS selector; null if there is none (yet).
function locate(spec) {
  const { css, label, role, name, within, n } = spec;
  const scope = within ? document.querySelector(within) : document;
  if (!scope) return null;
  const squash = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const matches = (text) => (typeof name === 'object' && name
    ? new RegExp(name.re, name.flags).test(squash(text))
    : name === undefined || squash(text) === name);
  const byIds = (ids) => ids.split(/\s+/).map((id) => document.getElementById(id)?.textContent).join(' ');
  const labelOf = (e) => e.getAttribute('aria-label')
    || (e.getAttribute('aria-labelledby') && byIds(e.getAttribute('aria-labelledby')))
    || [...(e.labels || [])].map((l) => l.textContent).join(' ')
    || (e.matches('fieldset') && e.querySelector(':scope > legend')?.textContent);
  const ROLES = {
    button: 'button, [role=button], input[type=submit], input[type=button], summary',
    link: 'a[href]:not([role=button])',
    dialog: 'dialog[open], [role=dialog]',
    heading: 'h1, h2, h3, h4',
    radio: 'input[type=radio]',
    checkbox: 'input[type=checkbox]',
    cell: 'td, th',
    status: '[role=status], [role=alert]',
    group: 'fieldset, [role=group]',
  };
  let found;
  if (css) found = [...scope.querySelectorAll(css)].filter((e) => matches(e.textContent));
  else if (label) found = [...scope.querySelectorAll('input, select, textarea')].filter((e) => matches(labelOf(e)));
  else {
    found = [...scope.querySelectorAll(ROLES[role])].filter((e) => {
      const own = ['radio', 'checkbox'].includes(role) || e.matches('input') ? labelOf(e) || e.value : labelOf(e) || e.textContent;
      return matches(own);
    });
  }
  const el = found.filter((e) => e.checkVisibility())[n || 0];
  if (!el) return null;
  if (!el.dataset.e2e) el.dataset.e2e = String((window.__e2e = (window.__e2e || 0) + 1));
  return `[data-e2e="${el.dataset.e2e}"]`;
}

export class Page {
  constructor(run, session, name) {
    this.run = run;
    this.s = session;
    this.name = name;
  }

  // Poll `fn` in the page until it returns something truthy; that value.
  async until(fn, arg, { timeout = 20_000, what = String(fn) } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      const value = await this.s.evaluate(fn, arg).catch((err) => {
        // A page navigating away answers nothing for a moment: ask again.
        if (/navigat|context|destroyed|detached|stale|no such (frame|window)|unload/i.test(String(err))) return null;
        throw err;
      });
      if (value) return value;
      if (Date.now() > end) throw new Error(`${this.name}: timed out waiting for ${what} at ${await this.s.url()}`);
      await sleep(100);
    }
  }

  find(spec, options) {
    // A label is matched as the control's accessible name.
    const arg = { ...spec, label: spec.label !== undefined, name: matcher(spec.label ?? spec.name) };
    return this.until(locate, arg, { what: JSON.stringify(spec), ...options });
  }

  async goto(path) {
    await this.s.goto(path.startsWith('http') ? path : BASE + path);
  }

  url() { return this.s.url(); }

  async waitUrl(re, options) {
    const end = Date.now() + (options?.timeout ?? 20_000);
    while (!re.test(await this.s.url())) {
      if (Date.now() > end) throw new Error(`${this.name}: still at ${await this.s.url()}, not ${re}`);
      await sleep(100);
    }
  }

  async click(spec) {
    await this.s.click(await this.find(spec));
    await this.run.noErrors(this);
  }

  // Put the focus in the field, empty it, and type as a user does.
  async fill(spec, text) {
    const css = await this.find(spec);
    await this.s.evaluate((sel) => { const e = document.querySelector(sel); e.focus(); e.select?.(); e.value = ''; }, css);
    await this.s.type(text);
    await this.run.noErrors(this);
  }

  // A choice from a <select>, or a date from a date field's picker: the value set and the events
  // a pick fires.
  async pick(spec, value) {
    const css = await this.find(spec);
    await this.s.evaluate(([sel, v]) => {
      const e = document.querySelector(sel);
      e.value = v;
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
    }, [css, value]);
  }

  async check(spec) {
    const css = await this.find(spec);
    if (!(await this.s.evaluate((sel) => document.querySelector(sel).checked, css))) await this.s.click(css);
  }

  async upload(spec, file) { await this.s.upload(await this.find(spec), file); }

  async press(...keys) { for (const key of keys) await this.s.press(key); }

  type(text) { return this.s.type(text); }

  // Tab (or Shift+Tab) until `spec` has the focus, as a keyboard user reaches it: at most `max` presses.
  async tabTo(spec, { back = false, max = 40 } = {}) {
    const css = await this.find(spec);
    for (let i = 0; i < max; i++) {
      if (await this.s.evaluate((sel) => document.activeElement === document.querySelector(sel), css)) return;
      await this.s.press(back ? 'Shift+Tab' : 'Tab');
    }
    throw new Error(`${this.name}: ${JSON.stringify(spec)} never had the focus after ${max} presses of Tab`);
  }

  // What has the focus: its tag, id and accessible text.
  focused() {
    return this.s.evaluate(() => {
      const e = document.activeElement;
      return { tag: e.tagName.toLowerCase(), id: e.id, text: (e.getAttribute('aria-label') || e.textContent || '').replace(/\s+/g, ' ').trim() };
    });
  }

  // The text of the first visible element `spec` finds (waiting for it).
  async text(spec) {
    const css = await this.find(spec);
    return this.s.evaluate((sel) => document.querySelector(sel).textContent.replace(/\s+/g, ' ').trim(), css);
  }

  // Wait until the element of `css` (any, visible or not) has text matching `re`.
  waitText(css, re, options) {
    return this.until(([sel, source, flags]) => {
      const e = document.querySelector(sel);
      return e && new RegExp(source, flags).test(e.textContent.replace(/\s+/g, ' ').trim()) ? e.textContent : null;
    }, [css, re.source, re.flags], { what: `${css} to read ${re}`, ...options });
  }

  evaluate(fn, arg) { return this.s.evaluate(fn, arg); }

  // A same-origin API call from the page, with its session: how a path sets up what it needs.
  api(method, path, body) {
    return this.s.evaluate(async ([m, p, b]) => {
      const response = await fetch(p, {
        method: m, headers: b ? { 'content-type': 'application/json' } : {}, body: b ? JSON.stringify(b) : undefined,
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    }, [method, path, body ?? null]);
  }

  async shot(name) {
    const dir = join(SHOTS, this.run.engine.name.toLowerCase());
    mkdirSync(dir, { recursive: true });
    // What the DOM says, painted: WebKit's screenshot is of the last frame drawn, which under a
    // virtual display can be behind.
    await this.s.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))));
    await this.s.screenshot(join(dir, `${name}.png`));
  }

  async signIn(email) {
    await this.goto('/login/');
    await this.fill({ label: 'Email' }, email);
    await this.fill({ label: 'Password' }, PASSWORD);
    await this.press('Enter');
    await this.waitUrl(new RegExp(`^${BASE}/$`));
    await this.until(() => document.getElementById('greeting')?.textContent.startsWith('Welcome,'), null, { what: 'the greeting' });
  }
}

// One test in one engine: the pages it opened and the API answers it expects. Every API or file
// answer of 400 and above that the test did not declare, and every console error, fails it: the
// answers are read from the dev proxy, the same way in every engine.
export class Run {
  static async start(engine) {
    const run = new Run(engine);
    run.mark = (await (await fetch(`${BASE}/dev/calls.json?after=${Number.MAX_SAFE_INTEGER}`)).json()).last;
    return run;
  }

  constructor(engine) {
    this.engine = engine;
    this.pages = [];
    this.expected = [['GET', /^\/api\//, 401]];
    this.judged = new Set();
    this.notes = [];
  }

  async page(name, { width = 1280, height = 900 } = {}) {
    const page = new Page(this, await this.engine.newSession({ width, height }), name);
    this.pages.push(page);
    return page;
  }

  expect(method, path, status) { this.expected.push([method, path, status]); }

  // Something this engine could not be made to do, said in the test's output.
  note(text) { this.notes.push(text); }

  async noErrors(page) {
    const errors = (await page.s.errors()).filter(({ text, url }) =>
      // An API's error answer is logged by the browser too; the proxy's record judges it.
      !(/status of [45]\d\d/.test(text) && /\/api\//.test(url || '')));
    if (errors.length) throw new Error(`${page.name} logged: ${errors.map((e) => `${e.text} (${e.url || 'no address'})`).join(' | ')}`);
  }

  async checkAnswers() {
    const { calls } = await (await fetch(`${BASE}/dev/calls.json?after=${this.mark}`)).json();
    const bad = calls.filter((c) => !this.judged.has(c.id)).filter((c) => {
      this.judged.add(c.id);
      const status = typeof c.status === 'number' ? c.status : 600;
      return status >= 400 && !this.expected.some(([m, path, s]) => m === c.method && s === status
        && (path instanceof RegExp ? path.test(c.path) : c.path.split('?')[0] === path));
    });
    if (bad.length) throw new Error(`unexpected answers: ${bad.map((c) => `${c.method} ${c.path} → ${c.status}`).join(' | ')}`);
  }

  async finish() {
    for (const page of this.pages) await this.noErrors(page);
    await this.checkAnswers();
  }

  // What a failure report adds: where each page is, and the last API answers.
  async describe() {
    const lines = [];
    for (const page of this.pages) {
      const at = await page.s.url().catch(() => 'closed');
      const says = await page.s.evaluate(() => [...document.querySelectorAll('[role=status], [role=alert], .field-error')]
        .map((e) => e.textContent.trim()).filter(Boolean).join(' / ')).catch(() => '');
      lines.push(`${page.name}: ${at} says "${says}"`);
    }
    const { calls } = await (await fetch(`${BASE}/dev/calls.json?after=${this.mark}`)).json().catch(() => ({ calls: [] }));
    lines.push(`api: ${calls.slice(-8).map((c) => `${c.method} ${c.path} → ${c.status}`).join(' | ')}`);
    return lines.join('\n');
  }

  async close() {
    await Promise.allSettled(this.pages.map((p) => p.s.close()));
  }
}
