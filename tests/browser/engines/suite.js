// The daily paths (paths.js) in Chromium, Firefox and WebKit: one description, run through each
// engine's adapter. `ENGINES=firefox,webkit` picks engines (default: all three). Screenshots of each
// page in each engine go to .local/screenshots/<engine>/, to compare by eye.
import { describe, before, after, test } from 'node:test';
import * as chromium from './chromium.js';
import * as firefox from './firefox.js';
import * as webkit from './webkit.js';
import { Run } from './page.js';
import { paths } from './paths.js';

const ADAPTERS = { chromium, firefox, webkit };
const chosen = (process.env.ENGINES || 'chromium,firefox,webkit').split(',').map((e) => e.trim()).filter(Boolean);

for (const key of chosen) {
  if (!ADAPTERS[key]) throw new Error(`ENGINES: no engine "${key}" (chromium, firefox, webkit)`);
  describe(key, () => {
    let engine;
    before(async () => {
      engine = await ADAPTERS[key].launch();
    });
    after(async () => { await engine?.close(); });
    for (const [name, path] of Object.entries(paths)) {
      // A path takes well under a minute; one that hangs fails after five, not at CI's limit.
      test(name, { timeout: 300_000 }, async (t) => {
        const run = await Run.start(engine);
        try {
          await path(run);
          await run.finish();
          t.diagnostic(`${engine.name} ${engine.version}`);
          for (const note of run.notes) t.diagnostic(note);
        } catch (err) {
          if (err && typeof err === 'object') err.message = `[${engine.name} ${engine.version}] ${err.message}\n${await run.describe()}`;
          throw err;
        } finally {
          await run.close();
        }
      });
    }
  });
}
