// AD's binary identifiers as strings and back: objectSid (MS-DTYP 2.4.2) and objectGUID (MS-DTYP 2.3.4),
// plus the extended-DN forms `<SID=...>` / `<GUID=...>` that AD and Samba accept as a DN or a `member` value.
import { isGuid, normaliseId } from '../../shared/domain/ids.js';

export class IdentifierFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentifierFormatError';
  }
}

const SID_PATTERN = /^S-1-(\d+|0x[0-9A-Fa-f]{12})((?:-\d+){0,15})$/;
const MAX_AUTHORITY = 2 ** 48 - 1;

/** Binary objectSid -> `S-1-5-21-...`. Layout: revision, sub-authority count, 48-bit big-endian authority,
 *  then the sub-authorities as 32-bit little-endian integers. */
export function sidToString(sid: Uint8Array): string {
  const buf = Buffer.from(sid.buffer, sid.byteOffset, sid.byteLength);
  if (buf.length < 8) throw new IdentifierFormatError(`objectSid too short (${buf.length} bytes)`);
  const revision = buf.readUInt8(0);
  const count = buf.readUInt8(1);
  if (revision !== 1) throw new IdentifierFormatError(`objectSid revision ${revision} is not 1`);
  if (count > 15 || buf.length !== 8 + 4 * count) {
    throw new IdentifierFormatError(`objectSid length ${buf.length} does not match ${count} sub-authorities`);
  }
  const authority = buf.readUIntBE(2, 6);
  // MS-DTYP: authorities >= 2^32 are written in hex.
  const authorityText = authority >= 2 ** 32 ? `0x${authority.toString(16).toUpperCase().padStart(12, '0')}` : `${authority}`;
  const parts = [`S-${revision}`, authorityText];
  for (let i = 0; i < count; i += 1) parts.push(`${buf.readUInt32LE(8 + 4 * i)}`);
  return parts.join('-');
}

/** `S-1-5-21-...` -> binary objectSid (for comparing or for a binary equality filter). */
export function sidToBuffer(sid: string): Buffer {
  const match = SID_PATTERN.exec(sid);
  if (!match) throw new IdentifierFormatError(`not a SID string: ${JSON.stringify(sid)}`);
  const authority = match[1]!.startsWith('0x') ? Number.parseInt(match[1]!.slice(2), 16) : Number(match[1]);
  if (!Number.isSafeInteger(authority) || authority > MAX_AUTHORITY) {
    throw new IdentifierFormatError(`SID authority out of range: ${JSON.stringify(sid)}`);
  }
  const subs = match[2]!.split('-').slice(1).map(Number);
  const buf = Buffer.alloc(8 + 4 * subs.length);
  buf.writeUInt8(1, 0);
  buf.writeUInt8(subs.length, 1);
  buf.writeUIntBE(authority, 2, 6);
  subs.forEach((sub, i) => {
    if (!Number.isInteger(sub) || sub > 0xffffffff) {
      throw new IdentifierFormatError(`SID sub-authority out of range: ${JSON.stringify(sid)}`);
    }
    buf.writeUInt32LE(sub, 8 + 4 * i);
  });
  return buf;
}

/** True for a well-formed SID string (`S-1-...`). */
export function isSid(value: string): boolean {
  try {
    sidToBuffer(value);
    return true;
  } catch {
    return false;
  }
}

function hex(buf: Buffer, from: number, to: number): string {
  return buf.subarray(from, to).toString('hex');
}

function reversedHex(buf: Buffer, from: number, to: number): string {
  return Buffer.from(buf.subarray(from, to)).reverse().toString('hex');
}

/** Binary objectGUID (16 bytes) -> canonical lowercase GUID. The first three fields are little-endian on the
 *  wire (mixed-endian layout), the last two are byte order as is. */
export function guidToString(guid: Uint8Array): string {
  const buf = Buffer.from(guid.buffer, guid.byteOffset, guid.byteLength);
  if (buf.length !== 16) throw new IdentifierFormatError(`objectGUID must be 16 bytes, got ${buf.length}`);
  return [reversedHex(buf, 0, 4), reversedHex(buf, 4, 6), reversedHex(buf, 6, 8), hex(buf, 8, 10), hex(buf, 10, 16)].join('-');
}

/** Canonical GUID string (any case, no braces) -> binary objectGUID. */
export function guidToBuffer(guid: string): Buffer {
  if (!isGuid(guid)) throw new IdentifierFormatError(`not a GUID string: ${JSON.stringify(guid)}`);
  const h = normaliseId(guid).replaceAll('-', '');
  const field = (from: number, to: number): Buffer => Buffer.from(h.slice(from, to), 'hex');
  return Buffer.concat([
    field(0, 8).reverse(),
    field(8, 12).reverse(),
    field(12, 16).reverse(),
    field(16, 20),
    field(20, 32),
  ]);
}

/** `<GUID=...>`: addresses an object by objectGUID, as a search base or a `member` value. */
export function guidToExtendedDn(guid: string): string {
  if (!isGuid(guid)) throw new IdentifierFormatError(`not a GUID string: ${JSON.stringify(guid)}`);
  return `<GUID=${normaliseId(guid)}>`;
}

/** `<SID=...>`: addresses an object by objectSid, as a search base or a `member` value. */
export function sidToExtendedDn(sid: string): string {
  if (!isSid(sid)) throw new IdentifierFormatError(`not a SID string: ${JSON.stringify(sid)}`);
  return `<SID=${sid}>`;
}
