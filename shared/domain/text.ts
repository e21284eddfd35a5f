// String measures the domain needs without any runtime API: UTF-16 clipping the way AD counts characters,
// UTF-8 byte lengths for message size limits, and cloud text made well-formed the way AD stores it.

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** Cloud text as AD holds it: LDAP values are UTF-8, which cannot carry a lone UTF-16 surrogate, so AD ends up
 *  with U+FFFD in its place. Planning with the same replacement makes the planned value equal AD's; planning
 *  with the raw text would rename the group on every reconcile. Surrogate pairs are kept. */
export function adText(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isHighSurrogate(c) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      i++;
      continue;
    }
    if (!isHighSurrogate(c) && !isLowSurrogate(c)) continue;
    out += `${s.slice(from, i)}\ufffd`;
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

/** The first `max` UTF-16 code units (AD counts attribute lengths in UTF-16), without cutting a surrogate
 *  pair in half: a pair that does not fit is dropped whole. */
export function clipUtf16(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = max > 0 && isHighSurrogate(s.charCodeAt(max - 1)) ? max - 1 : max;
  return s.slice(0, end);
}

/** Bytes of `s` encoded as UTF-8 (a lone surrogate counts 3, as the encoder replaces it with U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (isHighSurrogate(c) && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Bytes of the JSON text of `value`. */
export function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value));
}
