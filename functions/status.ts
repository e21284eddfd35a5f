// Admin HTTP API: anonymous to the Functions host; callers sign in with Entra ID and need an app role
// (functions/admin-auth.ts: Writeback.Read to look, Writeback.Admin to change).
//   GET  /api/status            the groups' status as summaries, sorted by display name (?state= filters,
//                               ?search= a display name's substring or an id's prefix, ?top= 1..1000 (100), ?skip=)
//   GET  /api/status/{groupId}  one group's raw status record (404 when the group has none)
//   POST /api/resync            enqueue a full resync: {"mode":"reconcile"|"resync","groupIds":[...]} (all optional)
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { guidSchema } from '../shared/contracts/ids.js';
import { isGuid, normaliseId } from '../shared/domain/ids.js';
import { listStatus } from '../shared/app/status/status-list.js';
import { groupStateSchema } from '../shared/state/group-status-record.js';
import { sendPoke } from '../shared/app/intake/pokes.js';
import { invocationLog, parseJsonBody, readBodyCapped, textResponse } from './http-helpers.js';
import { authorize } from './admin-auth.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

const listQuery = z.object({
  state: groupStateSchema.optional(),
  search: z.string().max(256).optional(),
  top: z.coerce.number().int().min(1).max(1000).default(100),
  skip: z.coerce.number().int().min(0).default(0),
});
const resyncBody = z
  .object({ mode: z.enum(['reconcile', 'resync']).default('reconcile'), groupIds: z.array(guidSchema).min(1).max(1000).optional() })
  .strict();

export async function status(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const auth = await authorize(request, runtime, 'Writeback.Read', context);
  if (!auth.ok) return auth.response;
  const tenantId = runtime.config.GRAPH_TENANT_ID;
  const groupId = request.params['groupId'];
  if (groupId !== undefined && groupId !== '') {
    if (!isGuid(groupId)) return textResponse(400, 'groupId must be a GUID');
    const row = await runtime.statuses.read(tenantId, normaliseId(groupId));
    return row === null ? textResponse(404, 'no status for this group') : { status: 200, jsonBody: row.status };
  }
  const query = listQuery.safeParse(Object.fromEntries(request.query.entries()));
  if (!query.success) return textResponse(400, 'query: state must be a known state, search at most 256 characters, top 1..1000, skip 0 or more');
  const page = await listStatus(runtime.statuses, tenantId, query.data);
  invocationLog(runtime.log, context).debug({ count: page.count }, 'status listed');
  return { status: 200, jsonBody: page };
}

export async function resync(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const auth = await authorize(request, runtime, 'Writeback.Admin', context);
  if (!auth.ok) return auth.response;
  const log = invocationLog(runtime.log, context);
  const raw = await readBodyCapped(request, 64 * 1024);
  let input: unknown = {};
  if (raw === 'tooLarge' || raw.byteLength > 0) {
    const json = parseJsonBody(raw);
    if (!json.ok) return textResponse(json.status, json.reason);
    input = json.value;
  }
  const body = resyncBody.safeParse(input);
  if (!body.success) return textResponse(400, 'body: {"mode":"reconcile"|"resync","groupIds":[guid,...]}');
  try {
    await sendPoke(runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), runtime.config.GRAPH_TENANT_ID, body.data.mode, runtime.now(), body.data.groupIds);
  } catch (err) {
    log.error({ err }, 'resync poke not enqueued');
    return textResponse(503, 'not enqueued; retry');
  }
  log.info({ mode: body.data.mode, groups: body.data.groupIds?.length ?? 'all' }, 'resync requested');
  return { status: 202, jsonBody: { enqueued: body.data.mode } };
}

export const statusFunction: HttpFunctionDefinition = {
  name: 'status',
  trigger: { type: 'http', route: 'status/{groupId?}', methods: ['GET'], authLevel: 'anonymous' },
  handler: status,
};

export const resyncFunction: HttpFunctionDefinition = {
  name: 'resync',
  trigger: { type: 'http', route: 'resync', methods: ['POST'], authLevel: 'anonymous' },
  handler: resync,
};
