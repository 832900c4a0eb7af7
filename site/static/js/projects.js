// Projects: Open and Closed tabs, a search by number or name, the MSP's company filter, each row
// with its progress and schedule; MSP staff create projects here.
import { api, authed } from './api.js';
import { me, startEarly } from './shell.js';
import { dropColumn, paginatedTable } from './list.js';
import { option, showProblem } from './forms.js';
import { day } from './dates.js';
import { PROJECT_STATUS, progressBar, projectHref, projectLabel, scheduleText } from './projects-common.js';
import { fillPeople, projectFields } from './project-forms.js';

const params = new URLSearchParams(location.search);
const tab = params.get('tab') === 'closed' ? 'closed' : 'open';
const form = document.getElementById('filters');

function listQuery(staff) {
  const query = new URLSearchParams({ tab });
  for (const name of staff ? ['q', 'company'] : ['q']) if (params.get(name)?.trim()) query.set(name, params.get(name).trim());
  return query;
}

startEarly((data) => [`/api/projects?${listQuery(data.capabilities.includes('all_companies'))}`]);

me.then(async (data) => {
  const can = new Set(data.capabilities);
  const staff = can.has('all_companies');
  for (const name of ['open', 'closed']) {
    const link = document.getElementById(`tab-${name}`);
    const q = new URLSearchParams(params);
    q.set('tab', name);
    link.href = `?${q}`;
    if (name === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  form.elements.q.value = params.get('q') || '';
  if (staff) {
    document.getElementById('company-filter').hidden = false;
    authed('/api/companies').then((list) => {
      for (const c of list.items) if (c.kind !== 'msp') {
        option(form.elements.company, c.id, c.name);
        option(document.getElementById('company_id'), c.id, c.name);
      }
      form.elements.company.value = params.get('company') || '';
    });
  } else {
    dropColumn('projects', 'company');
  }
  const query = listQuery(staff);
  const searching = query.get('q');
  document.getElementById('projects-caption').textContent =
    `${tab === 'open' ? 'Open' : 'Closed'} projects${searching ? ` matching “${searching}”` : ''}`;
  return paginatedTable({
    id: 'projects',
    url: `/api/projects?${query}`,
    empty: searching ? `No ${tab} projects match “${searching}”.` : `No ${tab} projects.`,
    cells: (p) => ({
      name: { text: p.name, href: projectHref(p.number) },
      number: projectLabel(p.number),
      company: p.company_name,
      status: PROJECT_STATUS[p.status] || p.status,
      manager: p.manager_name,
      expected: day(p.expected_completion),
      schedule: scheduleText(p),
    }),
    decorate: (row, p) => {
      row.querySelector('[data-field="progress"]').replaceChildren(progressBar(p.percent_complete, p.name));
      if (p.schedule === 'late') row.querySelector('[data-field="schedule"]').classList.add('late');
    },
  });
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const q = new URLSearchParams({ tab });
  for (const name of ['q', 'company']) {
    const el = form.elements[name];
    if (el?.value && !el.closest('[hidden]')) q.set(name, el.value.trim());
  }
  location.assign(`?${q}`);
});

// New project (MSP staff): a dialog; the project page opens once it exists.
const dialog = document.getElementById('new-project-dialog');
const newForm = document.getElementById('new-project-form');
const newError = document.getElementById('new-project-error');
const idempotencyKey = crypto.randomUUID();
document.getElementById('new-project').addEventListener('click', async () => {
  dialog.showModal();
  await fillPeople(newForm, newForm.elements.company_id.value);
});
document.getElementById('new-project-cancel').addEventListener('click', () => dialog.close());
newForm.elements.company_id.addEventListener('change', () => fillPeople(newForm, newForm.elements.company_id.value, { manager_id: newForm.elements.manager_id.value }));
newForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const button = newForm.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const created = await api('/api/projects', {
      method: 'POST',
      headers: { 'Idempotency-Key': idempotencyKey },
      body: { company_id: newForm.elements.company_id.value, ...projectFields(newForm) },
    });
    location.assign(projectHref(created.project.number));
  } catch (err) {
    showProblem(newForm, newError, err);
  } finally {
    button.disabled = false;
  }
});
