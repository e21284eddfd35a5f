// The router of Graph calls: every route names the application permissions it needs (permissions.ts), checked
// before its handler runs, for single calls and $batch inner requests alike.
import type { Handler, Router } from './http-types.js';
import { insufficientPrivileges, type AccessRule, type GrantedPermissions } from './permissions.js';

export class GraphRouter {
  constructor(
    readonly router: Router,
    private readonly granted: GrantedPermissions,
    /** The delegated scopes a request's token carries (an admin's own token, e.g. `gwb writeback`). */
    private readonly delegated: (authorization: string | undefined) => string[] = () => [],
  ) {}

  add(method: string, path: string, access: AccessRule, handler: Handler): this {
    this.router.add(method, path, (req, params) => {
      const anyOf = typeof access === 'function' ? access(req, params) : access;
      // A delegated token acts with its own scopes (the signed-in admin's), not the app's permissions.
      const scopes = this.delegated(req.headers['authorization']);
      if (scopes.length > 0) {
        if (!anyOf.some((p) => scopes.includes(p))) throw insufficientPrivileges();
      } else {
        this.granted.require(anyOf);
      }
      return handler(req, params);
    });
    return this;
  }
}
