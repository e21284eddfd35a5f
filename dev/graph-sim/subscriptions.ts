// Change-notification subscriptions for groups with Graph's rules: validation handshake, expiry clamping,
// clientState length, allowed change types, quota. Turns group changes into notification deliveries.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from 'pino';
import { badRequest, GraphError, notFound } from './errors.js';
import { eventTime, offsetTime, ticks } from './ids.js';
import type { SimClock } from './clock.js';
import type { DeliveryQueue } from './deliveries.js';
import type { GroupEvent } from './store.js';
import type { Json, JsonObject } from './types.js';

const MIN_EXPIRY_MIN = 45;
const MAX_EXPIRY_MIN = 41_760;
const MAX_CLIENT_STATE = 128;
const GROUP_CHANGE_TYPES = new Set(['updated', 'deleted']);

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface Subscription {
  id: string;
  resource: string;
  /** Group id the resource is about, or null for the whole "groups" collection. */
  groupId: string | null;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: Date;
  clientState: string | null;
  latestSupportedTlsVersion: string;
  reauthorizationRequired: boolean;
}

export interface SubscriptionOptions {
  tenantId: string;
  applicationId: string;
  /** Graph allows 10 s for the validation answer. */
  validationTimeoutMs: number;
  /** Per app and tenant. */
  maxSubscriptions: number;
}

const createSchema = z.object({
  changeType: z.string().min(1),
  notificationUrl: z.string().min(1),
  resource: z.string().min(1),
  expirationDateTime: z.string().min(1),
  clientState: z.string().nullish(),
  lifecycleNotificationUrl: z.string().nullish(),
  latestSupportedTlsVersion: z.string().nullish(),
  includeResourceData: z.boolean().nullish(),
});

const patchSchema = z
  .object({ expirationDateTime: z.string().optional(), notificationUrl: z.string().optional() })
  .strict();

export class SubscriptionService {
  private readonly subs = new Map<string, Subscription>();
  private sequence = 0;

  constructor(
    private readonly opts: SubscriptionOptions,
    private readonly clock: SimClock,
    private readonly deliveries: DeliveryQueue,
    private readonly log: Logger,
  ) {}

  reset(): void {
    this.subs.clear();
  }

  list(): Subscription[] {
    this.prune();
    return [...this.subs.values()];
  }

  get(id: string): Subscription {
    this.prune();
    const s = this.subs.get(id);
    if (!s) throw notFound(id);
    return s;
  }

  async create(body: Json | undefined): Promise<Subscription> {
    const parsed = createSchema.safeParse(body);
    if (!parsed.success) throw badRequest(`Invalid subscription: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'InvalidRequest');
    const b = parsed.data;
    const groupId = parseResource(b.resource);
    const changeTypes = b.changeType.split(',').map((c) => c.trim());
    for (const c of changeTypes) {
      if (!GROUP_CHANGE_TYPES.has(c)) throw badRequest(`Change type '${c}' is not supported for resource '${b.resource}'. Supported: updated, deleted.`, 'ExtensionError');
    }
    if (b.includeResourceData) throw badRequest('Rich notifications (includeResourceData) are not supported for groups.', 'ExtensionError');
    if (b.clientState && b.clientState.length > MAX_CLIENT_STATE) throw badRequest(`clientState must be at most ${MAX_CLIENT_STATE} characters.`, 'InvalidRequest');
    checkUrl(b.notificationUrl, 'notificationUrl');
    if (b.lifecycleNotificationUrl) checkUrl(b.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
    const expiration = this.clampExpiration(b.expirationDateTime);
    this.prune();
    if (this.subs.size >= this.opts.maxSubscriptions) {
      throw new GraphError(403, 'ExtensionError', `Operation: Create; Exception: [Status Code: Forbidden; Reason: The application has reached its limit of ${this.opts.maxSubscriptions} subscriptions in this tenant.]`);
    }
    await this.validate(b.notificationUrl);
    if (b.lifecycleNotificationUrl) await this.validate(b.lifecycleNotificationUrl);
    const sub: Subscription = {
      id: randomUUID(),
      resource: b.resource,
      groupId,
      changeType: changeTypes.join(','),
      notificationUrl: b.notificationUrl,
      lifecycleNotificationUrl: b.lifecycleNotificationUrl ?? null,
      expirationDateTime: expiration,
      clientState: b.clientState ?? null,
      latestSupportedTlsVersion: b.latestSupportedTlsVersion ?? 'v1_2',
      reauthorizationRequired: false,
    };
    this.subs.set(sub.id, sub);
    this.log.info({ subscriptionId: sub.id, resource: sub.resource, expirationDateTime: expiration.toISOString() }, 'subscription created');
    return sub;
  }

  async update(id: string, body: Json | undefined): Promise<Subscription> {
    const sub = this.get(id);
    if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'lifecycleNotificationUrl' in body) {
      throw badRequest('lifecycleNotificationUrl cannot be added or changed on an existing subscription.', 'InvalidRequest');
    }
    const parsed = patchSchema.safeParse(body);
    if (!parsed.success) throw badRequest('Only expirationDateTime and notificationUrl can be updated.', 'InvalidRequest');
    const expiration = parsed.data.expirationDateTime ? this.clampExpiration(parsed.data.expirationDateTime) : undefined;
    if (parsed.data.notificationUrl) {
      checkUrl(parsed.data.notificationUrl, 'notificationUrl');
      await this.validate(parsed.data.notificationUrl);
      sub.notificationUrl = parsed.data.notificationUrl;
    }
    if (expiration) sub.expirationDateTime = expiration;
    sub.reauthorizationRequired = false;
    return sub;
  }

  delete(id: string): void {
    this.get(id);
    this.subs.delete(id);
  }

  reauthorize(id: string): void {
    this.get(id).reauthorizationRequired = false;
  }

  /** A group changed: one notification per matching subscription. */
  onGroupEvent(e: GroupEvent): void {
    for (const sub of this.list()) {
      if (!sub.changeType.split(',').includes(e.changeType)) continue;
      if (sub.groupId !== null && sub.groupId !== e.groupId) continue;
      this.sequence += 1;
      const item: JsonObject = {
        changeType: e.changeType,
        clientState: sub.clientState,
        resource: `Groups/${e.groupId}`,
        resourceData: {
          '@odata.type': '#Microsoft.Graph.Group',
          '@odata.id': `Groups/${e.groupId}`,
          id: e.groupId,
          organizationId: this.opts.tenantId,
          eventTime: eventTime(e.at),
          sequenceNumber: ticks(e.at, this.sequence),
        },
        subscriptionExpirationDateTime: offsetTime(sub.expirationDateTime),
        subscriptionId: sub.id,
        tenantId: this.opts.tenantId,
      };
      this.deliveries.enqueue('change', sub.notificationUrl, sub.id, item);
    }
  }

  /** Control API: send a lifecycle notification (and apply its meaning to the subscription). */
  triggerLifecycle(id: string, event: LifecycleEvent): void {
    const sub = this.get(id);
    if (!sub.lifecycleNotificationUrl) throw badRequest(`Subscription ${id} has no lifecycleNotificationUrl.`);
    const item: JsonObject = {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: eventTime(sub.expirationDateTime),
      tenantId: this.opts.tenantId,
      clientState: sub.clientState,
      lifecycleEvent: event,
    };
    if (event === 'reauthorizationRequired') sub.reauthorizationRequired = true;
    if (event === 'subscriptionRemoved') this.subs.delete(id);
    this.deliveries.enqueue('lifecycle', sub.lifecycleNotificationUrl, sub.id, item);
  }

  toJson(sub: Subscription, baseUrl: string, version: string): JsonObject {
    return {
      '@odata.context': `${baseUrl}/${version}/$metadata#subscriptions/$entity`,
      id: sub.id,
      resource: sub.resource,
      applicationId: this.opts.applicationId,
      changeType: sub.changeType,
      clientState: sub.clientState,
      notificationUrl: sub.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: sub.lifecycleNotificationUrl,
      expirationDateTime: sub.expirationDateTime.toISOString(),
      creatorId: this.opts.applicationId,
      includeResourceData: false,
      latestSupportedTlsVersion: sub.latestSupportedTlsVersion,
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    };
  }

  private clampExpiration(raw: string): Date {
    const t = Date.parse(raw);
    if (Number.isNaN(t)) throw badRequest(`expirationDateTime '${raw}' is not a valid date.`, 'InvalidRequest');
    const now = this.clock.nowMs();
    if (t > now + MAX_EXPIRY_MIN * 60_000) {
      throw badRequest(`Subscription expiration can only be ${MAX_EXPIRY_MIN} minutes in the future.`, 'InvalidRequest');
    }
    return new Date(Math.max(t, now + MIN_EXPIRY_MIN * 60_000));
  }

  /** The validation handshake: 200, text/plain, body = decoded token, within the time limit. */
  private async validate(url: string): Promise<void> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = new URL(url);
    target.searchParams.set('validationToken', token);
    let res: Response;
    try {
      res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: '',
        signal: AbortSignal.timeout(this.opts.validationTimeoutMs),
      });
    } catch (err) {
      const timedOut = (err as { name?: string }).name === 'TimeoutError';
      throw badRequest(timedOut ? 'Subscription validation request timed out.' : 'Subscription validation request failed. Notification endpoint could not be reached.', timedOut ? 'InvalidRequest' : 'ValidationError');
    }
    const text = await res.text();
    if (res.status !== 200) {
      throw badRequest(`Subscription validation request failed. HTTP status code is '${res.status}'. Notification endpoint must respond with 200 OK to validation request.`, 'ValidationError');
    }
    if (!(res.headers.get('content-type') ?? '').toLowerCase().startsWith('text/plain')) {
      throw badRequest('Subscription validation request failed. Response must have Content-Type text/plain.', 'ValidationError');
    }
    if (text !== token) {
      throw badRequest('Subscription validation request failed. Response must exactly match validationToken query parameter.', 'ValidationError');
    }
  }

  private prune(): void {
    const now = this.clock.nowMs();
    for (const [id, s] of this.subs) if (s.expirationDateTime.getTime() <= now) this.subs.delete(id);
  }
}

/** groups | groups/{id} | groups/{id}/members | groups/{id}/owners -> the group id (or null for all). */
function parseResource(resource: string): string | null {
  const r = resource.replace(/^\/+/, '').replace(/\/+$/, '');
  if (/^groups$/i.test(r)) return null;
  const m = /^groups\/([^/]+)(?:\/(members|owners))?$/i.exec(r);
  if (m?.[1]) return m[1];
  throw badRequest(`Resource '${resource}' is not supported (the simulator serves group subscriptions only).`, 'InvalidRequest');
}

/** HTTPS only, like Graph; http:// is accepted on loopback addresses (documented deviation for local use). */
function checkUrl(raw: string, name: string): void {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw badRequest(`${name} '${raw}' is not a valid URL.`, 'InvalidRequest');
  }
  if (u.protocol === 'https:') return;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (u.protocol === 'http:' && loopback) return;
  throw badRequest(`${name} must use https.`, 'InvalidRequest');
}
