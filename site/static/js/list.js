// A paginated table (the site's ListTable component) filled from an API list
// ({ items, next_cursor }) through its <template> row.
import { authed } from './api.js';

// `decorate(row, item)` may add to each row (buttons) before it is shown; `loaded(page)` sees each
// page's whole answer; `empty` is what an empty list says. The promise it answers has `reload(newUrl)`, which starts the list again
// from its first page.
export function paginatedTable({ id, url, cells, decorate, loaded, empty = 'Nothing here yet.' }) {
  const table = document.getElementById(`${id}-table`);
  const template = document.getElementById(`${id}-row`);
  const more = document.getElementById(`${id}-more`);
  const error = document.getElementById(`${id}-error`);
  const body = table.tBodies[0];
  let cursor = null;

  async function load() {
    table.setAttribute('aria-busy', 'true');
    more.hidden = true;
    error.textContent = '';
    try {
      const joiner = url.includes('?') ? '&' : '?';
      const page = await authed(cursor ? `${url}${joiner}cursor=${encodeURIComponent(cursor)}` : url);
      for (const item of page.items) {
        const row = template.content.cloneNode(true);
        for (const [field, value] of Object.entries(cells(item))) {
          const cell = row.querySelector(`[data-field="${field}"]`);
          if (!cell) continue;
          // A cell is text, or { text, href } for a link.
          if (value && typeof value === 'object') {
            const link = document.createElement('a');
            link.href = value.href;
            link.textContent = value.text;
            cell.replaceChildren(link);
          } else {
            cell.textContent = value;
          }
        }
        if (decorate) decorate(row, item);
        body.append(row);
      }
      if (!body.rows.length) {
        const row = body.insertRow();
        const cell = row.insertCell();
        cell.colSpan = table.tHead.rows[0].cells.length;
        cell.textContent = empty;
      }
      cursor = page.next_cursor;
      more.hidden = !cursor;
      if (loaded) loaded(page);
    } catch (err) {
      error.textContent = err.status === 403 ? 'You do not have permission to see this list.' : err.message;
    } finally {
      table.setAttribute('aria-busy', 'false');
    }
  }

  more.addEventListener('click', load);
  const first = load();
  first.reload = (newUrl) => {
    url = newUrl ?? url;
    cursor = null;
    body.replaceChildren();
    return load();
  };
  return first;
}

// Remove the column of `field` (heading and row cell) from a ListTable before it is filled.
export function dropColumn(id, field) {
  const template = document.getElementById(`${id}-row`).content;
  const cells = [...template.querySelector('tr').children];
  const index = cells.findIndex((td) => td.dataset.field === field);
  if (index < 0) return;
  document.getElementById(`${id}-table`).tHead.rows[0].cells[index].remove();
  cells[index].remove();
}
