// POST /api/graph/lifecycle: Graph lifecycle notifications (reauthorizationRequired, subscriptionRemoved,
// missed). Anonymous for the same reason as graphWebhook; trust comes from clientState.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { acceptLifecycleNotifications } from '../shared/app/intake/lifecycle-intake.js';
import { handshakeResponse, intakeResponse, invocationLog, streamedBody } from './http-helpers.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';
import { keeperDeps, keeperSettings } from './subscriptions.js';

export async function graphLifecycle(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  // The handshake first: it needs no runtime (see handshakeResponse).
  const handshake = handshakeResponse(request, context);
  if (handshake !== null) return handshake;
  const runtime = await getCloudRuntime();
  const log = invocationLog(runtime.log, context);
  const outcome = await acceptLifecycleNotifications(keeperDeps(runtime, log), keeperSettings(runtime), streamedBody(request));
  return intakeResponse(outcome);
}

export const graphLifecycleFunction: HttpFunctionDefinition = {
  name: 'graphLifecycle',
  trigger: { type: 'http', route: 'graph/lifecycle', methods: ['POST'], authLevel: 'anonymous' },
  handler: graphLifecycle,
};
