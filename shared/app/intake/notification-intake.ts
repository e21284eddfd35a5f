// Intake of Graph change notifications (the graphWebhook function's logic): validation handshake, body
// limits, shape, clientState per notification, then ONE poke on the graph-changes queue. A notification is
// only a trigger: what changed is read later with delta query, so nothing from the body but group ids
// (as hints) travels on.
import { z } from 'zod';
import { isGuid, normaliseId, sameId } from '../../domain/ids.js';
import type { Logger } from '../../logging.js';
import type { QueueSender } from '../../ports/queue.js';
import { matchClientState, type ClientStateSecrets } from '../../security/client-state.js';
import { MAX_POKE_GROUP_IDS, sendPoke } from './pokes.js';

/** Graph batches notifications; a real batch is far smaller. Bigger bodies are refused unread. */
export const MAX_NOTIFICATION_BODY_BYTES = 1024 * 1024;
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

// ---- body --------------------------------------------------------------------------------------------

export type BodyParse<T> = { ok: true; value: T } | { ok: false; status: 400 | 413; reason: string };

/** JSON-decodes a notification body already read with a cap; `tooLarge` means the cap was hit. */
export function parseJsonBody(body: Uint8Array | 'tooLarge'): BodyParse<unknown> {
  if (body === 'tooLarge') return { ok: false, status: 413, reason: 'body too large' };
  if (body.byteLength === 0) return { ok: false, status: 400, reason: 'empty body' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400, reason: 'body is not UTF-8 JSON' };
  }
}

// ---- change notification shape -------------------------------------------------------------------------

/** Tolerant on purpose (docs/graph.md, change notifications): `Groups/` or `groups/` resources, resourceData
 *  with or without `members@delta`, `@removed` as string or object, huge sequenceNumbers, unknown extra
 *  properties. Only the fields the intake reads are checked. clientState may be missing: such a notification
 *  is dropped. */
export const changeNotificationSchema = z.looseObject({
  subscriptionId: z.string().min(1).max(128),
  clientState: z.string().max(1024).nullish(),
  changeType: z.string().min(1).max(64),
  resource: z.string().max(2048),
  resourceData: z.looseObject({ id: z.string().max(128).optional() }).nullish(),
  tenantId: z.string().max(64).nullish(),
});
export type ChangeNotification = z.infer<typeof changeNotificationSchema>;

export const changeNotificationCollectionSchema = z.looseObject({
  value: z.array(changeNotificationSchema).min(1).max(10_000),
});

/** The cloud group a notification is about, when it names one (only used as a hint). */
export function notifiedGroupId(n: ChangeNotification): string | undefined {
  const fromData = n.resourceData?.id;
  if (fromData !== undefined && isGuid(fromData)) return normaliseId(fromData);
  const m = /^\/?groups\/([0-9a-f-]{36})(?:\/|$|\?)/i.exec(n.resource);
  return m?.[1] !== undefined && isGuid(m[1]) ? normaliseId(m[1]) : undefined;
}

export type DropReason = 'clientStateMismatch' | 'tenantMismatch';

/** Why a notification is not trusted, or null when it is. */
export function untrustedReason(
  n: { clientState?: string | null | undefined; tenantId?: string | null | undefined },
  tenantId: string,
  secrets: ClientStateSecrets,
): DropReason | null {
  if (matchClientState(n.clientState, secrets) === 'none') return 'clientStateMismatch';
  if (n.tenantId != null && !sameId(n.tenantId, tenantId)) return 'tenantMismatch';
  return null;
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

/**
 * Decides the answer to one POST of change notifications. 202 only after the poke was enqueued (Graph
 * retries 5xx for up to 4 hours, so nothing is lost when the queue is briefly down); 4xx for bodies that
 * are not Graph's (no side effect); 401 when no notification carries a valid clientState (forged).
 */
export async function acceptChangeNotifications(
  deps: NotificationIntakeDeps,
  body: Uint8Array | 'tooLarge',
): Promise<IntakeOutcome> {
  const json = parseJsonBody(body);
  if (!json.ok) {
    deps.log.warn({ reason: json.reason }, 'change notification body refused');
    return { status: json.status, reason: json.reason };
  }
  const shape = changeNotificationCollectionSchema.safeParse(json.value);
  if (!shape.success) {
    deps.log.warn({ issues: shape.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'change notification body has the wrong shape');
    return { status: 400, reason: 'not a Graph change notification collection' };
  }

  const groupIds = new Set<string>();
  let accepted = 0;
  let dropped = 0;
  for (const n of shape.data.value) {
    const untrusted = untrustedReason(n, deps.tenantId, deps.secrets);
    if (untrusted !== null) {
      dropped++;
      // Never log the received or configured clientState.
      deps.log.warn({ subscriptionId: n.subscriptionId, reason: untrusted }, 'change notification dropped');
      continue;
    }
    accepted++;
    const groupId = notifiedGroupId(n);
    if (groupId !== undefined) groupIds.add(groupId);
  }
  if (accepted === 0) return { status: 401, dropped };

  try {
    const hints = groupIds.size <= MAX_POKE_GROUP_IDS ? [...groupIds] : undefined;
    await sendPoke(deps.changes, deps.tenantId, 'notification', deps.now(), hints);
  } catch (err) {
    deps.log.error({ err }, 'could not enqueue the poke; answering 5xx so Graph retries');
    return { status: 503, reason: 'queue unavailable' };
  }
  deps.log.info({ accepted, dropped, groups: groupIds.size }, 'change notifications accepted');
  return { status: 202, accepted, dropped };
}
