// Directory objects as Graph returns them: default property sets per kind and version, $select
// (unknown properties -> 400 like Graph), writebackConfiguration on /beta only.
import { badRequest } from './errors.js';
import type { ApiVersion, DirectoryRecord, Json, JsonObject, ObjectKind } from './types.js';
import { ODATA_TYPE } from './types.js';

const USER_PROPS = [
  'id', 'displayName', 'givenName', 'surname', 'jobTitle', 'mail', 'mailNickname', 'mobilePhone', 'officeLocation',
  'preferredLanguage', 'businessPhones', 'userPrincipalName', 'accountEnabled', 'createdDateTime', 'deletedDateTime',
  'securityIdentifier', 'proxyAddresses', 'userType',
  'onPremisesSyncEnabled', 'onPremisesSecurityIdentifier', 'onPremisesImmutableId', 'onPremisesSamAccountName',
  'onPremisesDomainName', 'onPremisesUserPrincipalName', 'onPremisesDistinguishedName', 'onPremisesLastSyncDateTime',
];
/** Graph returns only these user properties without $select (onPremises* need $select). */
const USER_DEFAULT = [
  'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation',
  'preferredLanguage', 'surname', 'userPrincipalName', 'id',
];

const GROUP_PROPS = [
  'id', 'displayName', 'description', 'groupTypes', 'mailEnabled', 'securityEnabled', 'mail', 'mailNickname',
  'proxyAddresses', 'visibility', 'classification', 'createdDateTime', 'deletedDateTime', 'renewedDateTime',
  'expirationDateTime', 'isAssignableToRole', 'membershipRule', 'membershipRuleProcessingState',
  'onPremisesSyncEnabled', 'onPremisesSecurityIdentifier', 'onPremisesSamAccountName', 'onPremisesDomainName',
  'onPremisesNetBiosName', 'onPremisesLastSyncDateTime', 'onPremisesProvisioningErrors', 'securityIdentifier',
  'preferredDataLocation', 'resourceProvisioningOptions', 'creationOptions', 'theme',
];

const DEVICE_PROPS = [
  'id', 'deviceId', 'displayName', 'accountEnabled', 'operatingSystem', 'operatingSystemVersion', 'trustType',
  'onPremisesSyncEnabled', 'onPremisesSecurityIdentifier', 'onPremisesLastSyncDateTime', 'createdDateTime',
  'deletedDateTime',
];

/** Names valid in $select for a kind and version ("members" only where a caller allows navigation). */
export function knownProperties(kind: ObjectKind, version: ApiVersion): string[] {
  switch (kind) {
    case 'user':
      return USER_PROPS;
    case 'group':
      return version === 'beta' ? [...GROUP_PROPS, 'writebackConfiguration'] : GROUP_PROPS;
    case 'device':
      return DEVICE_PROPS;
  }
}

function defaultProperties(kind: ObjectKind, version: ApiVersion): string[] {
  return kind === 'user' ? USER_DEFAULT : knownProperties(kind, version);
}

/** Parses $select; throws Graph's 400 for a name the type does not have. */
export function parseSelect(raw: string | null, kinds: ObjectKind[], version: ApiVersion, extra: string[] = []): string[] | null {
  if (raw === null || raw.trim() === '') return null;
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const known = new Set([...kinds.flatMap((k) => knownProperties(k, version)), ...extra]);
  for (const n of names) {
    if (!known.has(n)) {
      const typeName = kinds.length === 1 ? `microsoft.graph.${kinds[0]}` : 'microsoft.graph.directoryObject';
      throw badRequest(`Could not find a property named '${n}' on type '${typeName}'.`);
    }
  }
  return names;
}

function value(rec: DirectoryRecord, name: string): Json {
  if (name === 'writebackConfiguration' && rec.kind === 'group') {
    return { isEnabled: rec.writebackConfiguration.isEnabled, onPremisesGroupType: rec.writebackConfiguration.onPremisesGroupType };
  }
  const v = rec.props[name];
  if (v !== undefined) return v;
  return ['groupTypes', 'proxyAddresses', 'businessPhones', 'resourceProvisioningOptions', 'creationOptions', 'onPremisesProvisioningErrors'].includes(name) ? [] : null;
}

export interface SerializeOptions {
  version: ApiVersion;
  select: string[] | null;
  /** Add "@odata.type" (collections of mixed directory objects). */
  withType?: boolean;
}

/** One object as Graph returns it; with $select, only the selected properties that exist on its kind. */
export function serialize(rec: DirectoryRecord, opts: SerializeOptions): JsonObject {
  const own = new Set(knownProperties(rec.kind, opts.version));
  const names = opts.select ? opts.select.filter((n) => own.has(n)) : defaultProperties(rec.kind, opts.version);
  const out: JsonObject = opts.withType ? { '@odata.type': ODATA_TYPE[rec.kind] } : {};
  for (const n of names) out[n] = value(rec, n);
  return out;
}
