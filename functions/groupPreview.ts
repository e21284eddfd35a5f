// Admin HTTP API (functions/admin-auth.ts: Writeback.Read):
//   POST /api/groups/{groupId}/preview   what the product would do to the group now (create, rename, update
//   attributes, member additions and removals, soft delete, delete), computed from the cloud and the planner's
//   state the way a resync of the group plans it; nothing is sent or saved. 404 when neither Graph nor the
//   planner knows the group. Logic: shared/app/preview/.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { GraphDirectoryReader } from '../shared/adapters/graph/directory.js';
import { previewGroup } from '../shared/app/preview/preview-view.js';
import { isGuid } from '../shared/domain/ids.js';
import type { PreviewDeps } from '../shared/app/preview/group-preview.js';
import type { Logger } from '../shared/logging.js';
import { invocationLog, textResponse } from './http-helpers.js';
import { authorize } from './admin-auth.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime, type CloudRuntime } from './runtime.js';

/** Graph and the planner's state, read only. */
export function previewDeps(runtime: CloudRuntime, log: Logger): PreviewDeps {
  return {
    tenantId: runtime.config.GRAPH_TENANT_ID,
    directory: new GraphDirectoryReader(runtime.graph, { baseUrl: runtime.config.GRAPH_BASE_URL, log }),
    store: runtime.planner,
    now: runtime.now,
  };
}

export async function groupPreview(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const auth = await authorize(request, runtime, 'Writeback.Read', context);
  if (!auth.ok) return auth.response;
  const log = invocationLog(runtime.log, context);
  const groupId = request.params['groupId'] ?? '';
  if (!isGuid(groupId)) return textResponse(400, 'groupId must be a GUID');
  const preview = await previewGroup({ ...previewDeps(runtime, log), names: new GraphDirectoryReader(runtime.graph, { baseUrl: runtime.config.GRAPH_BASE_URL, log }) }, groupId).catch((err: unknown) => {
    log.error({ err, groupId }, 'preview failed');
    return 'failed' as const;
  });
  if (preview === 'failed') return textResponse(503, 'Graph or the state store did not answer; retry');
  if (preview === null) return textResponse(404, 'neither Graph nor the planner knows this group');
  log.debug({ groupId: preview.groupId, actions: preview.actions.map((a) => a.kind) }, 'group previewed');
  return { status: 200, jsonBody: preview };
}

export const groupPreviewFunction: HttpFunctionDefinition = {
  name: 'groupPreview',
  trigger: { type: 'http', route: 'groups/{groupId}/preview', methods: ['POST'], authLevel: 'anonymous' },
  handler: groupPreview,
};
