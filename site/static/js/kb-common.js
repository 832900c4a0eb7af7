// What the knowledge base's pages share: an article's address, and an article as a list item
// (from the page's #article-item template), with the MSP's view of its state and counts.
import { dayOf } from './dates.js';
import { labels } from './labels.js';

const STATUS = labels('article_status');
const AUDIENCE = labels('article_visibility');

export const articleHref = (id) => `/kb/article/?id=${encodeURIComponent(id)}`;

function counts(stats) {
  const votes = `${stats.helpful} found it helpful, ${stats.unhelpful} not`;
  return `${votes} · ${stats.deflections} ${stats.deflections === 1 ? 'deflection' : 'deflections'}${stats.pinned ? ' · Pinned' : ''}`;
}

export function articleItem(template, a) {
  const item = template.content.cloneNode(true);
  const part = (name) => item.querySelector(`[data-s="${name}"]`);
  part('title').textContent = a.title;
  part('title').href = articleHref(a.id);
  part('category').textContent = a.category;
  part('updated').textContent = dayOf(a.updated_at);
  part('excerpt').textContent = a.excerpt;
  if (a.stats) {
    part('staff').hidden = false;
    part('status').textContent = STATUS[a.status] ?? a.status;
    part('audience').textContent = AUDIENCE[a.visibility] ?? a.visibility;
    part('counts').textContent = counts(a.stats);
  }
  return item;
}

export { counts, STATUS, AUDIENCE };
