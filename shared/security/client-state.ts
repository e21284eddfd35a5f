// clientState check for Graph change and lifecycle notifications. The clientState is the only proof that a
// notification comes from a subscription we created (groups get basic notifications: no signed tokens).
// Compared in constant time: both sides are HMAC-ed with a per-process random key first, so the buffers
// handed to timingSafeEqual always have equal length and neither the secret's length nor its prefix leaks.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ClientStateSecrets {
  /** The secret new subscriptions are created with. */
  current: string;
  /** The secret before the last rotation: still accepted until every subscription is recreated. */
  previous?: string | undefined;
}

export type ClientStateMatch = 'current' | 'previous' | 'none';

const comparisonKey = randomBytes(32);

function digest(value: string): Buffer {
  return createHmac('sha256', comparisonKey).update(value, 'utf8').digest();
}

/** Which configured secret `received` equals. Both secrets are always compared (no early exit). */
export function matchClientState(received: unknown, secrets: ClientStateSecrets): ClientStateMatch {
  if (typeof received !== 'string' || received.length === 0 || received.length > 1024) {
    return 'none';
  }
  const got = digest(received);
  const current = timingSafeEqual(got, digest(secrets.current));
  const previous =
    secrets.previous !== undefined && secrets.previous.length > 0 && timingSafeEqual(got, digest(secrets.previous));
  if (current) return 'current';
  if (previous) return 'previous';
  return 'none';
}

/** A non-reversible fingerprint of a secret, stored next to a subscription so the keeper can tell which
 *  secret it was created with (rotation) without storing the secret. Secrets are >= 16 random characters,
 *  so a salted SHA-256 prefix reveals nothing useful. */
export function clientStateFingerprint(secret: string): string {
  return createHash('sha256').update('group-writeback/client-state/v1\0').update(secret, 'utf8').digest('hex').slice(0, 16);
}
