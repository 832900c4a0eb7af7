// Documents: folders, a search by name, newest first; each document's versions to download. Full
// Admins and MSP staff upload documents and new versions (straight to storage, as attachments go),
// and delete documents with every version.
import { authed } from './api.js';
import { me, startEarly } from './shell.js';
import { dropColumn, paginatedTable } from './list.js';
import { confirmAction } from './confirm.js';
import { option, showProblem } from './forms.js';
import { when } from './dates.js';
import { labels } from './labels.js';
import { uploadThrough } from './uploads.js';

const VISIBILITY = labels('document_visibility');
const params = new URLSearchParams(location.search);
const folder = params.get('folder') || '';
const q = params.get('q') || '';
let company = '';

const withCompany = (path) => (company ? `${path}${path.includes('?') ? '&' : '?'}company=${encodeURIComponent(company)}` : path);

function listQuery() {
  const query = new URLSearchParams();
  if (company) query.set('company', company);
  if (folder) query.set('folder', folder);
  if (q) query.set('q', q);
  return query;
}

function pageHref(changes) {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v) next.set(k, v);
    else next.delete(k);
  }
  return `?${next}`;
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const downloadHref = (doc, n) => withCompany(`/api/documents/${encodeURIComponent(doc.id)}/versions/${n}`);

startEarly((data) => {
  const staff = data.capabilities.includes('all_companies');
  return staff && !params.get('company') ? [] : [`/api/documents/folders${params.get('company') ? `?company=${encodeURIComponent(params.get('company'))}` : ''}`];
});

async function showFolders() {
  const list = document.getElementById('folders');
  const folders = await authed(withCompany('/api/documents/folders'));
  // Shown again after a delete: keep only "All documents".
  list.replaceChildren(list.firstElementChild);
  const all = list.querySelector('a');
  all.href = pageHref({ folder: '' });
  if (folder) all.removeAttribute('aria-current');
  const names = document.getElementById('folder-names');
  names.replaceChildren();
  for (const f of folders) {
    const a = Object.assign(document.createElement('a'), { href: pageHref({ folder: f.name }), textContent: `${f.name} (${f.documents})` });
    if (f.name.toLowerCase() === folder.toLowerCase()) a.setAttribute('aria-current', 'page');
    list.append(Object.assign(document.createElement('li'), {}));
    list.lastElementChild.append(a);
    option(names, f.name, f.name);
  }
}

let table;
me.then(async (data) => {
  const can = new Set(data.capabilities);
  const staff = can.has('all_companies');
  if (staff) {
    company = params.get('company') || '';
    const select = document.getElementById('company');
    document.getElementById('company-filter').hidden = false;
    const companies = await authed('/api/companies');
    for (const c of companies.items) if (c.kind !== 'msp') option(select, c.id, c.name);
    select.value = company;
    select.addEventListener('change', () => location.assign(`?company=${encodeURIComponent(select.value)}`));
    if (!company) {
      document.getElementById('company-needed').hidden = false;
      document.getElementById('library').hidden = true;
      document.querySelector('[data-capability="manage_documents"]').hidden = true;
      return;
    }
  } else {
    // The internal visibility is the MSP's.
    document.querySelector('#visibility option[value="internal"]')?.remove();
  }
  if (!can.has('manage_documents')) dropColumn('documents', 'visibility');
  document.getElementById('filter-q').value = q;
  document.getElementById('upload-form').elements.folder.setAttribute('list', 'folder-names');
  if (folder) document.getElementById('documents-caption').textContent = `${folder}, newest first`;
  showFolders().catch(() => {});
  table = paginatedTable({
    id: 'documents',
    url: `/api/documents?${listQuery()}`,
    empty: q ? `No documents match “${q}”.` : 'No documents here yet.',
    cells: (d) => {
      const latest = d.versions[d.versions.length - 1];
      return {
        name: { text: d.name, href: downloadHref(d, latest.number) },
        folder: d.folder,
        visibility: VISIBILITY[d.visibility] || d.visibility,
        version: String(latest.number),
        updated: when(latest.uploaded_at),
        size: size(latest.size),
      };
    },
    decorate: (row, d) => {
      const button = Object.assign(document.createElement('button'), { type: 'button', className: 'secondary', textContent: 'Versions' });
      button.setAttribute('aria-label', `Versions of ${d.name}`);
      button.addEventListener('click', () => openVersions(d));
      row.querySelector('[data-field="actions"]').append(button);
    },
  });
});

document.getElementById('filters').addEventListener('submit', (e) => {
  e.preventDefault();
  location.assign(pageHref({ q: e.target.elements.q.value.trim() }));
});

// Upload a new document.
const uploadDialog = document.getElementById('upload-dialog');
const uploadForm = document.getElementById('upload-form');
const uploadError = document.getElementById('upload-error');
const uploadStatus = document.getElementById('upload-status');
document.getElementById('upload-document').addEventListener('click', () => {
  uploadForm.reset();
  uploadForm.elements.folder.value = folder;
  uploadError.textContent = '';
  uploadStatus.textContent = '';
  uploadDialog.showModal();
});
document.getElementById('upload-cancel').addEventListener('click', () => uploadDialog.close());
uploadForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = uploadForm.elements.file.files[0];
  if (!file) {
    uploadError.textContent = 'Choose a file to upload.';
    return;
  }
  const button = uploadForm.querySelector('button[type="submit"]');
  button.disabled = true;
  uploadStatus.textContent = `Uploading ${file.name}…`;
  try {
    const el = uploadForm.elements;
    const doc = await uploadThrough({
      grantPath: withCompany('/api/documents/uploads'),
      grantBody: { name: el.name.value || null, folder: el.folder.value || null, visibility: el.visibility.value },
      confirmPath: withCompany('/api/documents'),
    }, file);
    location.assign(pageHref({ folder: doc.folder, q: '' }));
  } catch (err) {
    uploadStatus.textContent = '';
    showProblem(uploadForm, uploadError, err);
  } finally {
    button.disabled = false;
  }
});

// A document's versions, and a new one.
const versionsDialog = document.getElementById('versions-dialog');
const versionForm = document.getElementById('version-form');
const versionsError = document.getElementById('versions-error');
const versionsStatus = document.getElementById('versions-status');
let shown = null;
function openVersions(doc) {
  shown = doc;
  document.getElementById('versions-title').textContent = `Versions of ${doc.name}`;
  const body = document.querySelector('#versions-table tbody');
  body.replaceChildren();
  for (const v of [...doc.versions].reverse()) {
    const row = body.insertRow();
    row.insertCell().textContent = String(v.number);
    row.insertCell().append(Object.assign(document.createElement('a'), { href: downloadHref(doc, v.number), textContent: v.file_name }));
    row.insertCell().textContent = when(v.uploaded_at);
    row.insertCell().textContent = v.uploaded_by_name;
    row.insertCell().textContent = size(v.size);
  }
  versionForm.reset();
  versionsError.textContent = '';
  versionsStatus.textContent = '';
  versionsDialog.showModal();
}
document.getElementById('versions-close').addEventListener('click', () => versionsDialog.close());
versionForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = versionForm.elements.file.files[0];
  if (!file) {
    versionsError.textContent = 'Choose the new version’s file.';
    return;
  }
  const button = versionForm.querySelector('button[type="submit"]');
  button.disabled = true;
  versionsStatus.textContent = `Uploading ${file.name}…`;
  try {
    const id = encodeURIComponent(shown.id);
    const doc = await uploadThrough({
      grantPath: withCompany(`/api/documents/${id}/uploads`),
      grantBody: {},
      confirmPath: withCompany(`/api/documents/${id}/versions`),
    }, file);
    versionsStatus.textContent = `Version ${doc.versions.length} uploaded.`;
    openVersions(doc);
    versionsStatus.textContent = `Version ${doc.versions.length} uploaded.`;
    table?.reload();
  } catch (err) {
    versionsStatus.textContent = '';
    showProblem(versionForm, versionsError, err);
  } finally {
    button.disabled = false;
  }
});

// Delete the document shown, with every version (its files too).
document.getElementById('delete-document').addEventListener('click', async (e) => {
  const doc = shown;
  const versions = doc.versions.length === 1 ? 'its one version' : `all ${doc.versions.length} versions`;
  const ok = await confirmAction({
    title: `Delete ${doc.name}?`,
    text: `The document and ${versions} are removed for everyone who could read it. This cannot be undone from the portal.`,
    yes: 'Delete the document',
    no: 'Keep it',
    danger: true,
  });
  if (!ok) return;
  e.target.disabled = true;
  try {
    await authed(withCompany(`/api/documents/${encodeURIComponent(doc.id)}`), { method: 'DELETE' });
    versionsDialog.close();
    // Its row (and the button that opened the dialog) goes: the focus moves to the page's heading.
    const heading = document.getElementById('documents-heading');
    heading.tabIndex = -1;
    heading.focus();
    document.getElementById('page-status').textContent = `${doc.name} was deleted.`;
    table?.reload();
    showFolders().catch(() => {});
  } catch (err) {
    showProblem(versionForm, versionsError, err);
  } finally {
    e.target.disabled = false;
  }
});

