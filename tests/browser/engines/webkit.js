// WebKit (WebKitGTK, the engine of Safari) through WebKitWebDriver and selenium-webdriver, driving
// the MiniBrowser that Debian's WebKitGTK package ships. MiniBrowser needs a display: without one,
// it gets a virtual one (Xvfb).
import { Builder, By, Key } from 'selenium-webdriver';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { freePort } from './page.js';

const KEYS = { Tab: Key.TAB, Enter: Key.ENTER, Escape: Key.ESCAPE, Space: Key.SPACE, Shift: Key.SHIFT, Control: Key.CONTROL, ArrowDown: Key.ARROW_DOWN, ArrowUp: Key.ARROW_UP };

// WebKitWebDriver has no WebDriver BiDi, so no console or error events: the page collects its own
// uncaught errors, failed loads, CSP violations and console errors, read at each step. (An error
// thrown while a page first loads is seen through what that page then fails to show.)
function collectErrors() {
  if (!window.__portalErrors) {
    const seen = (window.__portalErrors = []);
    addEventListener('error', (e) => seen.push(e.target === window
      ? { text: `uncaught: ${e.message}`, url: e.filename }
      : { text: `failed to load ${e.target.src || e.target.href}`, url: e.target.src || e.target.href }), true);
    addEventListener('unhandledrejection', (e) => seen.push({ text: `uncaught: ${e.reason}` }));
    addEventListener('securitypolicyviolation', (e) => seen.push({ text: `CSP ${e.violatedDirective}: ${e.blockedURI}` }));
    const error = console.error;
    console.error = (...args) => { seen.push({ text: args.join(' ') }); error.apply(console, args); };
  }
  return window.__portalErrors.splice(0);
}

function miniBrowser() {
  if (process.env.MINIBROWSER) return process.env.MINIBROWSER;
  const files = execFileSync('sh', ['-c', 'dpkg -L $(dpkg -S libwebkit2gtk-4.1.so.0 | cut -d: -f1 | head -1)'], { encoding: 'utf8' });
  return files.split('\n').find((f) => f.endsWith('/MiniBrowser'));
}

// What WebKitWebDriver answers a script run on a page that is being left.
const leaving = (err) => /unload|NoSuchFrame|navigat/i.test(`${err.name} ${err.message}`);

// The virtual screen's centre, where X puts the pointer (windows are placed under it).
const CENTRE = { x: 800, y: 3000 };

// A virtual display for MiniBrowser when there is no real one: Xvfb picks a free display number
// and says it. Tall, so that a window as tall as a long page fits below the pointer.
async function display() {
  if (process.env.DISPLAY) return { name: process.env.DISPLAY, stop() {} };
  const xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', `${CENTRE.x * 2}x${CENTRE.y * 2}x24`, '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const number = await new Promise((resolve, reject) => {
    xvfb.stdout.once('data', (b) => resolve(String(b).trim()));
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code})`)));
  });
  return { name: `:${number}`, stop: () => xvfb.kill() };
}

// WebKitWebDriver on a free port; it drives one browser session at a time.
async function driverServer(env) {
  const port = await freePort();
  const server = spawn('WebKitWebDriver', [`--port=${port}`, '--host=127.0.0.1'], { stdio: 'ignore', env });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${url}/status`)).ok) return { url, stop: () => server.kill() }; } catch { /* not up yet */ }
    if (i > 100) throw new Error('WebKitWebDriver did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

// `promise`, or a rejection saying `what` once `ms` have passed without it settling.
function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(what)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// A WebKitWebDriver with its MiniBrowser session. Now and then WebKitWebDriver never answers the
// new session (MiniBrowser did not start, seen once in about ten fresh-clone runs, and the suite
// then waited forever): after 30 seconds that driver is stopped and a fresh one tried, three times
// at most.
async function started(env, capabilities) {
  for (let attempt = 1; ; attempt += 1) {
    const server = await driverServer(env);
    try {
      const driver = await within(
        new Builder().usingServer(server.url).withCapabilities(capabilities).build(),
        30_000,
        'WebKitWebDriver did not open a MiniBrowser session within 30 seconds',
      );
      return { server, driver };
    } catch (err) {
      server.stop();
      if (attempt === 3) throw err;
      console.error(`WebKit session, attempt ${attempt}: ${err.message}; trying again`);
    }
  }
}

export async function launch() {
  const screen = await display();
  // A US user's language: under the C locale (CI machines) WebKitGTK tells pages their language is
  // "C", and Intl then formats money as "$ 1006.73"; Chromium and Firefox say en-US.
  const language = /^(C|POSIX)?(\.|$)/.test(process.env.LANG || '') ? { LANG: 'en_US.UTF-8' } : {};
  const env = { ...process.env, ...language, DISPLAY: screen.name };
  const capabilities = { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: miniBrowser(), args: ['--automation'] } };
  const open = new Set();
  let version = '';
  return {
    name: 'WebKit',
    get version() { return version; },
    async newSession({ width, height }) {
      const { server, driver } = await started(env, capabilities);
      const quit = async () => { open.delete(quit); await driver.quit().catch(() => {}); server.stop(); };
      open.add(quit);
      version ||= (await driver.getCapabilities()).get('browserVersion');
      // Under Xvfb there is no window manager: the keyboard focus follows the pointer, which X
      // puts at the screen's centre, so each window is placed over it (a window without the focus
      // gets key presses, but no :focus, no focus ring).
      await driver.manage().window().setRect({ x: Math.max(0, CENTRE.x - Math.floor(width / 2)), y: CENTRE.y - 100, width, height });
      const element = (css) => driver.findElement(By.css(css));
      return {
        // A page that sends itself on at once (signed out: to sign in) may unload under the
        // collector being installed: it is installed again on the page that follows.
        async goto(to) {
          await driver.get(to);
          for (let attempt = 1; ; attempt += 1) {
            try {
              await driver.executeScript(collectErrors);
              return;
            } catch (err) {
              if (attempt === 10 || !leaving(err)) throw err;
              await new Promise((r) => setTimeout(r, 100));
            }
          }
        },
        url: () => driver.getCurrentUrl(),
        evaluate: (fn, arg) => driver.executeScript(fn, arg),
        click: async (css) => (await element(css)).click(),
        type: (text) => driver.actions().sendKeys(text).perform(),
        async press(key) {
          const keys = key.split('+').map((k) => KEYS[k] ?? k);
          let actions = driver.actions();
          for (const k of keys.slice(0, -1)) actions = actions.keyDown(k);
          actions = actions.sendKeys(keys.at(-1));
          for (const k of keys.slice(0, -1).reverse()) actions = actions.keyUp(k);
          await actions.perform();
        },
        upload: async (css, file) => (await element(css)).sendKeys(file),
        // The whole page: WebKitWebDriver shows only what the window does, so the window is made
        // as tall as the page for the screenshot, then put back.
        async screenshot(file) {
          const window = driver.manage().window();
          const rect = await window.getRect();
          const extra = await driver.executeScript('return document.documentElement.scrollHeight - innerHeight');
          if (extra > 0) await window.setRect({ width: rect.width, height: rect.height + extra });
          writeFileSync(file, await driver.takeScreenshot(), 'base64');
          if (extra > 0) await window.setRect({ width: rect.width, height: rect.height });
        },
        // A page being left answers nothing (its errors go with it); the next one collects afresh.
        errors: () => driver.executeScript(collectErrors).catch((err) => {
          if (leaving(err)) return [];
          throw err;
        }),
        close: quit,
      };
    },
    async close() {
      await Promise.allSettled([...open].map((quit) => quit()));
      screen.stop();
    },
  };
}
