// /directoryObjects (getByIds, get one) and /directory/deletedItems (list, get, restore, permanent delete).
import { z } from 'zod';
import { badRequest, notFound } from '../errors.js';
import { json, noContent, type Router, type SimRequest } from '../http-types.js';
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

function deletedContext(ctx: SimContext, req: SimRequest): string {
  return `${ctx.baseUrl()}/${req.version}/$metadata#directory/deletedItems`;
}

export function directoryRoutes(router: Router, ctx: SimContext): void {
  router
    .add('POST', '/directoryObjects/getByIds', (req) => {
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
    .add('GET', '/directoryObjects/:id', (req, p) => {
      const r = ctx.store.find(p['id'] ?? '');
      if (!r) throw notFound(p['id'] ?? '');
      const select = parseSelect(req.query.get('$select'), [r.kind], req.version);
      return json(200, serialize(r, { version: req.version, select, withType: true }));
    });

  const listDeleted = (kind: ObjectKind | null) => (req: SimRequest) => {
    const select = parseSelect(req.query.get('$select'), kind ? [kind] : ['user', 'group'], req.version);
    const items = [...ctx.store.deleted.values()].map((d) => d.record).filter((r) => kind === null || r.kind === kind);
    return json(200, { '@odata.context': deletedContext(ctx, req), value: items.map((r) => serialize(r, { version: req.version, select, withType: true })) });
  };
  router
    .add('GET', '/directory/deletedItems', listDeleted(null))
    .add('GET', '/directory/deletedItems/microsoft.graph.group', listDeleted('group'))
    .add('GET', '/directory/deletedItems/microsoft.graph.user', listDeleted('user'))
    .add('GET', '/directory/deletedItems/:id', (req, p) => {
      const d = ctx.store.deleted.get(p['id'] ?? '');
      if (!d) throw notFound(p['id'] ?? '');
      const select = parseSelect(req.query.get('$select'), [d.record.kind], req.version);
      return json(200, { '@odata.context': `${deletedContext(ctx, req)}/$entity`, ...serialize(d.record, { version: req.version, select, withType: true }) });
    })
    .add('POST', '/directory/deletedItems/:id/restore', (req, p) => {
      const r = ctx.store.restore(p['id'] ?? '');
      return json(200, { '@odata.context': `${ctx.baseUrl()}/${req.version}/$metadata#directoryObjects/$entity`, ...serialize(r, { version: req.version, select: null, withType: true }) });
    })
    .add('DELETE', '/directory/deletedItems/:id', (_req, p) => {
      ctx.store.purge(p['id'] ?? '');
      return noContent();
    });
}
