// Stand-ins for the admin API routes of the contract (issue 9) this branch does not have yet: GET /api/status
// with group summaries (shadowing today's raw list), GET /api/groups/{id}, POST /api/held/{id}/reject,
// GET /api/settings and GET /api/relays, in the contract's shapes, each behind the real `authorize`. Served
// before the catalog's own definitions, so the page's tests see them; held changes and settings come from the
// real state store. Delete a fake once its real route is in functions/catalog.ts.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { authorize } from '../../../functions/admin-auth.js';
import type { HttpFunctionDefinition } from '../../../functions/registry.js';
import { getCloudRuntime } from '../../../functions/runtime.js';

export type GroupState = 'written' | 'partial' | 'pending' | 'held' | 'failed' | 'softDeleted' | 'skipped' | 'deleted';

export interface GroupSummary {
  groupId: string;
  displayName: string | null;
  type: 'm365' | 'security' | 'mailEnabledSecurity' | 'distribution' | null;
  adGroupType: 'universalDistributionGroup' | 'universalSecurityGroup' | 'universalMailEnabledSecurityGroup' | null;
  state: GroupState;
  reason: string | null;
  members: { planned: number; cloudOnly: number; errors: number };
  lastChangeAt: string | null;
  lastResultAt: string | null;
  outcome: string | null;
}

export interface MemberErrorView {
  memberId: string;
  displayName: string | null;
  userPrincipalName: string | null;
  kind: 'user' | 'group' | 'device' | null;
  code: string;
  message: string;
}

export interface FakeData {
  groups: GroupSummary[];
  memberErrors: Record<string, MemberErrorView[]>;
  relays: Record<string, unknown>[];
}

/** What the fakes were asked to change (reject). */
export interface FakeCalls {
  rejected: string[];
}

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

function guarded(role: 'Writeback.Read' | 'Writeback.Admin', handle: Handler): Handler {
  return async (request, context) => {
    const auth = await authorize(request, await getCloudRuntime(), role, context);
    return auth.ok ? handle(request, context) : auth.response;
  };
}

const text = (status: number, body: string): HttpResponseInit => ({ status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body });

function listGroups(data: FakeData, request: HttpRequest): HttpResponseInit {
  const state = request.query.get('state');
  const search = (request.query.get('search') ?? '').toLowerCase();
  const top = Number(request.query.get('top') ?? 100);
  const skip = Number(request.query.get('skip') ?? 0);
  const matching = data.groups
    .filter((g) => state === null || g.state === state)
    .filter((g) => search === '' || (g.displayName ?? '').toLowerCase().includes(search) || g.groupId.startsWith(search))
    .sort((a, b) => (a.displayName ?? '').localeCompare(b.displayName ?? '') || a.groupId.localeCompare(b.groupId));
  const value = matching.slice(skip, skip + top);
  return { status: 200, jsonBody: { count: matching.length, value, nextSkip: skip + top < matching.length ? skip + top : null } };
}

async function groupDetail(data: FakeData, request: HttpRequest): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const status = data.groups.find((g) => g.groupId === request.params['groupId']);
  if (status === undefined) return text(404, 'unknown group');
  const written = status.state === 'written' || status.state === 'partial' || status.state === 'failed';
  const held = await runtime.planner.held.get(runtime.config.GRAPH_TENANT_ID, status.groupId);
  return {
    status: 200,
    jsonBody: {
      groupId: status.groupId,
      cloud: {
        displayName: status.displayName,
        description: 'Fixture group',
        type: status.type,
        mailNickname: 'fixture',
        writeback: { isEnabled: true, onPremisesGroupType: status.adGroupType },
        memberCount: status.members.planned + status.members.cloudOnly,
      },
      decision: { write: written, reason: status.reason, adGroupType: status.adGroupType, cn: `Group_${status.groupId}` },
      applied: written ? { cn: `Group_${status.groupId}`, dn: `CN=Group_${status.groupId},OU=Writeback,DC=example,DC=test`, objectGUID: '6b0f2c1e-0000-4000-8000-000000000001', objectSid: 'S-1-5-21-1-2-3-1105', seq: 7, memberCount: status.members.planned } : null,
      status,
      memberErrors: data.memberErrors[status.groupId] ?? [],
      held: held?.held ?? null,
    },
  };
}

export function contractFakes(data: FakeData, calls: FakeCalls): HttpFunctionDefinition[] {
  const route = (name: string, path: string, method: 'GET' | 'POST', role: 'Writeback.Read' | 'Writeback.Admin', handle: Handler): HttpFunctionDefinition => ({
    name,
    trigger: { type: 'http', route: path, methods: [method], authLevel: 'anonymous' },
    handler: guarded(role, handle),
  });
  return [
    route('fakeStatusList', 'status', 'GET', 'Writeback.Read', (request) => Promise.resolve(listGroups(data, request))),
    route('fakeGroupDetail', 'groups/{groupId}', 'GET', 'Writeback.Read', (request) => groupDetail(data, request)),
    route('fakeRejectHeld', 'held/{groupId}/reject', 'POST', 'Writeback.Admin', async (request) => {
      const runtime = await getCloudRuntime();
      const groupId = request.params['groupId']!;
      if ((await runtime.planner.held.get(runtime.config.GRAPH_TENANT_ID, groupId)) === null) return text(404, 'nothing is held for this group');
      await runtime.planner.held.forget(runtime.config.GRAPH_TENANT_ID, groupId);
      calls.rejected.push(groupId);
      return { status: 202, jsonBody: { groupId, rejectedAt: runtime.now().toISOString() } };
    }),
    route('fakeSettings', 'settings', 'GET', 'Writeback.Read', async () => {
      const runtime = await getCloudRuntime();
      const settings = await runtime.planner.settings.load(runtime.config.GRAPH_TENANT_ID);
      return { status: 200, jsonBody: { settings, effective: { newUnifiedGroupWritebackDefault: settings.newUnifiedGroupWritebackDefault ?? true } } };
    }),
    route('fakeRelays', 'relays', 'GET', 'Writeback.Read', () => Promise.resolve({ status: 200, jsonBody: { value: data.relays } })),
  ];
}
