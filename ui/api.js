// The admin API as the page calls it (/api/..., beside the page): the signed-in admin's bearer token on every
// call, failures as ApiError with the API's one-line reason. A 404 or 405 without a reason is the Functions
// host saying the route does not exist (a Function App without that part of the API): `notAvailable`.
import { currentToken } from './auth.js';

export class ApiError extends Error {
  constructor(status, reason) {
    super(reason === '' ? `HTTP ${status}` : reason);
    this.status = status;
    this.reason = reason;
  }

  get notAvailable() {
    return (this.status === 404 || this.status === 405) && this.reason === '';
  }
}

const apiBase = new URL('../', document.baseURI);
let unauthorized = () => undefined;

/** What to do when the API refuses the token (expired, or not for this API): sign in again. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

async function call(method, path, query) {
  const url = new URL(path, apiBase);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  }
  const headers = { accept: 'application/json' };
  const token = currentToken();
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method, headers, cache: 'no-store' });
  if (!res.ok) {
    const reason = (await res.text()).trim().split('\n')[0].slice(0, 300);
    if (res.status === 401) unauthorized();
    throw new ApiError(res.status, reason);
  }
  return res.status === 204 ? null : res.json();
}

export const get = (path, query) => call('GET', path, query);
export const post = (path) => call('POST', path);
