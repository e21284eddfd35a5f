// /users and /devices: list, get, create (cloud-only users), delete (users go to deleted items).
import { z } from 'zod';
import { badRequest, notFound } from '../errors.js';
import type { GraphRouter } from '../graph-router.js';
import { json, noContent, type SimRequest } from '../http-types.js';
import { newId } from '../ids.js';
import { NEEDS } from '../permissions.js';
import { parseSelect, serialize } from '../serialize.js';
import type { SimContext } from '../context.js';
import type { ObjectKind } from '../types.js';
import { page, parseListFilter } from './paging.js';

const createUserSchema = z
  .object({
    accountEnabled: z.boolean(),
    displayName: z.string().min(1),
    mailNickname: z.string().min(1),
    userPrincipalName: z.string().includes('@'),
    passwordProfile: z.object({ password: z.string().min(1), forceChangePasswordNextSignIn: z.boolean().optional() }),
    givenName: z.string().optional(),
    surname: z.string().optional(),
    jobTitle: z.string().optional(),
    mail: z.string().optional(),
  })
  .strict();

function context(ctx: SimContext, req: SimRequest, set: string, select: string[] | null, entity = false): string {
  return `${ctx.baseUrl()}/${req.version}/$metadata#${set}${select ? `(${select.join(',')})` : ''}${entity ? '/$entity' : ''}`;
}

function listRoute(router: GraphRouter, ctx: SimContext, set: 'users' | 'devices', kind: ObjectKind): void {
  router.add('GET', `/${set}`, set === 'users' ? NEEDS.userRead : NEEDS.deviceRead, (req) => {
    const select = parseSelect(req.query.get('$select'), [kind], req.version);
    const filter = parseListFilter(req.query.get('$filter'));
    const items = [...(set === 'users' ? ctx.store.users : ctx.store.devices).values()].filter(filter);
    return json(200, page(req, ctx.baseUrl(), items, (r) => serialize(r, { version: req.version, select }), context(ctx, req, set, select)));
  });
}

export function userRoutes(router: GraphRouter, ctx: SimContext): void {
  listRoute(router, ctx, 'users', 'user');
  listRoute(router, ctx, 'devices', 'device');
  router
    .add('GET', '/users/:id', NEEDS.userRead, (req, p) => {
      const u = ctx.store.findUser(p['id'] ?? '');
      if (!u) throw notFound(p['id'] ?? '');
      const select = parseSelect(req.query.get('$select'), ['user'], req.version);
      return json(200, { '@odata.context': context(ctx, req, 'users', select, true), ...serialize(u, { version: req.version, select }) });
    })
    .add('POST', '/users', NEEDS.userWrite, (req) => {
      const parsed = createUserSchema.safeParse(req.body);
      if (!parsed.success) throw badRequest(`Invalid user: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}.`);
      const b = parsed.data;
      const u = ctx.store.addUser(newId(), {
        accountEnabled: b.accountEnabled,
        displayName: b.displayName,
        mailNickname: b.mailNickname,
        userPrincipalName: b.userPrincipalName,
        givenName: b.givenName ?? null,
        surname: b.surname ?? null,
        jobTitle: b.jobTitle ?? null,
        mail: b.mail ?? null,
        onPremisesSyncEnabled: null,
      });
      return json(201, { '@odata.context': context(ctx, req, 'users', null, true), ...serialize(u, { version: req.version, select: null }) });
    })
    .add('DELETE', '/users/:id', NEEDS.userDelete, (_req, p) => {
      const u = ctx.store.findUser(p['id'] ?? '');
      if (!u) throw notFound(p['id'] ?? '');
      if (u.props['onPremisesSyncEnabled'] === true) {
        throw badRequest('Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.');
      }
      ctx.store.deleteUser(u.id);
      return noContent();
    })
    .add('GET', '/devices/:id', NEEDS.deviceRead, (req, p) => {
      const d = ctx.store.devices.get(p['id'] ?? '');
      if (!d) throw notFound(p['id'] ?? '');
      const select = parseSelect(req.query.get('$select'), ['device'], req.version);
      return json(200, { '@odata.context': context(ctx, req, 'devices', select, true), ...serialize(d, { version: req.version, select }) });
    });
}
