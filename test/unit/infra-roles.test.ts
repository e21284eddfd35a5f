// The role assignments per identity in infra/modules/role-assignments.bicep equal the least-privilege table in
// docs/deployment.md (identity, role name, role definition id, scope), and the Graph application permissions in
// main.bicep equal the docs' permission table, the manual-consent snippets and what the Graph simulator grants by
// default. No other template grants anything.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { INFRA_PERMISSIONS } from '../../dev/graph-sim/permissions.js';
import {
  evaluate,
  fileScope,
  moduleArguments,
  modules,
  prop,
  readBicep,
  resources,
  type BicepFile,
  type ResourceDecl,
  variables,
  type Scope,
} from '../support/bicep.js';
import { markdownTable } from '../support/markdown-table.js';

const root = join(import.meta.dirname, '..', '..');
const docs = readFileSync(join(root, 'docs', 'deployment.md'), 'utf8');

/** Principal parameters of role-assignments.bicep and the identity each stands for in the docs. */
const IDENTITIES: Record<string, string> = {
  functionAppPrincipalId: 'Function App',
  relayPrincipalId: 'Relay',
};

interface Grant {
  identity: string;
  role: string;
  roleId: string;
  scope: string;
}

const key = (g: Grant): string => `${g.identity} | ${g.role} | ${g.roleId} | ${g.scope}`;

let main: BicepFile;
let rolesFile: BicepFile;
let scope: Scope;
let assignments: ResourceDecl[];
let roleIds: Record<string, string>;

beforeAll(async () => {
  main = await readBicep(join(root, 'infra', 'main.bicep'));
  const call = modules(main).find((m) => m.path === 'modules/role-assignments.bicep')!;
  rolesFile = await readBicep(join(root, 'infra', call.path));
  scope = fileScope(rolesFile, moduleArguments(call, fileScope(main)));
  assignments = resources(rolesFile).filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
  roleIds = scope.lookup('roleIds') as Record<string, string>;
});

/** Human scope label of an assignment's `scope:` resource, as the docs table writes it. */
function scopeLabel(target: ResourceDecl): string {
  const name = evaluate(prop(target.body, 'name')!, scope);
  switch (target.type) {
    case 'Microsoft.ServiceBus/namespaces/queues':
      return `queue ${String(name)}`;
    case 'Microsoft.KeyVault/vaults/secrets':
      return `secret ${String(name)}`;
    case 'Microsoft.Storage/storageAccounts':
      return 'storage account';
    case 'Microsoft.Insights/components':
      return 'Application Insights';
    default:
      throw new Error(`no label for scope type ${target.type}`);
  }
}

function grantOf(assignment: ResourceDecl): Grant {
  const all = resources(rolesFile);
  const scopeSymbol = prop(assignment.body, 'scope')!.text;
  const target = all.find((r) => r.name === scopeSymbol);
  if (!target) throw new Error(`${assignment.name}: scope ${scopeSymbol} is not a resource of this file`);
  const principal = prop(assignment.body, 'properties', 'principalId')!.text;
  const definition = prop(assignment.body, 'properties', 'roleDefinitionId')!.text;
  const match = /^subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', roleIds\['([^']+)'\]\)$/.exec(definition);
  if (!match) throw new Error(`${assignment.name}: roleDefinitionId is not a built-in role by name: ${definition}`);
  const role = match[1]!;
  const identity = IDENTITIES[principal];
  if (!identity) throw new Error(`${assignment.name}: principal ${principal} is not a known identity parameter`);
  return { identity, role, roleId: roleIds[role]!, scope: scopeLabel(target) };
}

describe('Azure role assignments', () => {
  it('equal the least-privilege table in docs/deployment.md', () => {
    const fromBicep = assignments.map(grantOf).map(key).sort();
    const fromDocs = markdownTable(docs, 'Least-privilege roles')
      .map((r) => key({ identity: r['Identity']!, role: r['Role']!, roleId: r['Role definition id']!, scope: r['Scope']! }))
      .sort();
    expect(fromBicep).toEqual(fromDocs);
    expect(fromBicep.length).toBeGreaterThanOrEqual(11);
  });

  it('name each role by a known built-in role id', () => {
    const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const [name, id] of Object.entries(roleIds)) expect(id, name).toMatch(guid);
    expect(new Set(Object.values(roleIds)).size).toBe(Object.keys(roleIds).length);
    const used = new Set(assignments.map(grantOf).map((g) => g.role));
    expect([...Object.keys(roleIds)].filter((r) => !used.has(r))).toEqual([]);
  });

  it('give the relay only Data Receiver on writeback and Data Sender on writeback-results', () => {
    const relay = assignments
      .map(grantOf)
      .filter((g) => g.identity === 'Relay')
      .map((g) => `${g.role} @ ${g.scope}`)
      .sort();
    expect(relay).toEqual([
      'Azure Service Bus Data Receiver @ queue writeback',
      'Azure Service Bus Data Sender @ queue writeback-results',
    ]);
  });

  it('grant the relay only once its principal is known, the Function App always', () => {
    for (const a of assignments) {
      const principal = prop(a.body, 'properties', 'principalId')!.text;
      if (principal === 'relayPrincipalId') expect(a.condition?.text, a.name).toBe('(!empty(relayPrincipalId))');
      else expect(a.condition, a.name).toBeUndefined();
    }
  });

  it('use stable assignment names from scope, principal and role, and service principals only', () => {
    for (const a of assignments) {
      const scopeSymbol = prop(a.body, 'scope')!.text;
      const principal = prop(a.body, 'properties', 'principalId')!.text;
      const role = grantOf(a).role;
      expect(prop(a.body, 'name')!.text, a.name).toBe(`guid(${scopeSymbol}.id, ${principal}, roleIds['${role}'])`);
      expect(prop(a.body, 'properties', 'principalType')!.text, a.name).toBe("'ServicePrincipal'");
    }
  });

  it('are made nowhere else: no other template grants roles, and no AVM module gets roleAssignments', async () => {
    for (const m of modules(main)) {
      expect(prop(m.body, 'params', 'roleAssignments'), m.name).toBeUndefined();
      if (!m.path.startsWith('br') && m.path !== 'modules/role-assignments.bicep') {
        const file = await readBicep(join(root, 'infra', m.path));
        const grants = resources(file).filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
        expect(grants.map((g) => g.name), m.path).toEqual([]);
      }
    }
    expect(resources(main).filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')).toEqual([]);
  });
});

describe('Graph application permissions', () => {
  let permissions: string[];

  beforeAll(() => {
    permissions = fileScope(main).lookup('graphAppPermissions') as string[];
  });

  it('equal the permission table in docs/deployment.md', () => {
    const documented = markdownTable(docs, 'Graph application permissions').map((r) => r['Permission']);
    expect([...permissions].sort()).toEqual([...documented].sort());
    expect(permissions).toEqual(expect.arrayContaining(['GroupMember.Read.All', 'Group.Read.All', 'User.Read.All', 'Device.Read.All']));
  });

  it('are read from infra/graph-permissions.json, which the Graph simulator grants by default (one list)', () => {
    expect(variables(main).get('graphAppPermissions')?.text).toBe("loadJsonContent('graph-permissions.json')");
    expect(permissions).toEqual(JSON.parse(readFileSync(join(root, 'infra', 'graph-permissions.json'), 'utf8')));
    expect([...INFRA_PERMISSIONS]).toEqual(permissions);
  });

  it('are read-only', () => {
    for (const p of permissions) expect(p).toMatch(/\.Read\.All$/);
  });

  it('are what the Graph module grants, behind the skip parameter', () => {
    const call = modules(main).find((m) => m.path === 'modules/graph-permissions.bicep')!;
    expect(call.condition?.text).toBe('(grantGraphPermissions)');
    expect(moduleArguments(call, fileScope(main))['permissions']).toEqual(permissions);
  });

  it('match the manual-consent snippets (az CLI and PowerShell)', () => {
    const sh = /for permission in ([^;]+); do/.exec(docs)?.[1]?.trim().split(/\s+/);
    const ps = /foreach \(\$permission in ([^)]+)\)/.exec(docs)?.[1]?.split(',').map((s) => s.trim().replaceAll("'", ''));
    expect(sh?.sort()).toEqual([...permissions].sort());
    expect(ps?.sort()).toEqual([...permissions].sort());
  });
});
