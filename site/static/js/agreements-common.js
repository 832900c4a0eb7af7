// What the agreements page, the home page and the ticket page share: hours for people, the labels,
// and the home page's prepaid-hours tile.
import { labels } from './labels.js';

export const KIND = labels('agreement_kind');
export const AGREEMENT_STATUS = labels('agreement_status');
export const CYCLE = labels('billing_cycle');
export const WORK_TYPE = labels('work_type');

// Minutes for people: `1 h 30 min`, `45 min`, `2 h`, `-1 h 40 min` (as the emails write them).
export function hours(minutes) {
  const sign = minutes < 0 ? '-' : '';
  const m = Math.abs(minutes);
  const [h, rest] = [Math.floor(m / 60), m % 60];
  if (!h) return `${sign}${rest} min`;
  return rest ? `${sign}${h} h ${rest} min` : `${sign}${h} h`;
}

// "5 h 30 min left of 20 h", or what is over.
export function leftText(balance) {
  return balance.left_minutes >= 0
    ? `${hours(balance.left_minutes)} left of ${hours(balance.included_minutes)}`
    : `${hours(-balance.left_minutes)} over the ${hours(balance.included_minutes)}`;
}

// The sentence of a low balance.
export function lowText(a) {
  return `${a.name} is running low: ${leftText(a.balance)}.`;
}

// The active agreements with hours (blocks, retainers).
export function withHours(items) {
  return items.filter((a) => a.balance && a.status === 'active');
}

// The home page's tile: each active agreement with hours, what is left, and an alert when low.
export function hoursTile(items) {
  const active = withHours(items);
  if (!active.length) return;
  const list = document.getElementById('hours-list');
  list.replaceChildren(...active.map((a) => {
    const card = document.createElement('article');
    const stat = Object.assign(document.createElement('p'), { className: 'stat', textContent: hours(a.balance.left_minutes) });
    const link = Object.assign(document.createElement('a'), { href: `/agreements/#a-${a.id}`, textContent: a.name });
    const line = document.createElement('p');
    line.append(link, ` · left of ${hours(a.balance.included_minutes)}`);
    card.append(stat, line);
    return card;
  }));
  const low = active.filter((a) => a.balance.low);
  const alert = document.getElementById('hours-alert');
  alert.textContent = low.map(lowText).join(' ');
  alert.hidden = !low.length;
  document.getElementById('hours-tile').hidden = false;
}
