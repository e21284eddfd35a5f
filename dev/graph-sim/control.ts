// The control API: seed the directory (synced users/groups with SIDs), set tenant settings, move the
// clock, expire delta tokens, inject failures, trigger lifecycle events, inspect deliveries, reset.
// The HTTP routes under /_control call exactly these methods.
import type { z } from 'zod';
import { badRequest } from './errors.js';
import { cloudSid, newDomainSid, newId, newImmutableId } from './ids.js';
import { serialize } from './serialize.js';
import { ensureUnifiedSetting } from './routes/settings.js';
import * as s from './control-schemas.js';
import type { SimContext } from './context.js';
import type { DeltaBehavior, TokenFailureMode } from './delta.js';
import type { Delivery, DeliveryOptions, DeliveryStats } from './deliveries.js';
import type { FailureRule } from './failures.js';
import type { LifecycleEvent, SubscriptionOptions } from './subscriptions.js';
import type { JsonObject, WritebackConfiguration } from './types.js';

export interface OnPremDomain {
  /** DNS name, e.g. corp.example.com. */
  dnsName: string;
  netBiosName: string;
  /** Domain SID; object SIDs are <domainSid>-<RID>. */
  sid: string;
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw badRequest(`Invalid control request: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

export class GraphSimControl {
  readonly onPremDomain: OnPremDomain;
  private nextRid = 1100;

  constructor(
    private readonly ctx: SimContext,
    private readonly subscriptionOptions: SubscriptionOptions,
    onPremDomain?: Partial<OnPremDomain>,
  ) {
    this.onPremDomain = { dnsName: 'corp.example.com', netBiosName: 'CORP', sid: newDomainSid(), ...onPremDomain };
  }

  /** Empties the directory, subscriptions, deliveries, failure rules; invalidates delta tokens; grants the start
   *  permissions again; keeps the clock. */
  reset(): void {
    this.ctx.permissions.reset();
    this.ctx.store.clear();
    this.ctx.subscriptions.reset();
    this.ctx.deliveries.clear();
    this.ctx.failures.clear();
    this.ctx.delta.reset();
  }

  // ---- directory seeding ----

  createUser(spec: s.UserSpec): JsonObject {
    const u = parse(s.userSpecSchema, spec);
    const id = u.id ?? newId();
    const nick = (u.userPrincipalName?.split('@')[0] ?? u.displayName.replace(/[^A-Za-z0-9]/g, '').toLowerCase()) || 'user';
    const upn = u.userPrincipalName ?? `${nick}@${this.ctx.domain}`;
    const props: JsonObject = {
      displayName: u.displayName,
      userPrincipalName: upn,
      mail: u.mail === undefined ? upn : u.mail,
      mailNickname: nick,
      accountEnabled: true,
      onPremisesSyncEnabled: null,
    };
    if (u.synced) {
      const o = typeof u.synced === 'object' ? u.synced : {};
      const sam = o.samAccountName ?? nick.slice(0, 20);
      const sid = o.securityIdentifier ?? this.newSid();
      Object.assign(props, {
        onPremisesSyncEnabled: true,
        onPremisesSecurityIdentifier: sid,
        securityIdentifier: sid,
        onPremisesImmutableId: o.immutableId ?? newImmutableId(),
        onPremisesSamAccountName: sam,
        onPremisesDomainName: o.domainName ?? this.onPremDomain.dnsName,
        onPremisesUserPrincipalName: `${sam}@${o.domainName ?? this.onPremDomain.dnsName}`,
        onPremisesDistinguishedName: o.distinguishedName ?? `CN=${u.displayName},OU=Users,${this.domainDn()}`,
        onPremisesLastSyncDateTime: this.ctx.clock.now().toISOString(),
      });
    }
    return this.full(this.ctx.store.addUser(id, props));
  }

  createGroup(spec: s.GroupSpec): JsonObject {
    const g = parse(s.groupSpecSchema, spec);
    const id = g.id ?? newId();
    const nick = g.mailNickname ?? (g.displayName.replace(/[^A-Za-z0-9]/g, '').slice(0, 64) || `group${id.slice(0, 8)}`);
    const mailEnabled = g.kind !== 'security';
    const mail = mailEnabled ? (g.mail === undefined ? `${nick}@${this.ctx.domain}` : g.mail) : null;
    const groupTypes = [...(g.kind === 'm365' ? ['Unified'] : []), ...(g.dynamic ? ['DynamicMembership'] : [])];
    const props: JsonObject = {
      displayName: g.displayName,
      description: g.description ?? null,
      groupTypes,
      mailEnabled,
      securityEnabled: g.kind === 'security' || g.kind === 'mailEnabledSecurity',
      mail,
      mailNickname: nick,
      proxyAddresses: g.proxyAddresses ?? (mail ? [`SMTP:${mail}`] : []),
      visibility: g.kind === 'm365' ? 'Public' : null,
      membershipRule: g.dynamic ? (g.membershipRule ?? 'user.department -eq "Sales"') : null,
      membershipRuleProcessingState: g.dynamic ? 'On' : null,
      onPremisesSyncEnabled: null,
      securityIdentifier: cloudSid(id),
    };
    if (g.synced) {
      const o = typeof g.synced === 'object' ? g.synced : {};
      const sid = o.securityIdentifier ?? this.newSid();
      Object.assign(props, {
        onPremisesSyncEnabled: true,
        onPremisesSecurityIdentifier: sid,
        securityIdentifier: sid,
        onPremisesSamAccountName: o.samAccountName ?? nick.slice(0, 20),
        onPremisesDomainName: o.domainName ?? this.onPremDomain.dnsName,
        onPremisesNetBiosName: this.onPremDomain.netBiosName,
        onPremisesLastSyncDateTime: this.ctx.clock.now().toISOString(),
      });
    }
    for (const m of g.members ?? []) if (!this.ctx.store.find(m)) throw badRequest(`Member '${m}' does not exist.`);
    const rec = this.ctx.store.addGroup(id, props, toWriteback(g.writebackConfiguration), g.members ?? []);
    return this.full(rec);
  }

  createDevice(spec: s.DeviceSpec): JsonObject {
    const d = parse(s.deviceSpecSchema, spec);
    const props: JsonObject = {
      deviceId: d.deviceId ?? newId(),
      displayName: d.displayName,
      accountEnabled: true,
      operatingSystem: 'Windows',
      trustType: d.trustType ?? (d.synced ? 'ServerAd' : 'AzureAd'),
      onPremisesSyncEnabled: d.synced ? true : null,
      onPremisesSecurityIdentifier: d.synced ? (typeof d.synced === 'object' && d.synced.securityIdentifier ? d.synced.securityIdentifier : this.newSid()) : null,
    };
    return this.full(this.ctx.store.addDevice(d.id ?? newId(), props));
  }

  /** Changes group properties as the directory would (also on synced groups: AD sync writes them). */
  updateGroup(groupId: string, patch: z.input<typeof s.groupPatchSchema>): string[] {
    const p = parse(s.groupPatchSchema, patch);
    return this.ctx.store.updateGroup(groupId, (p.properties ?? {}) as JsonObject, toWriteback(p.writebackConfiguration));
  }

  /** Adds members regardless of synced/dynamic rules (the directory itself does it). */
  addMembers(groupId: string, memberIds: string[]): void {
    const { memberIds: ids } = parse(s.membersSchema, { memberIds });
    for (const m of ids) this.ctx.store.addMember(groupId, m);
  }

  removeMembers(groupId: string, memberIds: string[]): void {
    const { memberIds: ids } = parse(s.membersSchema, { memberIds });
    for (const m of ids) this.ctx.store.removeMember(groupId, m);
  }

  /** Deletes a group as DELETE /groups/{id} does; `permanent` also purges it from deleted items. */
  deleteGroup(groupId: string, opts: { permanent?: boolean } = {}): 'soft' | 'permanent' {
    const how = this.ctx.store.deleteGroup(groupId);
    if (how === 'soft' && opts.permanent) {
      this.ctx.store.purge(groupId);
      return 'permanent';
    }
    return how;
  }

  deleteUser(userId: string): void {
    this.ctx.store.deleteUser(userId);
  }

  restore(id: string): JsonObject {
    return this.full(this.ctx.store.restore(id));
  }

  purge(id: string): void {
    this.ctx.store.purge(id);
  }

  /** The Group.Unified directory setting NewUnifiedGroupWritebackDefault. */
  setTenantSettings(settings: z.input<typeof s.tenantSettingsSchema>): void {
    const t = parse(s.tenantSettingsSchema, settings);
    const id = ensureUnifiedSetting(this.ctx);
    this.ctx.store.setUnifiedGroupSetting(id, 'NewUnifiedGroupWritebackDefault', String(t.newUnifiedGroupWritebackDefault));
  }

  // ---- the app's application permissions ----

  /** Replaces the app's application permissions (until reset()). */
  setPermissions(permissions: readonly string[]): string[] {
    this.ctx.permissions.set(parse(s.permissionsSchema, permissions));
    return this.ctx.permissions.list();
  }

  permissions(): string[] {
    return this.ctx.permissions.list();
  }

  // ---- time, delta, failures ----

  now(): Date {
    return this.ctx.clock.now();
  }

  setClock(to: Date): void {
    this.ctx.clock.set(to);
  }

  advanceClock(ms: number): void {
    this.ctx.clock.advance(ms);
  }

  /** Every delta/skip token issued so far fails: 410 + Location ("gone"), 400 syncStateNotFound, or 400 resyncRequired. */
  invalidateDeltaTokens(mode: TokenFailureMode = 'gone'): void {
    this.ctx.delta.invalidateTokens(parse(s.invalidateSchema, { mode }).mode);
  }

  setDeltaBehavior(behavior: Partial<DeltaBehavior>): DeltaBehavior {
    const b = parse(s.deltaBehaviorSchema, behavior);
    this.ctx.delta.behavior = { ...this.ctx.delta.behavior, ...stripUndefined(b) };
    return { ...this.ctx.delta.behavior };
  }

  addFailure(rule: FailureRule): string {
    return this.ctx.failures.add(parse(s.failureRuleSchema, rule));
  }

  removeFailure(id: string): boolean {
    return this.ctx.failures.remove(id);
  }

  clearFailures(): void {
    this.ctx.failures.clear();
  }

  listFailures(): ReturnType<SimContext['failures']['list']> {
    return this.ctx.failures.list();
  }

  // ---- subscriptions and deliveries ----

  listSubscriptions(): JsonObject[] {
    return this.ctx.subscriptions.list().map((sub) => this.ctx.subscriptions.toJson(sub, this.ctx.baseUrl(), 'v1.0'));
  }

  setSubscriptionLimits(limits: Partial<Pick<SubscriptionOptions, 'validationTimeoutMs' | 'maxSubscriptions'>>): void {
    Object.assign(this.subscriptionOptions, stripUndefined(parse(s.subscriptionLimitsSchema, limits)));
  }

  triggerLifecycle(subscriptionId: string, event: LifecycleEvent): void {
    this.ctx.subscriptions.triggerLifecycle(subscriptionId, parse(s.lifecycleSchema, { event }).event);
  }

  setDeliveryOptions(options: Partial<DeliveryOptions>): DeliveryOptions {
    const o = parse(s.deliveryOptionsSchema, options);
    this.ctx.deliveries.options = { ...this.ctx.deliveries.options, ...stripUndefined(o) };
    return { ...this.ctx.deliveries.options };
  }

  deliveries(): Delivery[] {
    return this.ctx.deliveries.list();
  }

  /** The next `count` change notifications are lost: Graph gave up delivering them. */
  dropNotifications(count: number): void {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
    this.ctx.deliveries.dropNext(count);
  }

  deliveryStats(): DeliveryStats {
    return this.ctx.deliveries.stats();
  }

  /** Resolves when no notification is buffered, in flight or waiting for a retry. */
  idle(): Promise<void> {
    return this.ctx.deliveries.idle();
  }

  private newSid(): string {
    this.nextRid += 1;
    return `${this.onPremDomain.sid}-${this.nextRid}`;
  }

  private domainDn(): string {
    return this.onPremDomain.dnsName.split('.').map((p) => `DC=${p}`).join(',');
  }

  private full(rec: Parameters<typeof serialize>[0]): JsonObject {
    const all = serialize(rec, { version: 'beta', select: null });
    return { ...all, ...rec.props, id: rec.id, '@odata.type': `#microsoft.graph.${rec.kind}` };
  }
}

function toWriteback(w: z.infer<typeof s.writebackSpecSchema> | undefined): Partial<WritebackConfiguration> | undefined {
  if (!w) return undefined;
  return stripUndefined(w) as Partial<WritebackConfiguration>;
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
