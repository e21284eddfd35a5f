// What a failed call means to the reader, in one sentence.
import { h } from './dom.js';

export function errorText(err, what) {
  if (err?.notAvailable) return `${what} is not available on this Function App.`;
  switch (err?.status) {
    case 401:
      return 'The sign-in was refused or has expired: sign in again.';
    case 403:
      return `Your role does not allow this (${err.reason}).`;
    case 503:
      return `${what}: the service is busy, retry in a moment (${err.reason}).`;
    default:
      return `${what} failed: ${err?.message ?? String(err)}`;
  }
}

export function errorNotice(err, what) {
  return h('p', { class: err?.notAvailable ? 'notice' : 'notice error' }, errorText(err, what));
}
