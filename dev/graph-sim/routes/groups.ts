// /groups: list, get, create, update, delete, members (list, add $ref, remove $ref) and delta.
import { z } from 'zod';
import type { GraphError } from '../errors.js';
import { badRequest, notFound } from '../errors.js';
import type { GraphRouter } from '../graph-router.js';
import { json, noContent, type SimRequest } from '../http-types.js';
import { NEEDS } from '../permissions.js';
import { parseSelect, serialize } from '../serialize.js';
import { newId } from '../ids.js';
import type { SimContext } from '../context.js';
import type { GroupRecord, Json, JsonObject, WritebackConfiguration } from '../types.js';
import { page, pageOf, parseListFilter } from './paging.js';
import { idFromReference } from './refs.js';

const MAIL_NICKNAME = /^[\x21-\x7e]{1,64}$/;
const MAIL_NICKNAME_FORBIDDEN = /[@()\\[\]";:.<>, ]/;
const MAX_BIND = 20;

const writebackSchema = z
  .object({
    isEnabled: z.boolean().nullable().optional(),
    onPremisesGroupType: z.enum(['universalDistributionGroup', 'universalSecurityGroup', 'universalMailEnabledSecurityGroup']).nullable().optional(),
  })
  .strict();

const createSchema = z
  .object({
    displayName: z.string().min(1).max(256),
    description: z.string().max(1024).nullish(),
    mailEnabled: z.boolean(),
    mailNickname: z.string(),
    securityEnabled: z.boolean(),
    groupTypes: z.array(z.string()).optional(),
    visibility: z.string().nullish(),
    membershipRule: z.string().nullish(),
    membershipRuleProcessingState: z.enum(['On', 'Paused']).nullish(),
    isAssignableToRole: z.boolean().optional(),
    writebackConfiguration: writebackSchema.optional(),
    'members@odata.bind': z.array(z.string()).optional(),
    'owners@odata.bind': z.array(z.string()).optional(),
  })
  .strict();

const patchSchema = z
  .object({
    displayName: z.string().min(1).max(256).optional(),
    description: z.string().max(1024).nullable().optional(),
    mailNickname: z.string().optional(),
    visibility: z.string().nullable().optional(),
    groupTypes: z.array(z.string()).optional(),
    securityEnabled: z.boolean().optional(),
    membershipRule: z.string().nullable().optional(),
    membershipRuleProcessingState: z.enum(['On', 'Paused']).nullable().optional(),
    writebackConfiguration: writebackSchema.optional(),
    'members@odata.bind': z.array(z.string()).optional(),
  })
  .strict();

function invalid(error: z.ZodError): GraphError {
  const first = error.issues[0];
  if (first?.code === 'unrecognized_keys') return badRequest(`Invalid property '${first.keys[0] ?? ''}'.`);
  return badRequest(`Invalid value for property '${first?.path.join('.') ?? ''}': ${first?.message ?? 'invalid'}.`);
}

function checkMailNickname(nick: string): void {
  if (!MAIL_NICKNAME.test(nick) || MAIL_NICKNAME_FORBIDDEN.test(nick)) {
    throw badRequest(`Invalid value specified for property 'mailNickname' of resource 'Group'.`);
  }
}

function assertCloudMastered(g: GroupRecord): void {
  if (g.props['onPremisesSyncEnabled'] === true) {
    throw badRequest('Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.');
  }
}

function assertStaticMembership(g: GroupRecord): void {
  const types = g.props['groupTypes'];
  if (Array.isArray(types) && types.includes('DynamicMembership')) {
    throw badRequest('Insufficient privileges to complete the operation: members of a group with dynamic membership cannot be changed.', 'Authorization_RequestDenied');
  }
}

function groupContext(ctx: SimContext, req: SimRequest, select: string[] | null, entity = false): string {
  const sel = select ? `(${select.join(',')})` : '';
  return `${ctx.baseUrl()}/${req.version}/$metadata#groups${sel}${entity ? '/$entity' : ''}`;
}

function bindMembers(ctx: SimContext, g: GroupRecord, refs: string[] | undefined): void {
  if (!refs) return;
  if (refs.length > MAX_BIND) throw badRequest(`A maximum of ${MAX_BIND} members can be added in one request.`);
  for (const r of refs) ctx.store.addMember(g.id, idFromReference(r));
}

/** writebackConfiguration (beta: selected, or among the default properties) needs Group.Read.All. */
function groupRead(req: SimRequest): readonly string[] {
  if (req.version !== 'beta') return NEEDS.groupRead;
  const select = req.query.get('$select');
  const all = select === null || select.split(',').some((name) => name.trim() === 'writebackConfiguration');
  return all ? NEEDS.groupReadAll : NEEDS.groupRead;
}

export function groupRoutes(router: GraphRouter, ctx: SimContext): void {
  const deltaHandler = (req: SimRequest) => ctx.delta.handle(req);
  router
    .add('GET', '/groups/delta', groupRead, deltaHandler)
    .add('GET', '/groups/delta()', groupRead, deltaHandler)
    .add('GET', '/groups/microsoft.graph.delta()', groupRead, deltaHandler)
    .add('GET', '/groups', groupRead, (req) => {
      const select = parseSelect(req.query.get('$select'), ['group'], req.version);
      const filter = parseListFilter(req.query.get('$filter'));
      const items = [...ctx.store.groups.values()].filter(filter);
      return json(200, page(req, ctx.baseUrl(), items, (g) => serialize(g, { version: req.version, select }), groupContext(ctx, req, select)));
    })
    .add('POST', '/groups', NEEDS.groupCreate, (req) => {
      const parsed = createSchema.safeParse(req.body);
      if (!parsed.success) throw invalid(parsed.error);
      const b = parsed.data;
      checkMailNickname(b.mailNickname);
      const groupTypes = b.groupTypes ?? [];
      const unified = groupTypes.includes('Unified');
      if (b.mailEnabled && !unified) {
        throw badRequest('Creating mail-enabled security groups and distribution groups is not supported through Microsoft Graph.');
      }
      if (!b.mailEnabled && unified) throw badRequest('A Microsoft 365 group must be mail-enabled.');
      if (groupTypes.includes('DynamicMembership') && !b.membershipRule) throw badRequest('A dynamic group needs a membershipRule.');
      const mail = unified ? `${b.mailNickname}@${ctx.domain}` : null;
      const id = newId();
      const props: JsonObject = {
        displayName: b.displayName,
        description: b.description ?? null,
        mailEnabled: b.mailEnabled,
        mailNickname: b.mailNickname,
        securityEnabled: b.securityEnabled,
        groupTypes,
        visibility: b.visibility ?? (unified ? 'Public' : null),
        membershipRule: b.membershipRule ?? null,
        membershipRuleProcessingState: b.membershipRule ? (b.membershipRuleProcessingState ?? 'On') : null,
        isAssignableToRole: b.isAssignableToRole ?? null,
        mail,
        proxyAddresses: mail ? [`SMTP:${mail}`] : [],
        onPremisesSyncEnabled: null,
      };
      if (b.writebackConfiguration && req.version !== 'beta') throw badRequest("Invalid property 'writebackConfiguration'.");
      const refs = b['members@odata.bind'];
      if (refs && refs.length > MAX_BIND) throw badRequest(`A maximum of ${MAX_BIND} members can be added in one request.`);
      const memberIds = (refs ?? []).map(idFromReference);
      for (const m of memberIds) if (!ctx.store.find(m)) throw notFound(m);
      const g = ctx.store.addGroup(id, props, toWriteback(b.writebackConfiguration), memberIds);
      return json(201, { '@odata.context': groupContext(ctx, req, null, true), ...serialize(g, { version: req.version, select: null }) });
    })
    .add('GET', '/groups/:id', groupRead, (req, p) => {
      const g = ctx.store.group(p['id'] ?? '');
      const select = parseSelect(req.query.get('$select'), ['group'], req.version);
      return json(200, { '@odata.context': groupContext(ctx, req, select, true), ...serialize(g, { version: req.version, select }) });
    })
    .add('PATCH', '/groups/:id', NEEDS.groupWrite, (req, p) => {
      const g = ctx.store.group(p['id'] ?? '');
      const parsed = patchSchema.safeParse(req.body);
      if (!parsed.success) throw invalid(parsed.error);
      const { writebackConfiguration, 'members@odata.bind': refs, ...patch } = parsed.data;
      if (writebackConfiguration && req.version !== 'beta') throw badRequest("Invalid property 'writebackConfiguration'.");
      if (Object.keys(patch).length > 0) assertCloudMastered(g);
      if (patch.mailNickname !== undefined) checkMailNickname(patch.mailNickname);
      if (refs) {
        assertCloudMastered(g);
        assertStaticMembership(g);
      }
      ctx.store.updateGroup(g.id, patch as JsonObject, toWriteback(writebackConfiguration));
      bindMembers(ctx, g, refs);
      return noContent();
    })
    .add('DELETE', '/groups/:id', NEEDS.groupWrite, (_req, p) => {
      ctx.store.deleteGroup(p['id'] ?? '');
      return noContent();
    })
    .add('GET', '/groups/:id/members', NEEDS.groupRead, (req, p) => {
      const g = ctx.store.group(p['id'] ?? '');
      const select = parseSelect(req.query.get('$select'), ['user', 'group', 'device'], req.version);
      const ids = [...g.members];
      // Only the page's members are looked up (a page may come out short if one vanished: Graph's may too).
      const at = (offset: number, top: number) => ids.slice(offset, offset + top).map((m) => ctx.store.find(m)).filter((r) => r !== undefined);
      const context = `${ctx.baseUrl()}/${req.version}/$metadata#directoryObjects`;
      return json(200, pageOf(req, ctx.baseUrl(), ids.length, at, (r) => serialize(r, { version: req.version, select, withType: true }), context));
    })
    .add('POST', '/groups/:id/members/$ref', NEEDS.memberWrite, (req, p) => {
      const g = ctx.store.group(p['id'] ?? '');
      assertCloudMastered(g);
      assertStaticMembership(g);
      const body = req.body as { '@odata.id'?: Json } | undefined;
      ctx.store.addMember(g.id, idFromReference(body?.['@odata.id']));
      return noContent();
    })
    .add('DELETE', '/groups/:id/members/:memberId/$ref', NEEDS.memberWrite, (_req, p) => {
      const g = ctx.store.group(p['id'] ?? '');
      assertCloudMastered(g);
      assertStaticMembership(g);
      ctx.store.removeMember(g.id, p['memberId'] ?? '');
      return noContent();
    });
}

function toWriteback(w: z.infer<typeof writebackSchema> | undefined): Partial<WritebackConfiguration> | undefined {
  if (!w) return undefined;
  const out: Partial<WritebackConfiguration> = {};
  if (w.isEnabled !== undefined) out.isEnabled = w.isEnabled;
  if (w.onPremisesGroupType !== undefined) out.onPremisesGroupType = w.onPremisesGroupType;
  return out;
}
