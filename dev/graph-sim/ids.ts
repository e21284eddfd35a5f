// Identifier and timestamp formats as Graph writes them.
import { randomBytes, randomUUID } from 'node:crypto';

export function newId(): string {
  return randomUUID();
}

/** A domain SID shape S-1-5-21-x-y-z: one per simulated on-prem domain. */
export function newDomainSid(): string {
  const parts = [...randomBytes(12)].reduce<number[]>((acc, b, i) => {
    const k = Math.floor(i / 4);
    acc[k] = ((acc[k] ?? 0) * 256 + b) >>> 0;
    return acc;
  }, []);
  return `S-1-5-21-${parts.join('-')}`;
}

/** Cloud-only objects carry a securityIdentifier in the S-1-12-1 space (derived from the object id). */
export function cloudSid(objectId: string): string {
  const hex = objectId.replace(/-/g, '');
  const words = [0, 8, 16, 24].map((i) => {
    const chunk = hex.slice(i, i + 8).match(/../g) ?? [];
    return parseInt(chunk.reverse().join(''), 16) >>> 0;
  });
  return `S-1-12-1-${words.join('-')}`;
}

/** onPremisesImmutableId: base64 of the AD objectGUID. */
export function newImmutableId(): string {
  return randomBytes(16).toString('base64');
}

/** Graph's eventTime: ISO with seven fractional digits. */
export function eventTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** Graph's subscriptionExpirationDateTime in notifications: offset form "+00:00". */
export function offsetTime(d: Date): string {
  return d.toISOString().replace(/Z$/, '+00:00');
}

/** .NET ticks of a time (what Graph's sequenceNumber looks like); above 2^53, so consumers must not rely on it exactly. */
export function ticks(d: Date, counter: number): number {
  return (d.getTime() + 62_135_596_800_000) * 10_000 + (counter % 10_000);
}
