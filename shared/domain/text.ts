// String measures the domain needs without any runtime API: UTF-16 clipping the way AD counts characters,
// and UTF-8 byte lengths for message size limits.

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

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
