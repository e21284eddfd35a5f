// The router of Graph calls: every route names the application permissions it needs (permissions.ts), checked
// before its handler runs, for single calls and $batch inner requests alike.
import type { Handler, Router } from './http-types.js';
import type { AccessRule, GrantedPermissions } from './permissions.js';

export class GraphRouter {
  constructor(
    readonly router: Router,
    private readonly granted: GrantedPermissions,
  ) {}

  add(method: string, path: string, access: AccessRule, handler: Handler): this {
    this.router.add(method, path, (req, params) => {
      this.granted.require(typeof access === 'function' ? access(req, params) : access);
      return handler(req, params);
    });
    return this;
  }
}
