// The id vocabulary. Directory objects (groups, members, devices, tenants; AD objects by objectGUID) are
// named by GUIDs, which Graph and AD compare without regard to case. The product stores, keys and compares
// them in one form, lower case, so an id that arrives upper-cased finds the same row, map entry or object.

/** A GUID string: 8-4-4-4-12 hex digits, any case, no braces. */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID_PATTERN.test(value);
}

/** The form an id (or a value built from one, like a group anchor) is stored, keyed and compared in. */
export function normaliseId(id: string): string {
  return id.toLowerCase();
}

/** Whether two ids name the same object. */
export function sameId(a: string, b: string): boolean {
  return normaliseId(a) === normaliseId(b);
}
