// Intake of Graph change notifications (the graphWebhook function's logic): validation handshake, the body
// read as a stream (notification-body.ts), shape and clientState per notification, then ONE poke on the
// graph-changes queue. A notification is only a trigger: what changed is read later with delta query, so
// nothing from the body but group ids (as hints) travels on, and nothing else of a notification is kept.
import { z } from 'zod';
import { isGuid, normaliseId } from '../../domain/ids.js';
import type { Logger } from '../../logging.js';
import type { QueueSender } from '../../ports/queue.js';
import type { ClientStateSecrets } from '../../security/client-state.js';
import { readNotifications, type NotificationBody } from './notification-body.js';
import { MAX_POKE_GROUP_IDS, sendPoke } from './pokes.js';
import { DropTally, untrustedReason } from './trust.js';

/** Graph's validation tokens are short opaque strings; anything longer is not Graph. */
export const MAX_VALIDATION_TOKEN_LENGTH = 1024;

// ---- validation handshake --------------------------------------------------------------------------

export type ValidationHandshake =
  | { kind: 'none' }
  | { kind: 'reply'; token: string }
  | { kind: 'invalid'; reason: string };

/** `token` is the already URL-decoded `validationToken` query value (null when absent). The reply body
 *  is exactly this token; control characters are refused so the echo cannot smuggle anything else. */
export function validationHandshake(token: string | null): ValidationHandshake {
  if (token === null) return { kind: 'none' };
  if (token.length === 0) return { kind: 'invalid', reason: 'empty validationToken' };
  if (token.length > MAX_VALIDATION_TOKEN_LENGTH) return { kind: 'invalid', reason: 'validationToken too long' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(token)) return { kind: 'invalid', reason: 'control character in validationToken' };
  return { kind: 'reply', token };
}

// ---- change notification shape -------------------------------------------------------------------------

/** Tolerant on purpose (docs/graph.md, change notifications): `Groups/` or `groups/` resources, resourceData with or without
 *  `members@delta`, `@removed` as string or object, huge sequenceNumbers, unknown extra properties. Only the
 *  fields the intake reads are checked, and only they are kept (unknown properties are stripped).
 *  clientState may be missing: such a notification is dropped. */
export const changeNotificationSchema = z.object({
  subscriptionId: z.string().min(1).max(128),
  clientState: z.string().max(1024).nullish(),
  changeType: z.string().min(1).max(64),
  resource: z.string().max(2048),
  resourceData: z.object({ id: z.string().max(128).optional() }).nullish(),
  tenantId: z.string().max(64).nullish(),
});
export type ChangeNotification = z.infer<typeof changeNotificationSchema>;

/** The cloud group a notification is about, when it names one (only used as a hint). */
export function notifiedGroupId(n: ChangeNotification): string | undefined {
  const fromData = n.resourceData?.id;
  if (fromData !== undefined && isGuid(fromData)) return normaliseId(fromData);
  const m = /^\/?groups\/([0-9a-f-]{36})(?:\/|$|\?)/i.exec(n.resource);
  return m?.[1] !== undefined && isGuid(m[1]) ? normaliseId(m[1]) : undefined;
}

/** Group id hints for the poke, up to what a poke carries; past that none (the delta round sees all). */
class GroupHints {
  private ids: Set<string> | null = new Set();

  add(groupId: string): void {
    this.ids?.add(groupId);
    if (this.ids !== null && this.ids.size > MAX_POKE_GROUP_IDS) this.ids = null;
  }

  /** The ids, or undefined when there were too many to carry. */
  list(): string[] | undefined {
    return this.ids === null ? undefined : [...this.ids];
  }
}

// ---- intake -------------------------------------------------------------------------------------------

export interface NotificationIntakeDeps {
  tenantId: string;
  secrets: ClientStateSecrets;
  /** Sender on the graph-changes queue. */
  changes: QueueSender;
  log: Logger;
  now: () => Date;
}

export type IntakeOutcome =
  | { status: 202; accepted: number; dropped: number }
  | { status: 400 | 413; reason: string }
  | { status: 401; dropped: number }
  | { status: 503; reason: string };

/** Zod issues in a log line: path and message only, never the values (a clientState could be one). */
export function issueSummary(error: z.ZodError): string[] {
  return error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
}

/**
 * Decides the answer to one POST of change notifications. The whole body is read before anything happens:
 * 4xx for bodies that are not Graph's (no side effect); 401 when no notification carries a valid clientState
 * (forged); 202 only after the poke was enqueued (Graph retries 5xx for up to 4 hours, so nothing is lost
 * when the queue is briefly down).
 */
export async function acceptChangeNotifications(deps: NotificationIntakeDeps, body: NotificationBody): Promise<IntakeOutcome> {
  const hints = new GroupHints();
  const drops = new DropTally();
  let accepted = 0;
  let issues: string[] = [];
  const read = await readNotifications(body, (element) => {
    const n = changeNotificationSchema.safeParse(element);
    if (!n.success) {
      issues = issueSummary(n.error);
      return false;
    }
    const untrusted = untrustedReason(n.data, deps.tenantId, deps.secrets);
    if (untrusted !== null) {
      drops.add(untrusted, n.data.subscriptionId);
      return true;
    }
    accepted++;
    const groupId = notifiedGroupId(n.data);
    if (groupId !== undefined) hints.add(groupId);
    return true;
  });
  if (!read.ok) {
    deps.log.warn({ reason: read.reason, issues }, 'change notification body refused');
    return { status: read.status, reason: read.reason };
  }
  drops.log(deps.log, 'change notifications dropped');
  if (accepted === 0) return { status: 401, dropped: drops.count };

  const groupIds = hints.list();
  try {
    await sendPoke(deps.changes, deps.tenantId, 'notification', deps.now(), groupIds);
  } catch (err) {
    deps.log.error({ err }, 'could not enqueue the poke; answering 5xx so Graph retries');
    return { status: 503, reason: 'queue unavailable' };
  }
  deps.log.info({ accepted, dropped: drops.count, groups: groupIds?.length ?? 'more than a poke carries' }, 'change notifications accepted');
  return { status: 202, accepted, dropped: drops.count };
}
