// The MSP's article editor: a new article (saved as a draft) or a change of one (a new revision;
// live at once if it is published). Images go straight to storage and into the Markdown where
// the cursor is, once the article has been saved.
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { option, showProblem } from './forms.js';
import { uploadThrough } from './uploads.js';
import { articleHref } from './kb-common.js';

const params = new URLSearchParams(location.search);
let id = params.get('id') || '';
let version = null;
const form = document.getElementById('article-form');
const error = document.getElementById('form-error');
const el = form.elements;
const choices = document.getElementById('company-choices');
const imageStatus = document.getElementById('image-status');
const idempotencyKey = crypto.randomUUID();
const path = () => `/api/kb/articles/${encodeURIComponent(id)}`;

startEarly(() => ['/api/kb/categories', '/api/companies', id && path()]);

function showCompanies() {
  document.getElementById('companies-field').hidden = el.visibility.value !== 'companies';
}

function body() {
  const visibility = el.visibility.value;
  return {
    title: el.title.value,
    category: el.category.value,
    tags: el.tags.value.split(',').map((t) => t.trim()).filter(Boolean),
    body: el.body.value,
    visibility,
    companies: visibility === 'companies' ? [...choices.querySelectorAll('input:checked')].map((c) => c.value) : [],
  };
}

me.then(async () => {
  el.category.setAttribute('list', 'category-names');
  const names = document.getElementById('category-names');
  const [categories, companies] = await Promise.all([authed('/api/kb/categories'), authed('/api/companies')]);
  for (const c of categories) option(names, c.name, c.name);
  for (const c of companies.items.filter((c) => c.kind !== 'msp')) {
    const label = document.createElement('label');
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'companies', value: c.id });
    box.setAttribute('aria-describedby', 'companies-error');
    label.append(box, ` ${c.name}`);
    choices.append(label);
  }
  if (id) {
    const a = await authed(path());
    document.getElementById('edit-heading').textContent = `Edit “${a.title}”`;
    document.getElementById('cancel-edit').href = articleHref(id);
    el.title.value = a.title;
    el.category.value = a.category;
    el.tags.value = a.tags.join(', ');
    el.body.value = a.staff.body;
    el.visibility.value = a.visibility;
    for (const box of choices.querySelectorAll('input')) box.checked = a.staff.companies.includes(box.value);
    version = a.staff.version;
  } else {
    document.getElementById('image-file').disabled = true;
  }
  showCompanies();
  form.setAttribute('aria-busy', 'false');
}).catch((err) => { error.textContent = err.message; });

for (const radio of form.querySelectorAll('input[name="visibility"]')) radio.addEventListener('change', showCompanies);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  error.textContent = '';
  try {
    const saved = id
      ? await authed(path(), { method: 'PATCH', body: { ...body(), version } })
      : await authed('/api/kb/articles', { method: 'POST', body: body(), headers: { 'idempotency-key': idempotencyKey } });
    location.assign(articleHref(saved.id));
  } catch (err) {
    if (err.status === 409) err.message = 'Someone changed this article meanwhile. Copy your text, reload the page and apply it again.';
    showProblem(form, error, err);
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
});

document.getElementById('image-file').addEventListener('change', async (event) => {
  const input = event.currentTarget;
  const file = input.files[0];
  if (!file || !id) return;
  imageStatus.textContent = `Uploading ${file.name}…`;
  try {
    const image = await uploadThrough({ grantPath: `${path()}/images`, grantBody: {}, confirmPath: `${path()}/images/confirm` }, file);
    const alt = file.name.replace(/\.[^.]+$/, '').replace(/[[\]]/g, '');
    const text = `![${alt}](${image.path})`;
    const at = el.body.selectionStart ?? el.body.value.length;
    el.body.setRangeText(text, at, el.body.selectionEnd ?? at, 'end');
    imageStatus.textContent = `${file.name} added to the article. Save to keep it.`;
  } catch (err) {
    imageStatus.textContent = err.message;
  } finally {
    input.value = '';
  }
});
