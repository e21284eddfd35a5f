// DN helpers for the writeback OU: building a group's DN from its cn, and comparing DNs the way AD does
// (attribute types and values case-insensitively, escapes resolved).
import { escapeDnValue, parseDn } from './escape.js';

/**
 * `CN=<cn>` with the value escaped (RFC 4514). A backslash is written as `\5c` rather than `\\`: ldapts
 * splits a new DN into RDN and parent at the first comma not preceded by a backslash, which `\\,` fools.
 */
export function cnRdn(cn: string): string {
  return `CN=${escapeDnValue(cn).replaceAll('\\\\', '\\5c')}`;
}

export function groupDn(cn: string, ouDn: string): string {
  return `${cnRdn(cn)},${ouDn}`;
}

function normalized(dn: string): string[] {
  return parseDn(dn).map((rdn) => `${rdn.type.toLowerCase()}=${rdn.value.toLowerCase()}`);
}

export function sameDn(a: string, b: string): boolean {
  const x = normalized(a);
  const y = normalized(b);
  return x.length === y.length && x.every((r, i) => r === y[i]);
}

/** The DN without its first RDN. */
export function parentDn(dn: string): string {
  const rdns = normalized(dn);
  if (rdns.length === 0) return '';
  // Re-split on the raw string so the parent keeps its original escaping.
  let i = 0;
  while (i < dn.length) {
    if (dn[i] === '\\') i += 2;
    else if (dn[i] === ',') return dn.slice(i + 1);
    else i += 1;
  }
  return '';
}

/** True when `dn` is `ancestor` or below it. */
export function isWithin(dn: string, ancestor: string): boolean {
  const x = normalized(dn);
  const y = normalized(ancestor);
  if (y.length > x.length) return false;
  const tail = x.slice(x.length - y.length);
  return tail.every((r, i) => r === y[i]);
}
