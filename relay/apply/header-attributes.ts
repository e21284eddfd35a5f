// The attributes the relay manages on a written-back group, derived from the message's header, and the
// replace operations that bring an existing group in line (cloud is the source of authority).
import type { GroupHeader } from '../../shared/contracts/writeback-message.js';
import { exchangeRecipientAttributes } from './exchange-recipient.js';

/** Attributes written only where the AD schema has them (mail and Exchange recipient attributes: Exchange-prepared
 *  forests; msDS-ExternalDirectoryObjectId: 2012 R2+ schema). The relay reads the schema, never a setting. */
export const OPTIONAL_ATTRIBUTES = [
  'mail',
  'mailNickname',
  'proxyAddresses',
  'msExchRecipientDisplayType',
  'msExchRecipientTypeDetails',
  'msExchRequireAuthToSendTo',
  'msDS-ExternalDirectoryObjectId',
] as const;
export type OptionalAttribute = (typeof OPTIONAL_ATTRIBUTES)[number];

/** Managed attributes read back from AD to compare (cn is handled by rename, not by modify). */
export const MANAGED_ATTRIBUTES = [
  'sAMAccountName',
  'displayName',
  'description',
  'groupType',
  'adminDescription',
  ...OPTIONAL_ATTRIBUTES,
] as const;

const MULTI_VALUED = new Set(['proxyaddresses']);

/** Set when the relay creates a group, never replaced on an existing one: apps, scripts and ACL exports name
 *  a group by its sAMAccountName, so a group adopted from AD Connect keeps the one AD Connect gave it
 *  (docs/migration.md). The product's own never changes (naming.ts), so nothing is lost for its groups. */
const CREATE_ONLY = new Set(['samaccountname']);

/** Desired values per attribute; an empty list means "must be absent". Attributes not listed are left alone. */
export function desiredAttributes(header: GroupHeader, schemaHas: ReadonlySet<string>): Map<string, string[]> {
  const has = (name: OptionalAttribute): boolean => schemaHas.has(name.toLowerCase());
  const attrs = new Map<string, string[]>([
    ['sAMAccountName', [header.samAccountName]],
    ['displayName', [header.displayName]],
    ['description', header.description === null || header.description === '' ? [] : [header.description]],
    ['groupType', [String(header.groupType)]],
    ['adminDescription', [header.anchor]],
  ]);
  if (has('msDS-ExternalDirectoryObjectId')) attrs.set('msDS-ExternalDirectoryObjectId', [header.anchor]);
  // Mail attributes only when the message carries them: a group without mail data keeps what AD has.
  if (header.mail) {
    if (has('mail')) attrs.set('mail', header.mail.mail ? [header.mail.mail] : []);
    if (has('mailNickname')) attrs.set('mailNickname', header.mail.mailNickname ? [header.mail.mailNickname] : []);
    if (has('proxyAddresses')) attrs.set('proxyAddresses', [...header.mail.proxyAddresses]);
    for (const [name, values] of exchangeRecipientAttributes(header.adGroupType)) {
      if (schemaHas.has(name.toLowerCase())) attrs.set(name, values);
    }
  }
  return attrs;
}

/** The attributes to send with an add (absent ones are simply left out). */
export function attributesForCreate(desired: ReadonlyMap<string, string[]>, cn: string): Record<string, string[]> {
  const record: Record<string, string[]> = { objectClass: ['group'], cn: [cn] };
  for (const [name, values] of desired) if (values.length > 0) record[name] = values;
  return record;
}

export interface AttributeReplace {
  type: string;
  /** Empty: remove the attribute. */
  values: string[];
}

function sameValues(name: string, want: readonly string[], have: readonly string[]): boolean {
  if (want.length !== have.length) return false;
  if (MULTI_VALUED.has(name.toLowerCase())) {
    const set = new Set(have);
    return want.every((v) => set.has(v));
  }
  return want.every((v, i) => v === have[i]);
}

/**
 * Replace operations for every managed attribute (except the create-only ones) whose current values differ
 * from the desired ones. `current` is keyed by lower-case attribute name (LDAP names are case-insensitive).
 */
export function attributeChanges(
  desired: ReadonlyMap<string, string[]>,
  current: ReadonlyMap<string, readonly string[]>,
): AttributeReplace[] {
  const changes: AttributeReplace[] = [];
  for (const [name, want] of desired) {
    if (CREATE_ONLY.has(name.toLowerCase())) continue;
    const have = current.get(name.toLowerCase()) ?? [];
    if (!sameValues(name, want, have)) changes.push({ type: name, values: [...want] });
  }
  return changes;
}
