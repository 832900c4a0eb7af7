// Firefox ESR (Debian's `firefox-esr`) through puppeteer-core over WebDriver BiDi, headless.
import puppeteer from 'puppeteer-core';
import { execFileSync } from 'node:child_process';
import { pageSession } from './page.js';

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
      return pageSession(page, {
        // "Shift+Tab" as Playwright spells it: hold the modifiers, press the key.
        async press(key) {
          const keys = key.split('+');
          for (const k of keys.slice(0, -1)) await page.keyboard.down(k);
          await page.keyboard.press(keys.at(-1));
          for (const k of keys.slice(0, -1).reverse()) await page.keyboard.up(k);
        },
        upload: async (css, file) => (await page.$(css)).uploadFile(file),
        close: () => context.close(),
      });
    },
    close: () => browser.close(),
  };
}
