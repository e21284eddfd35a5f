// The status page's entry: reads how to sign in (config.json beside the page), takes a sign-in answer from the
// fragment (Entra's #code=..., or the dev sign-in's #token=...), then shows the view the address names:
// #/groups, #/groups/<id>, #/held, #/relays, #/settings. Without a valid token it shows the sign-in.
import { onUnauthorized } from './api.js';
import { SignInError, completeEntraSignIn, isEntraAnswer, signOut, signedIn, useToken } from './auth.js';
import { h } from './dom.js';
import { groupView } from './view-group.js';
import { groupsView } from './view-groups.js';
import { heldView } from './view-held.js';
import { relaysView } from './view-relays.js';
import { settingsView } from './view-settings.js';
import { signInView } from './view-sign-in.js';

const HOME = '#/groups';
const VIEWS = { groups: groupsView, held: heldView, relays: relaysView, settings: settingsView };

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const account = document.getElementById('account');
const announcer = document.getElementById('announce');
const names = new Map();
let config = null;
let groupsHash = HOME;

function announce(text) {
  announcer.textContent = text;
}

function show(view) {
  main.replaceChildren(view);
  document.getElementById('view-title')?.focus();
}

function showSignIn(message) {
  nav.hidden = true;
  account.hidden = true;
  const returnTo = location.hash.startsWith('#/') ? location.hash : HOME;
  show(signInView(config, { message, returnTo, onSignedIn: () => route() }));
}

function showAccount(user) {
  nav.hidden = false;
  account.hidden = false;
  document.getElementById('who').textContent = `${user.name}${user.upn ? ` (${user.upn})` : ''} · ${user.canAdmin ? 'Admin' : 'Read-only'}`;
}

/** Parses #/<view>/<param>?<query>. */
function parseHash() {
  const [path, search] = location.hash.replace(/^#\/?/, '').split('?');
  const [view, ...params] = path.split('/').map(decodeURIComponent);
  return { view, params, query: new URLSearchParams(search ?? '') };
}

function route() {
  const user = signedIn();
  if (user === null) return showSignIn();
  showAccount(user);
  const { view, params, query } = parseHash();
  const ctx = {
    params,
    query,
    user,
    names,
    announce,
    groupsHash: () => groupsHash,
    // A view's own state (the groups filter) goes into the address without a new history entry.
    remember(hash) {
      groupsHash = hash;
      if (location.hash !== hash) history.replaceState(null, '', hash);
    },
  };
  for (const link of nav.querySelectorAll('a')) {
    const current = link.dataset.view === view;
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (view === 'groups' && params.length === 1) return show(groupView(ctx));
  const render = VIEWS[view];
  if (render === undefined) {
    history.replaceState(null, '', HOME);
    return route();
  }
  show(render(ctx));
}

async function start() {
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    config = await res.json();
  } catch (err) {
    main.replaceChildren(h('p', { class: 'notice error' }, `The page could not load its settings (${err.message}); reload to retry.`));
    return;
  }
  onUnauthorized(() => {
    signOut();
    showSignIn('The sign-in was refused or has expired: sign in again.');
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    signOut();
    announce('Signed out.');
    showSignIn();
  });
  window.addEventListener('hashchange', () => {
    announce('');
    route();
  });

  const fragment = location.hash.slice(1);
  let problem;
  if (fragment.startsWith('token=')) {
    // The dev sign-in's one-time link; the token leaves the address at once (history, screenshots).
    history.replaceState(null, '', HOME);
    if (config.mode === 'dev') {
      try {
        useToken(decodeURIComponent(fragment.slice('token='.length)));
      } catch (err) {
        problem = `Not signed in: ${err.message}.`;
      }
    } else problem = 'A token in the address is only taken by the local dev sign-in.';
  } else if (config.mode === 'entra' && isEntraAnswer(fragment)) {
    history.replaceState(null, '', HOME);
    try {
      history.replaceState(null, '', (await completeEntraSignIn(config, fragment)) ?? HOME);
    } catch (err) {
      problem = `Not signed in: ${err instanceof SignInError ? err.message : String(err)}.`;
    }
  }
  if (problem !== undefined) return showSignIn(problem);
  route();
}

void start();
