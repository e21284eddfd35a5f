// Reading values out of ldapts search entries: attribute names are case-insensitive in LDAP, and a
// value may come back as a string, a Buffer or a list of either.
import type { Entry } from 'ldapts';

type Value = Entry[string];

function toList(value: Value | undefined): (string | Buffer)[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function find(entry: Entry, name: string): Value | undefined {
  const lower = name.toLowerCase();
  for (const key of Object.keys(entry)) if (key.toLowerCase() === lower) return entry[key];
  return undefined;
}

/** All values of `name` as text. */
export function textValues(entry: Entry, name: string): string[] {
  return toList(find(entry, name)).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

/** The first value of `name` as text, or null. */
export function textValue(entry: Entry, name: string): string | null {
  return textValues(entry, name)[0] ?? null;
}

/** The first value of `name` as bytes (request the attribute in explicitBufferAttributes), or null. */
export function bufferValue(entry: Entry, name: string): Buffer | null {
  const first = toList(find(entry, name))[0];
  if (first === undefined) return null;
  return Buffer.isBuffer(first) ? first : Buffer.from(first, 'binary');
}

/** The entry's attributes as lower-case name -> text values (the entry's `dn` left out). */
export function attributeMap(entry: Entry, names: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const name of names) map.set(name.toLowerCase(), textValues(entry, name));
  return map;
}
