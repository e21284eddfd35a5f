// Names of the AD group object. The anchor and sAMAccountName never change for a cloud group; the cn follows
// the tenant's cnFormat and the display name (a change is a rename of the same object, found by anchor).
// The cn is the RAW attribute value: the relay escapes it (RFC 4514) when it builds the DN.
import { isGuid, normaliseId } from './ids.js';
import type { AdGroupType } from './model.js';
import type { CnFormat } from './settings.js';
import { clipUtf16 } from './text.js';

/** AD's limit for cn (rdnAttId upper range: 64 characters). */
export const MAX_CN_LENGTH = 64;
/** Left(Trim(displayName), 51) + "_" + 12 = 64. */
export const CN_DISPLAY_NAME_PART = 51;

const ANCHOR_PREFIX = /^Group_/i;

/** adminDescription (and msDS-ExternalDirectoryObjectId) value that finds the group in AD. */
export function groupAnchor(groupId: string): string {
  return `Group_${normaliseId(groupId)}`;
}

/** Whether `value` has the shape of a group anchor (any case). */
export function isGroupAnchor(value: string): boolean {
  return ANCHOR_PREFIX.test(value) && isGuid(value.slice('Group_'.length));
}

/** The cn as AD Connect builds it: `Group_<objectId>`, or `Left(Trim(displayName),51)_<last 12 of objectId>`. */
export function groupCn(format: CnFormat, groupId: string, displayName: string | null): string {
  const id = normaliseId(groupId);
  if (format === 'objectId') return `Group_${id}`;
  const name = clipUtf16((displayName ?? '').trim(), CN_DISPLAY_NAME_PART);
  return `${name}_${id.slice(-12)}`;
}

/**
 * `Group_` + the last 14 hex digits of the objectId = 20 characters.
 * - stable: derived from the objectId only, so renames and cnFormat changes never touch it;
 * - 20 characters: the pre-Windows 2000 name limit that older tools and NetBIOS clients still enforce
 *   (the schema would allow 256 for groups);
 * - unique in practice: the last 14 hex digits of a random (v4) GUID are 56 random bits; among a million
 *   written-back groups the chance of any collision is about 7e-6. A collision is not silent: AD refuses the
 *   duplicate sAMAccountName and the relay reports the error for that group.
 */
export function groupSamAccountName(groupId: string): string {
  const hex = normaliseId(groupId).replace(/-/g, '');
  return `Group_${hex.slice(-14)}`;
}

/** AD groupType: every written group has universal scope (0x8), security groups add 0x80000000. */
export function adGroupTypeValue(t: AdGroupType): number {
  return t === 'universalDistributionGroup' ? 0x8 : 0x8 - 0x80000000;
}
