// Calls to the studio's API (API.md). The token travels in the cookie the first page load set.
// Every failure reaches the user as one sentence in the banner, never as a stack trace.

export class ApiError extends Error {
  constructor(status, message, problems) { super(message); this.status = status; this.problems = problems || []; }
}

const banner = () => document.getElementById('banner');

export function showError(error) {
  const b = banner();
  b.className = '';
  b.textContent = error.problems?.length ? `${error.message}\n  - ${error.problems.join('\n  - ')}` : error.message;
  b.hidden = false;
}

export function showInfo(text) {
  const b = banner();
  b.className = 'info';
  b.textContent = text;
  b.hidden = false;
}

export function clearBanner() { banner().hidden = true; }

export const serverGone = 'The studio server has stopped. A training run that was going saved its checkpoint: ' +
  'start "distill studio" again, reload this page and resume the run.';

async function call(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, serverGone);
  }
  const type = response.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, data?.error || `The studio answered ${response.status}.`, data?.problems);
  return data;
}

export const get = (path, query = {}) => call('GET', path + queryString(query));
export const post = (path, body = {}) => call('POST', path, body);

export function queryString(query) {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null));
  return q.toString() ? '?' + q : '';
}

/** Runs an async action from a button, showing any failure in the banner. */
export async function guarded(action) {
  try { clearBanner(); return await action(); } catch (e) { showError(e instanceof ApiError ? e : new ApiError(0, String(e.message || e))); }
}
