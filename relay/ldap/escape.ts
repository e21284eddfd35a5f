// Escaping and parsing of LDAP distinguished names (RFC 4514): every name that reaches AD from the cloud
// (display names, sAMAccountNames) goes through here. Ours because ldapts has no equivalent: its RDN class
// only builds strings (quoting a value with edge spaces, RFC 2253's old form; NUL, CR and LF left as is)
// and nothing in it parses or unescapes a DN.
// Search filter values (RFC 4515) are escaped by ldapts (`escapeFilter`, `Filter.escape`): `* ( ) \ NUL`,
// non-ASCII text left as is for ldapts to send as UTF-8 (test/unit/ldap-escape.test.ts pins this).
// Binary values (objectSid) go in an EqualityFilter object, never a filter string: ldapts' filter parser
// reads each `\XX` as one character and re-encodes it as UTF-8, which corrupts bytes above 0x7f.

const DN_SPECIALS = new Set(['\\', '"', '+', ',', ';', '<', '>', '=']);

/**
 * Escapes one attribute value for use in a DN (RFC 4514 section 2.4), e.g. the `cn` of `CN=<value>,OU=...`.
 * Escapes `\ " + , ; < > =`, a leading `#`, leading and trailing spaces, NUL, CR and LF (AD's list adds `=`;
 * CR and LF are escaped as hex so a DN stays on one line in logs).
 */
export function escapeDnValue(value: string): string {
  let out = '';
  const chars = Array.from(value);
  chars.forEach((ch, i) => {
    if (ch === '\0') out += '\\00';
    else if (ch === '\r') out += '\\0d';
    else if (ch === '\n') out += '\\0a';
    else if (DN_SPECIALS.has(ch)) out += `\\${ch}`;
    else if (ch === '#' && i === 0) out += '\\#';
    else if (ch === ' ' && (i === 0 || i === chars.length - 1)) out += '\\ ';
    else out += ch;
  });
  return out;
}

export class DnSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DnSyntaxError';
  }
}

const HEX_PAIR = /^[0-9a-fA-F]{2}$/;

/**
 * Reverses {@link escapeDnValue}: `\c` for a special character and `\XX` hex pairs (consecutive pairs form
 * UTF-8 sequences). Throws DnSyntaxError on a dangling backslash, bad hex, or a hex-string value (`#04...`).
 */
export function unescapeDnValue(escaped: string): string {
  if (escaped.startsWith('#')) throw new DnSyntaxError('hex-string (BER) DN values are not supported');
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  let i = 0;
  while (i < escaped.length) {
    const ch = escaped[i]!;
    if (ch !== '\\') {
      const cp = escaped.codePointAt(i)!;
      const text = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(text));
      i += text.length;
      continue;
    }
    const next = escaped.slice(i + 1, i + 3);
    if (HEX_PAIR.test(next)) {
      bytes.push(Number.parseInt(next, 16));
      i += 3;
    } else if (i + 1 < escaped.length) {
      const cp = escaped.codePointAt(i + 1)!;
      const text = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(text));
      i += 1 + text.length;
    } else {
      throw new DnSyntaxError(`dangling backslash at the end of DN value ${JSON.stringify(escaped)}`);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw new DnSyntaxError(`DN value ${JSON.stringify(escaped)} has hex escapes that are not valid UTF-8`);
  }
}

export interface Rdn {
  /** Attribute type as written (e.g. `CN`, `OU`, `DC`). */
  type: string;
  /** Unescaped value. */
  value: string;
}

/**
 * Splits a DN string into its RDNs, unescaping each value: `CN=a\,b,OU=x` -> [{CN,'a,b'},{OU,'x'}].
 * Multi-valued RDNs (`+`) are rejected: AD does not create them for groups, users or OUs.
 */
export function parseDn(dn: string): Rdn[] {
  const rdns: Rdn[] = [];
  let start = 0;
  let i = 0;
  const pushRdn = (end: number): void => {
    const part = dn.slice(start, end);
    const eq = part.indexOf('=');
    if (eq <= 0) throw new DnSyntaxError(`RDN ${JSON.stringify(part)} has no attribute type`);
    rdns.push({ type: part.slice(0, eq).trim(), value: unescapeDnValue(part.slice(eq + 1)) });
  };
  if (dn.length === 0) return rdns;
  while (i < dn.length) {
    const ch = dn[i];
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '+') throw new DnSyntaxError(`multi-valued RDNs are not supported: ${JSON.stringify(dn)}`);
    if (ch === ',') {
      pushRdn(i);
      start = i + 1;
    }
    i += 1;
  }
  pushRdn(dn.length);
  return rdns;
}

/** The unescaped value of a DN's first RDN: `CN=Sales\, EMEA,OU=Groups,...` -> `Sales, EMEA`. */
export function firstRdnValue(dn: string): string {
  const first = parseDn(dn)[0];
  if (!first) throw new DnSyntaxError('empty DN');
  return first.value;
}
