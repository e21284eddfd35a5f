// /subscriptions: create (with validation handshake), list, get, renew (PATCH), delete, reauthorize.
import { json, noContent, type Router } from '../http-types.js';
import type { SimContext } from '../context.js';

export function subscriptionRoutes(router: Router, ctx: SimContext): void {
  const subs = ctx.subscriptions;
  router
    .add('POST', '/subscriptions', async (req) => json(201, subs.toJson(await subs.create(req.body), ctx.baseUrl(), req.version)))
    .add('GET', '/subscriptions', (req) =>
      json(200, {
        '@odata.context': `${ctx.baseUrl()}/${req.version}/$metadata#subscriptions`,
        value: subs.list().map((s) => {
          const { '@odata.context': _c, ...rest } = subs.toJson(s, ctx.baseUrl(), req.version);
          return rest;
        }),
      }),
    )
    .add('GET', '/subscriptions/:id', (req, p) => json(200, subs.toJson(subs.get(p['id'] ?? ''), ctx.baseUrl(), req.version)))
    .add('PATCH', '/subscriptions/:id', async (req, p) => json(200, subs.toJson(await subs.update(p['id'] ?? '', req.body), ctx.baseUrl(), req.version)))
    .add('DELETE', '/subscriptions/:id', (_req, p) => {
      subs.delete(p['id'] ?? '');
      return noContent();
    })
    .add('POST', '/subscriptions/:id/reauthorize', (_req, p) => {
      subs.reauthorize(p['id'] ?? '');
      return noContent();
    });
}
