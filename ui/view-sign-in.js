// The sign-in view, as the config route says: Entra ID (a button that leaves for Entra's sign-in page), the
// local dev sign-in (paste a token the Graph simulator minted), or why signing in is not possible.
import { SignInError, startEntraSignIn, useToken } from './auth.js';
import { h, heading } from './dom.js';

function devForm(onSignedIn) {
  const box = h('textarea', { id: 'dev-token', name: 'token', rows: 4, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'dev-token-help' });
  const problem = h('p', { class: 'notice error', role: 'alert', hidden: true });
  const submit = (event) => {
    event.preventDefault();
    try {
      useToken(box.value);
      onSignedIn();
    } catch (err) {
      problem.textContent = err instanceof SignInError ? `Not signed in: ${err.message}.` : String(err);
      problem.hidden = false;
      box.focus();
    }
  };
  return h(
    'form',
    { class: 'sign-in', on: { submit } },
    h('p', null, 'Local development sign-in: this Function App takes its tokens from the Graph simulator, not from Entra ID.'),
    h('label', { for: 'dev-token' }, 'Access token'),
    box,
    h('p', { id: 'dev-token-help', class: 'help' }, 'An admin token minted by the Graph simulator (sim.entra.mintToken), or open the page once with #token=<token>.'),
    problem,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
}

function entraButton(config, returnTo) {
  const start = () => void startEntraSignIn(config, returnTo);
  return h(
    'div',
    { class: 'sign-in' },
    h('p', null, 'Sign in with your work account. You need the Writeback.Read or Writeback.Admin role of the admin app.'),
    h('button', { type: 'button', class: 'primary', on: { click: start } }, 'Sign in with Microsoft'),
  );
}

export function signInView(config, { message, returnTo, onSignedIn }) {
  let body;
  if (config.mode === 'dev') body = devForm(onSignedIn);
  else if (config.mode === 'entra') body = entraButton(config, returnTo);
  else body = h('p', { class: 'notice error' }, `Signing in is not possible: ${config.reason ?? 'the Function App gave no sign-in settings'}.`);
  return h('section', { 'aria-labelledby': 'view-title' }, heading('Sign in'), message ? h('p', { class: 'notice error', role: 'alert' }, message) : null, body);
}
