// Answers before a ticket: while the summary is typed, up to three articles that may answer it
// appear under it, each opening in place. A client who opened one and then leaves without raising
// the ticket was answered by it: each opened article counts a deflection (sent as the page goes,
// with `keepalive` so the request outlives it).
import { authed } from './api.js';
import { articleHref } from './kb-common.js';

export function suggestArticles(summary, { countDeflections }) {
  const section = document.getElementById('kb-suggestions');
  const list = document.getElementById('kb-suggestion-list');
  const opened = new Set();
  let submitted = false;
  let timer;
  let asked = '';

  function item(a) {
    const details = document.createElement('details');
    details.dataset.id = a.id;
    const title = document.createElement('summary');
    title.textContent = a.title;
    const body = document.createElement('div');
    body.className = 'kb-body';
    body.textContent = a.excerpt;
    const link = Object.assign(document.createElement('a'), { href: articleHref(a.id), textContent: 'Open the article on its own page' });
    details.append(title, body, Object.assign(document.createElement('p'), {}));
    details.lastElementChild.append(link);
    details.addEventListener('toggle', async () => {
      if (!details.open || opened.has(a.id)) return;
      opened.add(a.id);
      try {
        const full = await authed(`/api/kb/articles/${encodeURIComponent(a.id)}`);
        // Rendered and cleaned by the portal when the article was saved.
        body.innerHTML = full.html;
      } catch {
        // The excerpt stays.
      }
    });
    return details;
  }

  async function ask() {
    const q = summary.value.trim();
    if (q === asked) return;
    asked = q;
    if (q.length < 3) {
      section.hidden = true;
      return;
    }
    try {
      const found = await authed(`/api/kb/suggestions?${new URLSearchParams({ q })}`);
      if (summary.value.trim() !== q) return;
      // Articles already open stay as they are; the others follow what is typed.
      const keep = [...list.querySelectorAll('details[open]')];
      list.replaceChildren(...keep);
      for (const a of found) if (!keep.some((d) => d.dataset.id === a.id)) list.append(item(a));
      section.hidden = !list.children.length;
    } catch {
      // Suggestions are a help, not a step: a failure leaves the form as it is.
    }
  }

  summary.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
  if (summary.value) ask();
  if (countDeflections) {
    addEventListener('pagehide', () => {
      if (submitted) return;
      for (const id of opened) {
        fetch(`/api/kb/articles/${encodeURIComponent(id)}/deflections`, { method: 'POST', credentials: 'same-origin', keepalive: true }).catch(() => {});
      }
      opened.clear();
    });
  }
  return { submitted: () => { submitted = true; } };
}
