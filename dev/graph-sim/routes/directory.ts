// /directoryObjects (getByIds, get one) and /directory/deletedItems (list, get, restore, permanent delete). Deleted
// items need the permission of their type (Group.Read.All for groups, User.Read.All for users); an unknown id needs
// either before it is answered with 404.
import { z } from 'zod';
import { badRequest, notFound } from '../errors.js';
import type { GraphRouter } from '../graph-router.js';
import { json, noContent, type SimRequest } from '../http-types.js';
import { NEEDS } from '../permissions.js';
import { parseSelect, serialize } from '../serialize.js';
import type { SimContext } from '../context.js';
import type { DirectoryRecord, ObjectKind } from '../types.js';

const MAX_IDS = 1000;
const KINDS: ObjectKind[] = ['user', 'group', 'device'];

const getByIdsSchema = z.object({ ids: z.array(z.string()), types: z.array(z.string()).optional() }).strict();

function kindsOf(types: string[] | undefined): ObjectKind[] {
  if (!types || types.length === 0) return KINDS;
  return types.map((t) => {
    const k = t.replace(/^#?microsoft\.graph\./i, '').toLowerCase();
    if (k === 'user' || k === 'group' || k === 'device') return k;
    if (['serviceprincipal', 'orgcontact', 'application', 'directoryrole', 'administrativeunit'].includes(k)) return null;
    throw badRequest(`Invalid type '${t}' in 'types'.`);
  }).filter((k): k is ObjectKind => k !== null);
}

const DELETED_READ: Record<ObjectKind, readonly string[]> = { group: NEEDS.groupReadAll, user: NEEDS.userRead, device: NEEDS.deviceRead };
const DELETED_WRITE: Record<ObjectKind, readonly string[]> = { group: NEEDS.groupWrite, user: NEEDS.userDelete, device: NEEDS.deviceRead };

/** The permissions a deleted item's call needs: by its type, or those of any type when it is unknown. */
function deletedAccess(ctx: SimContext, needs: Record<ObjectKind, readonly string[]>) {
  return (_req: SimRequest, p: Record<string, string>): readonly string[] => {
    const d = ctx.store.deleted.get(p['id'] ?? '');
    return d ? needs[d.record.kind] : [...needs.group, ...needs.user];
  };
}

function deletedContext(ctx: SimContext, req: SimRequest): string {
  return `${ctx.baseUrl()}/${req.version}/$metadata#directory/deletedItems`;
}

export function directoryRoutes(router: GraphRouter, ctx: SimContext): void {
  router
    .add('POST', '/directoryObjects/getByIds', NEEDS.directoryRead, (req) => {
      const parsed = getByIdsSchema.safeParse(req.body);
      if (!parsed.success) throw badRequest("Invalid request body: expected {\"ids\": [...], \"types\": [...]}.");
      if (parsed.data.ids.length > MAX_IDS) throw badRequest(`Too many ids: the maximum is ${MAX_IDS}.`);
      const kinds = kindsOf(parsed.data.types);
      const select = parseSelect(req.query.get('$select'), kinds.length > 0 ? kinds : KINDS, req.version);
      const found = parsed.data.ids
        .map((id) => ctx.store.find(id))
        .filter((r): r is DirectoryRecord => r !== undefined && kinds.includes(r.kind));
      return json(200, {
        '@odata.context': `${ctx.baseUrl()}/${req.version}/$metadata#directoryObjects`,
        value: found.map((r) => serialize(r, { version: req.version, select, withType: true })),
      });
    })
    .add('GET', '/directoryObjects/:id', NEEDS.directoryRead, (req, p) => {
      const r = ctx.store.find(p['id'] ?? '');
      if (!r) throw notFound(p['id'] ?? '');
      const select = parseSelect(req.query.get('$select'), [r.kind], req.version);
      return json(200, serialize(r, { version: req.version, select, withType: true }));
    });

  // Without a type cast: the deleted items of the types the app may read.
  const listDeleted = (kind: ObjectKind | null) => (req: SimRequest) => {
    const select = parseSelect(req.query.get('$select'), kind ? [kind] : ['user', 'group'], req.version);
    const items = [...ctx.store.deleted.values()]
      .map((d) => d.record)
      .filter((r) => (kind === null ? ctx.permissions.allows(DELETED_READ[r.kind]) : r.kind === kind));
    return json(200, { '@odata.context': deletedContext(ctx, req), value: items.map((r) => serialize(r, { version: req.version, select, withType: true })) });
  };
  router
    .add('GET', '/directory/deletedItems', [...DELETED_READ.group, ...DELETED_READ.user], listDeleted(null))
    .add('GET', '/directory/deletedItems/microsoft.graph.group', DELETED_READ.group, listDeleted('group'))
    .add('GET', '/directory/deletedItems/microsoft.graph.user', DELETED_READ.user, listDeleted('user'))
    .add('GET', '/directory/deletedItems/:id', deletedAccess(ctx, DELETED_READ), (req, p) => {
      const d = ctx.store.deleted.get(p['id'] ?? '');
      if (!d) throw notFound(p['id'] ?? '');
      const select = parseSelect(req.query.get('$select'), [d.record.kind], req.version);
      return json(200, { '@odata.context': `${deletedContext(ctx, req)}/$entity`, ...serialize(d.record, { version: req.version, select, withType: true }) });
    })
    .add('POST', '/directory/deletedItems/:id/restore', deletedAccess(ctx, DELETED_WRITE), (req, p) => {
      const r = ctx.store.restore(p['id'] ?? '');
      return json(200, { '@odata.context': `${ctx.baseUrl()}/${req.version}/$metadata#directoryObjects/$entity`, ...serialize(r, { version: req.version, select: null, withType: true }) });
    })
    .add('DELETE', '/directory/deletedItems/:id', deletedAccess(ctx, DELETED_WRITE), (_req, p) => {
      ctx.store.purge(p['id'] ?? '');
      return noContent();
    });
}
