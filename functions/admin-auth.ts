// Who may call the admin API: a bearer token from Entra ID for the admin app registration, with the app role
// the route needs (Writeback.Read to look, Writeback.Admin to change). The routes are anonymous to the Functions
// host (no function keys: admins sign in as themselves) and call `authorize` first. 401 without a valid token,
// 403 without the role; the reason goes to the log, the caller learns only which of the two it was.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { AdminTokenError, hasRole, verifyAdminToken, type AdminPrincipal, type AdminRole } from '../shared/security/admin-token.js';
import { invocationLog } from './http-helpers.js';
import type { CloudRuntime } from './runtime.js';

export type Authorization = { ok: true; principal: AdminPrincipal } | { ok: false; response: HttpResponseInit };

function refused(status: 401 | 403, error: string, description: string): Authorization {
  const challenge = `Bearer error="${error}", error_description="${description}"`;
  return { ok: false, response: { status, headers: { 'www-authenticate': challenge, 'content-type': 'text/plain; charset=utf-8' }, body: description } };
}

export async function authorize(request: HttpRequest, runtime: CloudRuntime, need: AdminRole, context: InvocationContext): Promise<Authorization> {
  const log = invocationLog(runtime.log, context);
  const header = request.headers.get('authorization') ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (token === undefined) return refused(401, 'invalid_request', 'sign in: a bearer token for the admin API is required');
  let principal: AdminPrincipal;
  try {
    principal = await verifyAdminToken(token, runtime.adminTokens);
  } catch (err) {
    if (!(err instanceof AdminTokenError)) {
      log.error({ err }, 'admin token could not be checked');
      return { ok: false, response: { status: 503, body: 'the sign-in could not be checked now; retry' } };
    }
    log.warn({ code: err.code, reason: err.message }, 'admin token refused');
    return refused(401, 'invalid_token', 'the token is not valid for the admin API');
  }
  if (!hasRole(principal, need)) {
    log.warn({ oid: principal.oid, need, roles: principal.roles }, 'admin call without the role');
    return refused(403, 'insufficient_scope', `the app role ${need} is required`);
  }
  return { ok: true, principal };
}
