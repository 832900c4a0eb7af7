// What CloudFront does at the edge, run here: the site routing function of infra/template.yaml
// (CloudFront Functions are plain JavaScript), fed the events CloudFront hands it. No browser or
// stack needed; it reads the template and the built site (site/dist).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TEMPLATE = readFileSync(join(ROOT, 'infra', 'template.yaml'), 'utf8');

// The function's code: the literal block under SiteRoutingFunction's `FunctionCode: |`.
function routingCode() {
  const lines = TEMPLATE.split('\n');
  const start = lines.findIndex((l) => l === '  SiteRoutingFunction:');
  assert.ok(start >= 0, 'SiteRoutingFunction in the template');
  const code = lines.findIndex((l, i) => i > start && l.trim() === 'FunctionCode: |');
  const body = [];
  for (const line of lines.slice(code + 1)) {
    if (line.trim() !== '' && !line.startsWith('          ')) break;
    body.push(line.slice(10));
  }
  return body.join('\n');
}

const handler = new Function(`${routingCode()}\nreturn handler;`)();
const request = (uri) => ({ version: '1.0', context: { eventType: 'viewer-request' }, request: { method: 'GET', uri, headers: {} } });
const response = (uri, statusCode) => ({
  version: '1.0',
  context: { eventType: 'viewer-response' },
  request: { method: 'GET', uri, headers: {} },
  response: { statusCode, statusDescription: '', headers: { 'content-type': { value: 'text/html' } } },
});

function sitePages(dir = join(ROOT, 'site', 'dist'), prefix = '/') {
  const pages = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) pages.push(...sitePages(join(dir, entry.name), `${prefix}${entry.name}/`));
    else if (entry.name === 'index.html') pages.push(prefix);
  }
  return pages.sort();
}

test('every page of the built site is served, under both spellings of its path', () => {
  assert.ok(existsSync(join(ROOT, 'site', 'dist', 'index.html')), 'site/dist is built (cargo run -p site)');
  const pages = sitePages();
  assert.ok(pages.length >= 15, pages.join(' '));
  for (const page of pages) {
    assert.equal(handler(request(page)).uri, `${page}index.html`, page);
    if (page !== '/') assert.equal(handler(request(page.slice(0, -1))).uri, `${page}index.html`, page);
    assert.equal(handler(response(page, 200)).statusCode, 200, page);
  }
  // And the function knows no page the site does not have.
  const listed = [...routingCode().matchAll(/'(\/[^']*)': 1/g)].map((m) => m[1]).sort();
  assert.deepEqual(listed, pages, 'PAGES in infra/template.yaml differs from site/dist');
});

test('an unknown page path gets the site 404 page with status 404', () => {
  for (const uri of ['/nope/', '/tickets/12345', '/admin', '/login/extra/']) {
    assert.equal(handler(request(uri)).uri, '/404.html', uri);
    // CloudFront may hand the response function the viewer's URI or the rewritten one: both say 404.
    for (const seen of [uri, '/404.html']) {
      const out = handler(response(seen, 200));
      assert.equal(out.statusCode, 404, `${uri} as ${seen}`);
      assert.equal(out.body, undefined, 'the page itself is the body');
    }
  }
});

test('a file S3 does not have is a plain 404, not S3 XML; files it has pass untouched', () => {
  for (const status of [403, 404]) {
    const out = handler(response('/js/missing.js', status));
    assert.equal(out.statusCode, 404);
    assert.deepEqual(out.body, { encoding: 'text', data: 'Not found' });
    assert.equal(out.headers['content-type'].value, 'text/plain; charset=utf-8');
  }
  assert.equal(handler(request('/app.css')).uri, '/app.css');
  const ok = handler(response('/app.css', 200));
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.body, undefined);
});

test('the API is never routed or rewritten at the edge, and errors are never cached', () => {
  const api = TEMPLATE.slice(TEMPLATE.indexOf('- PathPattern: /api/*'));
  const behavior = api.slice(0, api.indexOf('\n\n'));
  assert.ok(!behavior.includes('FunctionAssociations'), behavior);
  assert.ok(behavior.includes('OriginRequestPolicyId: !Ref ApiOriginRequestPolicy'), behavior);
  const errors = TEMPLATE.slice(TEMPLATE.indexOf('CustomErrorResponses:'), TEMPLATE.indexOf('\n        Origins:'));
  for (const code of [400, 403, 404, 405, 500, 502, 503, 504]) {
    assert.ok(errors.includes(`{ ErrorCode: ${code}, ErrorCachingMinTTL: 0 }`), `${code} not cached`);
  }
  assert.ok(!errors.includes('ResponsePagePath'), 'no error page replaces an API answer');
});
