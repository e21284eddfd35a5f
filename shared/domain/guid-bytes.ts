// Ids held as 16 binary bytes instead of a 36-character string, for the member lists of big groups (about a
// fifth of the memory). Only the canonical form (lower-case 8-4-4-4-12 hex, what Graph returns and what
// ./ids.ts normalises to) is held so: it comes back as the same string, and the bytes compare in the same
// order as the strings do. Anything else is kept as its string by the caller.

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Where each byte's two hex digits start in the text. */
const OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export const GUID_BYTES = 16;

/** Writes the id's 16 bytes at `at`; false (nothing written) when the id is not a canonical GUID. */
export function writeGuid(id: string, out: Uint8Array, at: number): boolean {
  if (id.length !== 36 || !CANONICAL.test(id)) return false;
  for (let i = 0; i < GUID_BYTES; i++) out[at + i] = parseInt(id.substr(OFFSETS[i]!, 2), 16);
  return true;
}

export function readGuid(bytes: Uint8Array, at: number): string {
  const h = (i: number): string => HEX[bytes[at + i]!]!;
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}

/** The order of the two ids' strings (< 0, 0, > 0), compared on their bytes. */
export function compareGuids(bytes: Uint8Array, a: number, b: number): number {
  for (let i = 0; i < GUID_BYTES; i++) {
    const d = bytes[a + i]! - bytes[b + i]!;
    if (d !== 0) return d;
  }
  return 0;
}
