// The MSP's planner on the project page: the project's details and dates (a moved completion asks
// why), and its phases in order, each with Move up, Move down and Remove; a phase ticked as a
// sub-phase belongs to the phase above it. Saving sends the whole plan with the version read.
import { api } from './api.js';
import { renamed, showProblem } from './forms.js';
import { fillPeople, projectFields } from './project-forms.js';

const rows = document.getElementById('phase-rows');
const template = document.getElementById('phase-row');
const planForm = document.getElementById('plan-form');
const projectForm = document.getElementById('project-form');
const status = document.getElementById('planner-status');

const part = (row, name) => row.querySelector(`[data-r="${name}"]`);

// Each row's legend says where it is ("Phase 2", "Sub-phase of Phase 2"); the first row cannot be
// a sub-phase, and the ends of the list cannot move past them.
function renumber() {
  let phase = 0;
  const all = [...rows.children];
  all.forEach((row, i) => {
    const sub = part(row, 'sub');
    if (i === 0) sub.checked = false;
    sub.disabled = i === 0;
    if (!sub.checked) phase += 1;
    part(row, 'legend').textContent = sub.checked ? `Sub-phase of phase ${phase}` : `Phase ${phase}`;
    row.classList.toggle('sub', sub.checked);
    part(row, 'up').disabled = i === 0;
    part(row, 'down').disabled = i === all.length - 1;
  });
}

function addRow(phase = {}) {
  const row = template.content.firstElementChild.cloneNode(true);
  row.dataset.id = phase.id ?? '';
  part(row, 'name').value = phase.name ?? '';
  part(row, 'start').value = phase.start ?? '';
  part(row, 'end').value = phase.end ?? '';
  part(row, 'status').value = phase.status ?? 'not_started';
  part(row, 'sub').checked = Boolean(phase.parent);
  part(row, 'sub').addEventListener('change', renumber);
  const name = part(row, 'name');
  part(row, 'up').addEventListener('click', (e) => {
    row.previousElementSibling?.before(row);
    renumber();
    e.target.disabled ? name.focus() : e.target.focus();
  });
  part(row, 'down').addEventListener('click', (e) => {
    row.nextElementSibling?.after(row);
    renumber();
    e.target.disabled ? name.focus() : e.target.focus();
  });
  part(row, 'remove').addEventListener('click', () => {
    const next = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    renumber();
    (next ? part(next, 'name') : document.getElementById('add-phase')).focus();
  });
  rows.append(row);
  return row;
}

// The plan as the API takes it, and which row each of its phases came from (to place errors).
function plan() {
  const phases = [];
  const where = new Map();
  for (const row of rows.children) {
    const phase = {
      name: part(row, 'name').value,
      start: part(row, 'start').value,
      end: part(row, 'end').value,
      status: part(row, 'status').value,
    };
    if (row.dataset.id) phase.id = row.dataset.id;
    const parent = phases[phases.length - 1];
    if (part(row, 'sub').checked && parent) {
      parent.sub_phases.push(phase);
      where.set(`phases[${phases.length - 1}].sub_phases[${parent.sub_phases.length - 1}]`, row);
    } else {
      phase.sub_phases = [];
      phases.push(phase);
      where.set(`phases[${phases.length - 1}]`, row);
    }
  }
  return { phases, where };
}

function fill(detail) {
  const p = detail.project;
  const el = projectForm.elements;
  for (const name of ['name', 'description', 'status', 'start', 'expected_completion']) el[name].value = p[name];
  el.reason.value = '';
  fillPeople(projectForm, p.company_id, { manager_id: p.manager_id, contact_id: p.contact_id });
  rows.replaceChildren();
  for (const phase of p.phases) addRow(phase);
  renumber();
  planForm.elements.plan_reason.value = '';
}

export function startPlanner(current, reload) {
  fill(current());
  document.getElementById('add-phase').addEventListener('click', () => {
    const last = rows.lastElementChild;
    const row = addRow({ start: last ? part(last, 'end').value : current().project.start, end: current().project.expected_completion });
    renumber();
    part(row, 'name').focus();
  });

  planForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const slot of rows.querySelectorAll('[data-r="error"]')) slot.textContent = '';
    const { phases, where } = plan();
    const button = planForm.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const reason = planForm.elements.plan_reason.value.trim();
      await api(`/api/projects/${current().project.number}/phases`, {
        method: 'PUT',
        body: { version: current().project.version, phases, ...(reason ? { reason } : {}) },
      });
      fill(await reload());
      status.textContent = 'Plan saved.';
    } catch (err) {
      // Errors of one phase go beside it ("phases[1].sub_phases[0].end" → that row).
      let first = null;
      for (const { field, message } of err.problem?.errors ?? []) {
        const key = [...where.keys()].filter((k) => field.startsWith(`${k}.`) || field === k).sort((a, b) => b.length - a.length)[0];
        const row = key && where.get(key);
        if (!row) continue;
        part(row, 'error').textContent = message;
        first ??= part(row, 'name');
      }
      showProblem(planForm, document.getElementById('plan-error'), renamed(err, { reason: 'plan_reason' }));
      if (first && !planForm.querySelector('[aria-invalid="true"]')) first.focus();
    } finally {
      button.disabled = false;
    }
  });

  projectForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const button = projectForm.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const reason = projectForm.elements.reason.value.trim();
      await api(`/api/projects/${current().project.number}`, {
        method: 'PATCH',
        body: { version: current().project.version, ...projectFields(projectForm), ...(reason ? { reason } : {}) },
      });
      fill(await reload());
      status.textContent = 'Project saved.';
    } catch (err) {
      showProblem(projectForm, document.getElementById('project-form-error'), err);
    }
    button.disabled = false;
  });
  // Shown only now that its rows are filled and its buttons answer.
  document.getElementById('planner').hidden = false;
}
