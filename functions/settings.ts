// Admin HTTP API (functions/admin-auth.ts: Writeback.Read to look, Writeback.Admin to change):
//   GET   /api/settings                 { settings, effective: { newUnifiedGroupWritebackDefault } }
//   PATCH /api/settings?confirm=true    body: a partial change of the stored settings (thresholds,
//         safetyNetSeconds and memberLimit too: a whole number from 1, or null for none). A change that would
//         remove written-back groups from AD answers 409 { wouldRemove, groups (first 50) } and changes nothing,
//         unless confirm=true; otherwise 200 { settings }.
//         A change of decisions asks for a full round (shared/app/settings/tenant-settings.ts), whose removals pass
//         the deletion guard. Logic: shared/app/settings/settings-admin.ts.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { GraphDirectoryReader } from '../shared/adapters/graph/directory.js';
import { changeSettings, readSettings, type SettingsAdminDeps } from '../shared/app/settings/settings-admin.js';
import type { Logger } from '../shared/logging.js';
import { invocationLog, parseJsonBody, readBodyCapped, textResponse } from './http-helpers.js';
import { authorize } from './admin-auth.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime, type CloudRuntime } from './runtime.js';

function deps(runtime: CloudRuntime, log: Logger): SettingsAdminDeps {
  return {
    tenantId: runtime.config.GRAPH_TENANT_ID,
    store: runtime.planner,
    directory: new GraphDirectoryReader(runtime.graph, { baseUrl: runtime.config.GRAPH_BASE_URL, log }),
    service: runtime.tenantSettings,
  };
}

async function change(request: HttpRequest, runtime: CloudRuntime, log: Logger, by: string): Promise<HttpResponseInit> {
  const body = parseJsonBody(await readBodyCapped(request, 16 * 1024));
  if (!body.ok) return textResponse(body.status, body.reason);
  const confirm = request.query.get('confirm') === 'true';
  const outcome = await changeSettings(deps(runtime, log), body.value, confirm);
  switch (outcome.kind) {
    case 'invalid':
      return textResponse(400, outcome.reason);
    case 'confirm':
      log.info({ wouldRemove: outcome.wouldRemove, by }, 'settings change would remove groups: confirmation needed');
      return { status: 409, jsonBody: { wouldRemove: outcome.wouldRemove, groups: outcome.groups } };
    case 'saved':
      log.info({ settings: outcome.settings, confirmed: confirm, by }, 'tenant settings changed');
      return { status: 200, jsonBody: { settings: outcome.settings } };
  }
}

export async function settings(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const writing = request.method.toUpperCase() === 'PATCH';
  const auth = await authorize(request, runtime, writing ? 'Writeback.Admin' : 'Writeback.Read', context);
  if (!auth.ok) return auth.response;
  const log = invocationLog(runtime.log, context);
  try {
    if (writing) return await change(request, runtime, log, auth.principal.upn ?? auth.principal.oid);
    return { status: 200, jsonBody: await readSettings(deps(runtime, log)) };
  } catch (err) {
    log.error({ err }, 'settings not read or not changed');
    return textResponse(503, 'Graph, the state store or the queue did not answer; retry');
  }
}

export const settingsFunction: HttpFunctionDefinition = {
  name: 'settings',
  trigger: { type: 'http', route: 'settings', methods: ['GET', 'PATCH'], authLevel: 'anonymous' },
  handler: settings,
};
