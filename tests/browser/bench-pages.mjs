// Benchmark (not a test): how long each page takes from navigation to showing its data, in a
// real Chromium against a running local stack, and how many API calls it makes one after another
// before the data shows (its critical path). Prints a Markdown table; median of five loads.
//
//   PORTAL_URL=http://127.0.0.1:PORT node tests/browser/bench-pages.mjs
//
// LATENCY_MS=150 adds that much to every request and answer (Chromium's network emulation), as a
// phone network through CloudFront would: locally moto applies DynamoDB requests one at a time, so
// requests started side by side finish little sooner, while on a real network each call in a chain
// costs its round trip.
import { launch, newPage, signIn, BASE } from './harness.js';

// [who, path, what shows when the page has its data]
const PAGES = [
  ['fulladmin@acme.example', '/', '#ticket-stats:not([hidden]) #chart svg, #no-tickets-yet:not([hidden])'],
  ['fulladmin@acme.example', '/tickets/', '#tickets-table[aria-busy="false"]'],
  ['fulladmin@acme.example', '/tickets/view/?number=FIRST', '#ticket[aria-busy="false"]'],
  ['tech@northwind.example', '/tickets/', '#tickets-table[aria-busy="false"]'],
  ['tech@northwind.example', '/tickets/view/?number=FIRST', '#ticket[aria-busy="false"]'],
  ['billing@acme.example', '/invoices/', '#invoices-table[aria-busy="false"]'],
  ['billing@acme.example', '/payments/', '#payments-table[aria-busy="false"]'],
  ['billing@acme.example', '/payment-methods/', '#methods[aria-busy="false"]'],
  ['fulladmin@acme.example', '/users/', '#users-table[aria-busy="false"]'],
  ['fulladmin@acme.example', '/audit/', '#audit-table[aria-busy="false"]'],
  ['fulladmin@acme.example', '/account/', '#sessions-table[aria-busy="false"]'],
];
const RUNS = Number(process.env.RUNS || 5);

const LATENCY_MS = Number(process.env.LATENCY_MS || 0);
async function slowNetwork(page) {
  if (!LATENCY_MS) return;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: LATENCY_MS, downloadThroughput: -1, uploadThroughput: -1 });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await launch();
const rows = [];
const pages = new Map();
for (const [who, path, ready] of PAGES) {
  if (!pages.has(who)) {
    const page = await newPage(browser, []);
    await signIn(page, who);
    await slowNetwork(page);
    pages.set(who, page);
  }
  const page = pages.get(who);
  let target = path;
  if (path.includes('FIRST')) {
    const first = await page.evaluate(async () => (await (await fetch('/api/tickets')).json()).items[0]?.number);
    target = path.replace('FIRST', first);
  }
  const times = [];
  const depths = [];
  for (let i = 0; i < RUNS; i++) {
    // The API calls of this load, with when each started and ended.
    const calls = [];
    const started = new Map();
    const onRequest = (req) => { if (new URL(req.url()).pathname.startsWith('/api/')) started.set(req, performance.now()); };
    const onDone = (req) => { if (started.has(req)) calls.push([started.get(req), performance.now()]); };
    page.on('request', onRequest);
    page.on('requestfinished', onDone);
    const t0 = performance.now();
    await page.goto(`${BASE}${target}`);
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
    const t1 = performance.now();
    page.off('request', onRequest);
    page.off('requestfinished', onDone);
    times.push(t1 - t0);
    // Critical path: the longest chain of calls each starting after the one before it ended.
    calls.sort((a, b) => a[0] - b[0]);
    const chain = calls.map(() => 1);
    calls.forEach(([s], i) => { for (let j = 0; j < i; j++) if (calls[j][1] <= s) chain[i] = Math.max(chain[i], chain[j] + 1); });
    depths.push(Math.max(0, ...chain.filter((_, i) => calls[i][1] <= t1)));
  }
  rows.push(`| ${path} | ${who.split('@')[0]} | ${Math.round(median(times))} ms | ${median(depths)} |`);
}
// Raising a ticket with two attachments: from the click to the ticket's page.
const raising = [];
const uma = await newPage(browser, []);
await signIn(uma, 'user@acme.example');
await slowNetwork(uma);
for (let i = 0; i < RUNS; i++) {
  await uma.goto(`${BASE}/tickets/new/`);
  await uma.locator('#ticket-form[aria-busy="false"]').waitFor();
  await uma.getByLabel('Summary').fill(`Bench ${i}`);
  await uma.getByLabel('Description').fill('Two files attached.');
  await uma.locator('#files').setInputFiles([
    { name: 'one.txt', mimeType: 'text/plain', buffer: Buffer.alloc(200_000, 'a') },
    { name: 'two.txt', mimeType: 'text/plain', buffer: Buffer.alloc(200_000, 'b') },
  ]);
  const t0 = performance.now();
  await Promise.all([uma.waitForURL(/\/tickets\/view\//), uma.getByRole('button', { name: /Submit|Raise/ }).click()]);
  await uma.locator('#ticket[aria-busy="false"]').waitFor();
  raising.push(performance.now() - t0);
}
rows.push(`| raise a ticket with two 200 KB files (click to its page) | user | ${Math.round(median(raising))} ms | |`);
await browser.close();
if (LATENCY_MS) console.log(`With ${LATENCY_MS} ms added to each request (LATENCY_MS):\n`);
console.log(`| page | as | to data (median of ${RUNS}) | API calls in sequence |`);
console.log('|---|---|---|---|');
for (const row of rows) console.log(row);
