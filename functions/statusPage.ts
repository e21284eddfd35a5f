// The status page (docs/operations.md, "Status page"): a small single-page app kept as static files in ui/,
// served by the Function App itself, and the sign-in settings it starts from. Anonymous to the Functions host:
// nothing here is secret; every admin API call the page makes carries the admin's Entra token and is checked
// there (functions/admin-auth.ts).
//   GET /api/ui/             the page (ui/index.html); /api/ui redirects here so its relative URLs resolve
//   GET /api/ui/<file>       its scripts and styles: plain names of files in ui/, nothing else
//   GET /api/ui/config.json  how the page signs in: Entra ID (authorization code flow with PKCE, the admin app
//                            registration as a single-page app), or, only when the authority is the local Graph
//                            simulator, a dev sign-in that takes a token the simulator minted
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { CloudConfig } from '../shared/config.js';
import { isGuid } from '../shared/domain/ids.js';
import { textResponse } from './http-helpers.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

export type SignInConfig =
  | { mode: 'entra'; authority: string; tenantId: string; clientId: string; scope: string }
  | { mode: 'dev'; tenantId: string }
  | { mode: 'unavailable'; reason: string };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** Dev sign-in only where Entra ID is the Graph simulator on this machine: it plays both parts there and
 *  nowhere else (in Azure the authority is Entra's login host and Graph is graph.microsoft.com). */
function isLocalSimulator(config: CloudConfig): boolean {
  const authority = trimSlash(config.ADMIN_AUTHORITY_HOST);
  return authority === trimSlash(config.GRAPH_BASE_URL) && LOOPBACK.has(new URL(authority).hostname);
}

export function signInConfig(config: CloudConfig): SignInConfig {
  const tenantId = config.GRAPH_TENANT_ID;
  if (isLocalSimulator(config)) return { mode: 'dev', tenantId };
  const clientId = config.ADMIN_API_AUDIENCE.find(isGuid);
  if (clientId === undefined) return { mode: 'unavailable', reason: 'ADMIN_API_AUDIENCE names no client id, so the page cannot sign in' };
  // The page signs in as the admin app registration itself (its SPA redirect URI): Entra issues an app a token
  // for itself only when the scope names it by client id, not by Application ID URI (AADSTS90009).
  return { mode: 'entra', authority: trimSlash(config.ADMIN_AUTHORITY_HOST), tenantId, clientId, scope: `${clientId}/.default` };
}

const FILE_NAME = /^[a-z0-9][a-z0-9-]*\.(html|js|css)$/;
const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** No inline script or style, no other origin but the authority's token endpoint: data shown as text that
 *  somehow became markup still could not run. */
function pageHeaders(contentType: string, signIn: SignInConfig): Record<string, string> {
  const connect = signIn.mode === 'entra' ? `'self' ${new URL(signIn.authority).origin}` : `'self'`;
  return {
    'content-type': contentType,
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src ${connect}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}

let uiFolder: string | undefined;

/** ui/ beside host.json, the Function App's root: found from functions/ (tsx) and from dist/functions/ (Azure). */
function uiDirectory(): string {
  if (uiFolder !== undefined) return uiFolder;
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'host.json'))) return (uiFolder = join(dir, 'ui'));
    if (dirname(dir) === dir) throw new Error(`no host.json above ${import.meta.dirname}: cannot find the status page's files`);
  }
}

export async function statusPage(request: HttpRequest): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const signIn = signInConfig(runtime.config);
  const path = request.params['path'] ?? '';
  const { pathname } = new URL(request.url);
  if (path === '' && !pathname.endsWith('/')) return { status: 301, headers: { location: `${pathname}/` } };
  if (path === 'config.json') {
    return { status: 200, headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' }, jsonBody: signIn };
  }
  const name = path === '' ? 'index.html' : path;
  const type = FILE_NAME.exec(name)?.[1];
  if (type === undefined) return textResponse(404, 'no such file');
  try {
    return { status: 200, headers: pageHeaders(CONTENT_TYPES[type]!, signIn), body: await readFile(join(uiDirectory(), name)) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return textResponse(404, 'no such file');
    throw err;
  }
}

export const statusPageFunction: HttpFunctionDefinition = {
  name: 'statusPage',
  trigger: { type: 'http', route: 'ui/{*path}', methods: ['GET'], authLevel: 'anonymous' },
  handler: statusPage,
};
