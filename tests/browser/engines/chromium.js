// Chromium (Debian's) through playwright-core: the engine of Chrome and Edge.
import { launch as launchChromium } from '../harness.js';
import { pageSession } from './page.js';

export async function launch() {
  const browser = await launchChromium();
  return {
    name: 'Chromium',
    version: browser.version(),
    async newSession({ width, height }) {
      const context = await browser.newContext({ viewport: { width, height }, reducedMotion: 'reduce' });
      const page = await context.newPage();
      return pageSession(page, {
        upload: (css, file) => page.setInputFiles(css, file),
        close: () => context.close(),
      });
    },
    close: () => browser.close(),
  };
}
