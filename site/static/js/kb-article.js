// An article: its text (rendered and cleaned by the portal when it was saved), "Was this
// helpful?" (one answer per user, which they may change), and "Still need help? Raise a ticket"
// with the article's title. MSP staff also edit, publish or unpublish, pin, and read earlier
// versions (`?revision=n` shows one).
import { ApiProblem, authed } from './api.js';
import { me, startEarly } from './shell.js';
import { when } from './dates.js';
import { whileBusy } from './forms.js';
import { AUDIENCE, STATUS, articleHref, counts } from './kb-common.js';

const params = new URLSearchParams(location.search);
const id = params.get('id') || '';
const revision = params.get('revision');
const path = `/api/kb/articles/${encodeURIComponent(id)}`;
const error = document.getElementById('article-error');
const $ = (name) => document.getElementById(name);

startEarly(() => [id && path]);

function showText(title, category, html, meta) {
  document.title = `${title} · ${document.title.split(' · ').pop()}`;
  $('article-title').textContent = title;
  $('article-category').textContent = category;
  $('article-category').href = `/kb/?category=${encodeURIComponent(category)}`;
  $('article-meta').textContent = meta;
  // The HTML was rendered from the author's Markdown and cleaned by the portal's sanitiser
  // on save (no script, handler, style or foreign image survives it; the CSP stands behind).
  $('article-body').innerHTML = html;
}

function showVote(mine) {
  $('vote-yes').setAttribute('aria-pressed', String(mine === true));
  $('vote-no').setAttribute('aria-pressed', String(mine === false));
}

async function vote(helpful, button) {
  $('vote-status').textContent = '';
  await whileBusy(button, async () => {
    try {
      await authed(`${path}/vote`, { method: 'PUT', body: { helpful } });
      showVote(helpful);
      $('vote-status').textContent = helpful ? 'Thank you: glad it helped.' : 'Thank you. Raise a ticket below and we will help.';
    } catch (err) {
      $('vote-status').textContent = err.message;
    }
  });
}

function staffTools(a) {
  const s = a.staff;
  $('article-state').textContent = `${STATUS[a.status]} · ${AUDIENCE[a.visibility]} · revision ${s.revision}, saved by ${s.updated_by}`;
  $('article-stats').textContent = counts(s.stats);
  $('edit-article').href = `/kb/edit/?id=${encodeURIComponent(a.id)}`;
  const publish = $('publish-article');
  publish.textContent = a.status === 'published' ? 'Unpublish' : 'Publish';
  publish.onclick = () => whileBusy(publish, async () => {
    try {
      const next = a.status === 'published' ? 'draft' : 'published';
      await authed(`${path}/status`, { method: 'PUT', body: { status: next, version: s.version } });
      await show();
      $('staff-status').textContent = next === 'published' ? 'Published: its readers see it now.' : 'Unpublished: only MSP staff see it now.';
    } catch (err) {
      $('staff-status').textContent = err.status === 409 ? 'Someone changed it meanwhile: reload the page.' : err.message;
    }
  });
  const pin = $('pin-article');
  pin.textContent = s.stats.pinned ? 'Unpin from home pages' : 'Pin to home pages';
  pin.onclick = () => whileBusy(pin, async () => {
    try {
      await authed(`${path}/pin`, { method: 'PUT', body: { pinned: !s.stats.pinned } });
      await show();
      $('staff-status').textContent = s.stats.pinned ? 'Unpinned.' : 'Pinned: first on clients’ home pages.';
    } catch (err) {
      $('staff-status').textContent = err.message;
    }
  });
  $('revisions').ontoggle = () => { if (!$('revision-list').children.length) showRevisions().catch((err) => { $('staff-status').textContent = err.message; }); };
}

async function showRevisions() {
  const list = $('revision-list');
  for (const r of await authed(`${path}/revisions`)) {
    const a = Object.assign(document.createElement('a'), {
      href: `${articleHref(id)}&revision=${r.revision}`,
      textContent: `Revision ${r.revision}: “${r.title}”, ${when(r.saved_at)} by ${r.saved_by}`,
    });
    const li = document.createElement('li');
    li.append(a);
    list.append(li);
  }
}

async function show() {
  const a = await authed(path);
  if (!revision) showText(a.title, a.category, a.html, `Updated ${when(a.updated_at)}`);
  showVote(a.my_vote);
  $('helpful').hidden = Boolean(revision);
  $('raise-ticket').href = `/tickets/new/?${new URLSearchParams({ summary: a.title })}`;
  if (a.staff) staffTools(a);
  return a;
}

async function showRevision() {
  const r = await authed(`${path}/revisions/${encodeURIComponent(revision)}`);
  showText(r.title, r.category, r.html, `Saved ${when(r.saved_at)} by ${r.saved_by}`);
  $('revision-text').textContent = `You are reading revision ${r.revision}, not necessarily the current text.`;
  $('revision-back').href = articleHref(id);
  $('revision-note').hidden = false;
}

me.then(async () => {
  try {
    if (!id) throw new ApiProblem(404, { title: 'No such article.' });
    await show();
    if (revision) await showRevision();
    $('vote-yes').addEventListener('click', (e) => vote(true, e.currentTarget));
    $('vote-no').addEventListener('click', (e) => vote(false, e.currentTarget));
  } catch (err) {
    error.textContent = err.status === 404 ? 'This article does not exist, or is not shown to you.' : err.message;
    $('article').hidden = true;
  } finally {
    $('article').setAttribute('aria-busy', 'false');
  }
});
