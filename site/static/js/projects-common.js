// What the project pages share: labels, links, the progress bar and the schedule's words.
import { labels } from './labels.js';
import { day } from './dates.js';

export const PROJECT_STATUS = labels('project_status');
export const PHASE_STATUS = labels('phase_status');

export function projectHref(number) {
  return `/projects/view/?number=${number}`;
}

export function projectLabel(number) {
  return `P-${number}`;
}

// A <progress> with its number beside it ("75 %"), named for screen readers.
export function progressBar(percent, name) {
  const wrap = document.createElement('span');
  wrap.className = 'progress-cell';
  const bar = document.createElement('progress');
  bar.max = 100;
  bar.value = percent;
  bar.setAttribute('aria-label', `${name}: ${percent} % complete`);
  const text = document.createElement('span');
  text.textContent = `${percent} %`;
  text.setAttribute('aria-hidden', 'true');
  wrap.append(bar, text);
  return wrap;
}

// "On track", "Late: 10 days behind plan", "Late: due Dec 1, 2026", or the closed status.
export function scheduleText(p) {
  if (p.schedule === 'closed') return PROJECT_STATUS[p.status];
  if (p.schedule === 'on_track') return 'On track';
  const today = new Date().toISOString().slice(0, 10);
  const overdue = p.expected_completion < today;
  if (overdue) return `Late: was due ${day(p.expected_completion)}`;
  return `Late: ${p.slip_days} ${p.slip_days === 1 ? 'day' : 'days'} behind plan`;
}
