// /subscriptions: create (with validation handshake), list, get, renew (PATCH), delete, reauthorize. Every call
// needs the permission to read the subscribed resource: Group.Read.All, as the simulator serves groups only.
import type { GraphRouter } from '../graph-router.js';
import { json, noContent } from '../http-types.js';
import { NEEDS } from '../permissions.js';
import type { SimContext } from '../context.js';

export function subscriptionRoutes(router: GraphRouter, ctx: SimContext): void {
  const need = NEEDS.groupSubscription;
  const subs = ctx.subscriptions;
  router
    .add('POST', '/subscriptions', need, async (req) => json(201, subs.toJson(await subs.create(req.body), ctx.baseUrl(), req.version)))
    .add('GET', '/subscriptions', need, (req) =>
      json(200, {
        '@odata.context': `${ctx.baseUrl()}/${req.version}/$metadata#subscriptions`,
        value: subs.list().map((s) => {
          const { '@odata.context': _c, ...rest } = subs.toJson(s, ctx.baseUrl(), req.version);
          return rest;
        }),
      }),
    )
    .add('GET', '/subscriptions/:id', need, (req, p) => json(200, subs.toJson(subs.get(p['id'] ?? ''), ctx.baseUrl(), req.version)))
    .add('PATCH', '/subscriptions/:id', need, async (req, p) => json(200, subs.toJson(await subs.update(p['id'] ?? '', req.body), ctx.baseUrl(), req.version)))
    .add('DELETE', '/subscriptions/:id', need, (_req, p) => {
      subs.delete(p['id'] ?? '');
      return noContent();
    })
    .add('POST', '/subscriptions/:id/reauthorize', need, (_req, p) => {
      subs.reauthorize(p['id'] ?? '');
      return noContent();
    });
}
