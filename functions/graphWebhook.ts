// POST /api/graph/notifications: Graph change notifications -> one poke on the graph-changes queue.
// authLevel anonymous: Graph cannot send a function key (the notificationUrl is called as given, and a key in
// its query string would be stored by Graph and shown in subscription listings). Trust comes from the
// clientState carried by every notification instead, checked in constant time (shared/security/client-state).
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { acceptChangeNotifications } from '../shared/app/intake/notification-intake.js';
import { handshakeResponse, intakeResponse, invocationLog, streamedBody } from './http-helpers.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

export async function graphWebhook(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  // The handshake first: it needs no runtime (see handshakeResponse).
  const handshake = handshakeResponse(request, context);
  if (handshake !== null) return handshake;
  const runtime = await getCloudRuntime();
  const log = invocationLog(runtime.log, context);
  const outcome = await acceptChangeNotifications(
    {
      tenantId: runtime.config.GRAPH_TENANT_ID,
      secrets: runtime.secrets,
      changes: runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE),
      log,
      now: runtime.now,
    },
    streamedBody(request),
  );
  return intakeResponse(outcome);
}

export const graphWebhookFunction: HttpFunctionDefinition = {
  name: 'graphWebhook',
  trigger: { type: 'http', route: 'graph/notifications', methods: ['POST'], authLevel: 'anonymous' },
  handler: graphWebhook,
};
