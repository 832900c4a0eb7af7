// Dates and times, one way everywhere: the reader's language (its order of day and month, its month
// names) and the company's time zone, once /api/me has said which (shell.js); "Dec 15, 2026" and
// "Dec 15, 2026, 3:04 PM" in English. CSV exports keep ISO dates.

let zone;
let moment = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
let dayOfMoment = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const calendarDay = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

// Show times in `timeZone` (an IANA name); an unknown one keeps the browser's.
export function useTimeZone(timeZone) {
  try {
    moment = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone });
    dayOfMoment = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone });
    zone = timeZone;
  } catch {
    // Not a zone this browser knows: keep its own.
  }
}

export function timeZone() {
  return zone;
}

// A moment (`2026-11-22T15:04:05Z`) → "Nov 22, 2026, 3:04 PM".
export function when(iso) {
  return iso ? moment.format(new Date(iso)) : '';
}

// A calendar date (`2026-11-22`, a due date) → "Nov 22, 2026", the same in every time zone.
export function day(iso) {
  return iso ? calendarDay.format(new Date(`${iso}T00:00:00Z`)) : '';
}

// The day of a moment, in the company's time zone: `2026-11-22T23:30:00Z` → "Nov 22, 2026".
export function dayOf(timestamp) {
  return timestamp ? dayOfMoment.format(new Date(timestamp)) : '';
}
