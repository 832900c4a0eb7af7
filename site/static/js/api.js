// The one place that talks to /api: JSON in and out, problem+json errors, and the trip to the
// sign-in page when the session has ended. Same-origin fetches carry the Origin header the API's
// CSRF check wants.

export class ApiProblem extends Error {
  constructor(status, problem) {
    super(problem.title || `Request failed (${status})`);
    this.status = status;
    this.problem = problem;
  }
  // Per-field messages, as { field: message }.
  get fields() {
    return Object.fromEntries((this.problem.errors || []).map((e) => [e.field, e.message]));
  }
}

export function signInUrl() {
  const next = location.pathname + location.search;
  return '/login/' + (next && next !== '/' ? '?next=' + encodeURIComponent(next) : '');
}

// When the user last started leaving the page. Firefox fails the requests still on their way as
// soon as a navigation starts (after `beforeunload`, before `pagehide`); Chromium drops them
// silently. A failure then is no news to show the user, who has moved on: the request never
// settles. (A link that turns out to be a download leaves the page in place: after a few seconds,
// failures are told again.)
let leavingSince = -Infinity;
addEventListener('beforeunload', () => { leavingSince = Date.now(); });
addEventListener('pageshow', () => { leavingSince = -Infinity; });
const leaving = () => Date.now() - leavingSince < 5_000;

export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return unreachable();
  }
  if (response.status === 204) return null;
  let data;
  try {
    data = await response.json();
  } catch {
    // An answer cut off on its way (Firefox also cuts the body of one that arrived as the user
    // leaves) is no answer; an error answer without a JSON body still says its status.
    if (response.ok || leaving()) return unreachable();
    data = {};
  }
  if (!response.ok) throw new ApiProblem(response.status, data);
  return data;
}

function unreachable() {
  if (leaving()) return new Promise(() => {});
  throw new ApiProblem(0, { title: 'The portal could not be reached. Check your connection and try again.' });
}

// Where the signed-in shell keeps what /api/me last said in this tab (see shell.js); signing in or
// out forgets it.
export const ME_HINT = 'portal.me';
export function forgetMe() {
  sessionStorage.removeItem(ME_HINT);
}

// Requests a page starts while /api/me is still on its way, so that they run beside it rather than
// after it. The page's own `authed(path)` GET of the same path takes the answer (once, within
// 10 seconds) instead of asking again; a guess that was not needed costs one unused answer.
const early = new Map();
export function prefetch(path) {
  const started = api(path);
  started.catch(() => {}); // its failure is seen (and handled) by the request that takes it
  early.set(path, { started, at: Date.now() });
}
function takeEarly(path, options) {
  const hit = early.get(path);
  if (!hit || (options && (options.method ?? 'GET') !== 'GET')) return null;
  early.delete(path);
  return Date.now() - hit.at < 10_000 ? hit.started : null;
}

// For signed-in pages: a 401 for the session (not a wrong code) sends the user to sign in, then
// back here; a user who must set up two-factor authentication first goes to their account page.
export async function authed(path, options) {
  try {
    return await (takeEarly(path, options) ?? api(path, options));
  } catch (err) {
    const sessionEnded = err instanceof ApiProblem && err.status === 401 && err.problem.type !== '/problems/invalid-code';
    if (sessionEnded) {
      location.assign(signInUrl());
      return new Promise(() => {});
    }
    if (err instanceof ApiProblem && err.problem.type === '/problems/mfa-enrolment-required' && location.pathname !== '/account/') {
      location.assign('/account/');
      return new Promise(() => {});
    }
    throw err;
  }
}
