// Application permissions: the ones the simulated app holds (by default exactly what infra/main.bicep grants, from
// infra/graph-permissions.json) and the ones each Graph call needs. A call needs one permission of its list: the least
// privileged one on Microsoft's API page for application permissions, or a broader one (for a read its ReadWrite
// form, Directory.Read.All, Directory.ReadWrite.All; for a write Directory.ReadWrite.All). Without one, Graph
// answers 403 Authorization_RequestDenied.
import { z } from 'zod';
import grantedByInfra from '../../infra/graph-permissions.json' with { type: 'json' };
import { GraphError } from './errors.js';
import type { SimRequest } from './http-types.js';

export const permissionsSchema = z.array(z.string().regex(/^[A-Za-z-]+(\.[A-Za-z]+)+$/, 'a permission name such as Group.Read.All'));

/** What the deployment grants the Function App's identity: the simulator's default. */
export const INFRA_PERMISSIONS: readonly string[] = permissionsSchema.parse(grantedByInfra);

/** A read permission with what also covers it. */
function reading(...permissions: string[]): string[] {
  const broader = permissions.map((p) => p.replace('.Read.', '.ReadWrite.'));
  return [...new Set([...permissions, ...broader, 'Directory.Read.All', 'Directory.ReadWrite.All'])];
}

function writing(...permissions: string[]): string[] {
  return [...permissions, 'Directory.ReadWrite.All'];
}

/** Each call's accepted permissions (any one suffices). */
export const NEEDS = {
  /** Group list, get, delta (v1.0 properties), members list. */
  groupRead: reading('GroupMember.Read.All', 'Group.Read.All'),
  /** All group properties, also beta writebackConfiguration (Microsoft's pages name no narrower one). */
  groupReadAll: reading('Group.Read.All'),
  groupCreate: writing('Group.Create', 'Group.ReadWrite.All'),
  groupWrite: writing('Group.ReadWrite.All'),
  memberWrite: writing('GroupMember.ReadWrite.All', 'Group.ReadWrite.All'),
  userRead: reading('User.Read.All'),
  userWrite: writing('User.ReadWrite.All'),
  /** Directory.ReadWrite.All does not allow deleting users. */
  userDelete: ['User.DeleteRestore.All', 'User.ReadWrite.All'],
  deviceRead: reading('Device.Read.All'),
  /** POST /directoryObjects/getByIds and GET /directoryObjects/{id}: no narrower permission exists. */
  directoryRead: reading('Directory.Read.All'),
  groupSettingsRead: reading('GroupSettings.Read.All', 'Group.Read.All'),
  groupSettingsWrite: writing('GroupSettings.ReadWrite.All'),
  /** Subscriptions on groups resources (the only ones the simulator serves). */
  groupSubscription: reading('Group.Read.All'),
} satisfies Record<string, readonly string[]>;

/** A route's permission rule: a fixed list, or one that depends on the request (version, $select, the object). */
export type AccessRule = readonly string[] | ((req: SimRequest, params: Record<string, string>) => readonly string[]);

export class GrantedPermissions {
  private granted: Set<string>;

  constructor(private readonly initial: readonly string[]) {
    this.granted = new Set(initial);
  }

  list(): string[] {
    return [...this.granted].sort();
  }

  set(permissions: readonly string[]): void {
    this.granted = new Set(permissions);
  }

  /** Back to what the simulator was started with. */
  reset(): void {
    this.granted = new Set(this.initial);
  }

  allows(anyOf: readonly string[]): boolean {
    return anyOf.some((p) => this.granted.has(p));
  }

  /** Throws Graph's 403 unless one of `anyOf` is granted. */
  require(anyOf: readonly string[]): void {
    if (!this.allows(anyOf)) throw insufficientPrivileges();
  }
}

export function insufficientPrivileges(): GraphError {
  return new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}
