// Firefox ESR (Debian's `firefox-esr`) through puppeteer-core over WebDriver BiDi, headless.
import puppeteer from 'puppeteer-core';
import { execFileSync } from 'node:child_process';

export async function launch() {
  const executablePath = process.env.FIREFOX || execFileSync('sh', ['-c', 'command -v firefox-esr || command -v firefox'], { encoding: 'utf8' }).trim();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    // What Playwright's `reducedMotion` does for Chromium: Pico skips its transitions.
    extraPrefsFirefox: { 'ui.prefersReducedMotion': 1 },
  });
  return {
    name: 'Firefox',
    version: (await browser.version()).replace(/^firefox\//i, ''),
    async newSession({ width, height }) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport({ width, height });
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push({ text: m.text(), url: m.location()?.url }); });
      page.on('pageerror', (e) => errors.push({ text: `uncaught: ${e.message ?? e}` }));
      return {
        goto: (url) => page.goto(url),
        url: async () => page.url(),
        evaluate: (fn, arg) => page.evaluate(fn, arg),
        click: (css) => page.click(css),
        type: (text) => page.keyboard.type(text),
        // "Shift+Tab" as Playwright spells it: hold the modifiers, press the key.
        async press(key) {
          const keys = key.split('+');
          for (const k of keys.slice(0, -1)) await page.keyboard.down(k);
          await page.keyboard.press(keys.at(-1));
          for (const k of keys.slice(0, -1).reverse()) await page.keyboard.up(k);
        },
        upload: async (css, file) => (await page.$(css)).uploadFile(file),
        screenshot: (file) => page.screenshot({ path: file }),
        errors: async () => errors.splice(0),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}
