// Chromium (Debian's) through playwright-core: the engine of Chrome and Edge.
import { launch as launchChromium } from '../harness.js';

export async function launch() {
  const browser = await launchChromium();
  return {
    name: 'Chromium',
    version: browser.version(),
    async newSession({ width, height }) {
      const context = await browser.newContext({ viewport: { width, height }, reducedMotion: 'reduce' });
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push({ text: m.text(), url: m.location()?.url }); });
      page.on('pageerror', (e) => errors.push({ text: `uncaught: ${e}` }));
      return {
        goto: (url) => page.goto(url),
        url: async () => page.url(),
        evaluate: (fn, arg) => page.evaluate(fn, arg),
        click: (css) => page.click(css),
        type: (text) => page.keyboard.type(text),
        press: (key) => page.keyboard.press(key),
        upload: (css, file) => page.setInputFiles(css, file),
        screenshot: (file) => page.screenshot({ path: file }),
        errors: async () => errors.splice(0),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}
