// Admin HTTP API (functions/admin-auth.ts: Writeback.Admin):
//   POST /api/groups/{groupId}/sync?waitSeconds=30 (1..120)   on-demand sync of one group: reads it from Graph,
//   decides, asks planChanges for its full state (a targeted resync poke: every member, no cap) and waits for the
//   relay's result of the change set planned after the request. 200 { groupId, steps }: readCloud, decide, plan,
//   send, relayResult, each as observed; the last says applied / partial / failed / still pending. 404 when
//   neither Graph nor the planner knows the group. Logic: shared/app/sync/group-sync.ts.
import { performance } from 'node:perf_hooks';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { syncGroup } from '../shared/app/sync/group-sync.js';
import { isGuid } from '../shared/domain/ids.js';
import { sleep } from '../shared/timers.js';
import { previewDeps } from './groupPreview.js';
import { invocationLog, textResponse } from './http-helpers.js';
import { authorize } from './admin-auth.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

const query = z.object({ waitSeconds: z.coerce.number().int().min(1).max(120).default(30) });

export async function groupSync(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const auth = await authorize(request, runtime, 'Writeback.Admin', context);
  if (!auth.ok) return auth.response;
  const log = invocationLog(runtime.log, context);
  const groupId = request.params['groupId'] ?? '';
  if (!isGuid(groupId)) return textResponse(400, 'groupId must be a GUID');
  const parsed = query.safeParse(Object.fromEntries(request.query.entries()));
  if (!parsed.success) return textResponse(400, 'query: waitSeconds must be a whole number 1..120');
  const deps = {
    ...previewDeps(runtime, log),
    statuses: runtime.statuses,
    changes: () => runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE),
    wait: sleep,
    elapsedMs: () => performance.now(),
  };
  const report = await syncGroup(deps, groupId, parsed.data.waitSeconds * 1000).catch((err: unknown) => {
    log.error({ err, groupId }, 'sync failed');
    return 'failed' as const;
  });
  if (report === 'failed') return textResponse(503, 'Graph, the state store or the queue did not answer; retry');
  if (report === null) return textResponse(404, 'neither Graph nor the planner knows this group');
  const last = report.steps[report.steps.length - 1]!;
  log.info({ groupId: report.groupId, by: auth.principal.upn ?? auth.principal.oid, step: last.step, ok: last.ok }, 'group sync requested');
  return { status: 200, jsonBody: report };
}

export const groupSyncFunction: HttpFunctionDefinition = {
  name: 'groupSync',
  trigger: { type: 'http', route: 'groups/{groupId}/sync', methods: ['POST'], authLevel: 'anonymous' },
  handler: groupSync,
};
