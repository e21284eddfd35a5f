// HTTP face of the control API (/_control/...): each route calls one GraphSimControl method.
// Bodies are validated by the control methods (zod), so the casts here only name the expected shape;
// answers are plain JSON, not Graph envelopes.
import { json, noContent, type Router, type SimResponse } from '../http-types.js';
import { badRequest } from '../errors.js';
import type { GraphSimControl } from '../control.js';
import type { DeviceSpec, GroupSpec, UserSpec } from '../control-schemas.js';
import type { DeltaBehavior, TokenFailureMode } from '../delta.js';
import type { DeliveryOptions } from '../deliveries.js';
import type { FailureRule } from '../failures.js';
import type { LifecycleEvent } from '../subscriptions.js';
import type { Json, JsonObject } from '../types.js';

const obj = (b: Json | undefined): JsonObject => (b !== null && typeof b === 'object' && !Array.isArray(b) ? b : {});
const toJson = (v: unknown): Json => JSON.parse(JSON.stringify(v ?? null)) as Json;

export function controlRoutes(router: Router, control: GraphSimControl): void {
  const ok = (v?: unknown): SimResponse => (v === undefined ? noContent() : json(200, toJson(v)));
  router
    .add('POST', '/_control/reset', () => ok(control.reset()))
    .add('POST', '/_control/users', (r) => json(201, control.createUser(obj(r.body) as UserSpec)))
    .add('DELETE', '/_control/users/:id', (_r, p) => ok(control.deleteUser(p['id'] ?? '')))
    .add('POST', '/_control/groups', (r) => json(201, control.createGroup(obj(r.body) as GroupSpec)))
    .add('PATCH', '/_control/groups/:id', (r, p) => ok({ changed: control.updateGroup(p['id'] ?? '', obj(r.body)) }))
    .add('DELETE', '/_control/groups/:id', (r, p) => ok({ deleted: control.deleteGroup(p['id'] ?? '', { permanent: r.query.get('permanent') === 'true' }) }))
    .add('POST', '/_control/groups/:id/members', (r, p) => ok(control.addMembers(p['id'] ?? '', memberIds(r.body))))
    .add('DELETE', '/_control/groups/:id/members', (r, p) => ok(control.removeMembers(p['id'] ?? '', memberIds(r.body))))
    .add('POST', '/_control/devices', (r) => json(201, control.createDevice(obj(r.body) as DeviceSpec)))
    .add('POST', '/_control/deletedItems/:id/restore', (_r, p) => ok(control.restore(p['id'] ?? '')))
    .add('DELETE', '/_control/deletedItems/:id', (_r, p) => ok(control.purge(p['id'] ?? '')))
    .add('GET', '/_control/permissions', () => ok(control.permissions()))
    .add('PUT', '/_control/permissions', (r) => ok(control.setPermissions(obj(r.body)['permissions'] as string[])))
    .add('PUT', '/_control/tenant-settings', (r) => ok(control.setTenantSettings(obj(r.body) as { newUnifiedGroupWritebackDefault: boolean })))
    .add('GET', '/_control/clock', () => ok({ now: control.now().toISOString() }))
    .add('POST', '/_control/clock', (r) => {
      const b = obj(r.body);
      if (typeof b['set'] === 'string') control.setClock(new Date(b['set']));
      else if (typeof b['advanceMs'] === 'number') control.advanceClock(b['advanceMs']);
      else throw badRequest('Give {"set": ISO time} or {"advanceMs": number}.');
      return ok({ now: control.now().toISOString() });
    })
    .add('POST', '/_control/delta/invalidate', (r) => ok(control.invalidateDeltaTokens((obj(r.body)['mode'] ?? 'gone') as TokenFailureMode)))
    .add('PUT', '/_control/delta/behavior', (r) => ok(control.setDeltaBehavior(obj(r.body) as Partial<DeltaBehavior>)))
    .add('GET', '/_control/failures', () => ok(control.listFailures()))
    .add('POST', '/_control/failures', (r) => json(201, { id: control.addFailure(obj(r.body) as unknown as FailureRule) }))
    .add('DELETE', '/_control/failures', () => ok(control.clearFailures()))
    .add('DELETE', '/_control/failures/:id', (_r, p) => ok({ removed: control.removeFailure(p['id'] ?? '') }))
    .add('GET', '/_control/subscriptions', () => ok(control.listSubscriptions()))
    .add('PUT', '/_control/subscriptions/limits', (r) => ok(control.setSubscriptionLimits(obj(r.body))))
    .add('POST', '/_control/subscriptions/:id/lifecycle', (r, p) => ok(control.triggerLifecycle(p['id'] ?? '', obj(r.body)['event'] as LifecycleEvent)))
    .add('GET', '/_control/deliveries', () => ok(control.deliveries()))
    .add('GET', '/_control/deliveries/stats', () => ok(control.deliveryStats()))
    .add('PUT', '/_control/deliveries/options', (r) => ok(control.setDeliveryOptions(obj(r.body) as Partial<DeliveryOptions>)))
    .add('POST', '/_control/deliveries/idle', async () => {
      await control.idle();
      return ok(control.deliveryStats());
    });
}

function memberIds(body: Json | undefined): string[] {
  const ids = obj(body)['memberIds'];
  return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
}
