// The knowledge base: categories, a search, and the articles of one category or all (MSP staff
// also see drafts and internal articles, with what readers did with each).
import { authed } from './api.js';
import { startEarly } from './shell.js';
import { articleItem } from './kb-common.js';

const params = new URLSearchParams(location.search);
const category = params.get('category') || '';
const q = (params.get('q') || '').trim();
const list = document.getElementById('articles');
const more = document.getElementById('articles-more');
const error = document.getElementById('kb-error');
const template = document.getElementById('article-item');
const heading = document.getElementById('results-heading');

function listUrl() {
  const query = new URLSearchParams();
  if (q) query.set('q', q);
  else if (category) query.set('category', category);
  return `/api/kb/articles${query.size ? `?${query}` : ''}`;
}

startEarly(() => ['/api/kb/categories', listUrl()]);

async function showCategories() {
  const ul = document.getElementById('categories');
  const all = ul.querySelector('a');
  if (category || q) all.removeAttribute('aria-current');
  for (const c of await authed('/api/kb/categories')) {
    const a = Object.assign(document.createElement('a'), {
      href: `/kb/?category=${encodeURIComponent(c.name)}`,
      textContent: `${c.name} (${c.articles})`,
    });
    if (!q && c.name.toLowerCase() === category.toLowerCase()) a.setAttribute('aria-current', 'page');
    const li = document.createElement('li');
    li.append(a);
    ul.append(li);
  }
}

let cursor = null;
async function load() {
  list.setAttribute('aria-busy', 'true');
  more.hidden = true;
  try {
    const url = listUrl();
    const page = await authed(cursor ? `${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}` : url);
    for (const a of page.items) list.append(articleItem(template, a));
    if (!list.children.length) {
      const li = document.createElement('li');
      li.textContent = q ? 'No article matches every word. Try fewer or shorter words, or raise a ticket.' : 'No articles here yet.';
      list.append(li);
    }
    cursor = page.next_cursor;
    more.hidden = !cursor;
    if (q) heading.textContent = `${list.querySelectorAll('h3').length} ${list.querySelectorAll('h3').length === 1 ? 'article matches' : 'articles match'} “${q}”`;
  } catch (err) {
    error.textContent = err.message;
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

document.getElementById('kb-q').value = q;
if (!q && category) heading.textContent = category;
more.addEventListener('click', load);
showCategories().catch((err) => { error.textContent = err.message; });
load();
