// Escaping of values put into LDAP distinguished names (RFC 4514) and search filters (RFC 4515).
// Every name that reaches AD from the cloud (display names, sAMAccountNames) goes through here.

const DN_SPECIALS = new Set(['\\', '"', '+', ',', ';', '<', '>', '=']);

function hexByte(byte: number): string {
  return `\\${byte.toString(16).padStart(2, '0')}`;
}

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

/**
 * Escapes a value for use in a search filter string (RFC 4515 section 3): `* ( ) \ NUL` become `\2a \28 \29 \5c \00`.
 * A Buffer (binary value, e.g. objectSid) is escaped byte by byte.
 *
 * Non-ASCII text is left as is on purpose: ldapts parses `\XX` escapes in a filter string into single
 * characters and re-encodes them as UTF-8, so per-byte escapes of UTF-8 text (or of binary values) would be
 * sent wrongly by ldapts. For binary values with ldapts, build `new EqualityFilter({ attribute, value: buffer })`.
 */
export function escapeFilterValue(value: string | Buffer): string {
  if (Buffer.isBuffer(value)) return Array.from(value, hexByte).join('');
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '*':
        out += '\\2a';
        break;
      case '(':
        out += '\\28';
        break;
      case ')':
        out += '\\29';
        break;
      case '\\':
        out += '\\5c';
        break;
      case '\0':
        out += '\\00';
        break;
      default:
        out += ch;
    }
  }
  return out;
}
