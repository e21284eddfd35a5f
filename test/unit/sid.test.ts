import { describe, expect, it } from 'vitest';
import {
  IdentifierFormatError,
  guidToBuffer,
  guidToExtendedDn,
  guidToString,
  isSid,
  sidToBuffer,
  sidToExtendedDn,
  sidToString,
} from '../../relay/ldap/sid.js';
import { isGuid } from '../../shared/domain/ids.js';

const hex = (text: string): Buffer => Buffer.from(text.replaceAll(' ', ''), 'hex');

describe('objectSid', () => {
  it.each([
    ['Everyone', '01 01 000000000001 00000000', 'S-1-1-0'],
    ['BUILTIN\\Administrators', '01 02 000000000005 20000000 20020000', 'S-1-5-32-544'],
    [
      'domain admins of a domain',
      '01 05 000000000005 15000000 dcf4dc3b 833d2b46 828ba628 00020000',
      'S-1-5-21-1004336348-1177238915-682003330-512',
    ],
    ['authority >= 2^32 is hex', '01 01 010000000000 07000000', 'S-1-0x010000000000-7'],
    ['largest sub-authority', '01 01 000000000005 ffffffff', 'S-1-5-4294967295'],
  ])('%s', (_name, bytes, text) => {
    expect(sidToString(hex(bytes))).toBe(text);
    expect(sidToBuffer(text).equals(hex(bytes))).toBe(true);
  });

  it('reads a SID inside a larger buffer (ldapts may hand out slices)', () => {
    const big = Buffer.concat([hex('ffff'), hex('01 01 000000000001 00000000'), hex('ee')]);
    expect(sidToString(big.subarray(2, 14))).toBe('S-1-1-0');
  });

  it.each([
    ['too short', '01 01 0000'],
    ['wrong revision', '02 01 000000000001 00000000'],
    ['count does not match length', '01 02 000000000005 20000000'],
  ])('rejects a binary SID that is %s', (_name, bytes) => {
    expect(() => sidToString(hex(bytes))).toThrow(IdentifierFormatError);
  });

  it.each(['S-1', 'S-2-5-21', 'S-1-5-x', 'S-1-5-4294967296', 's-1-5-21', 'S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16'])(
    'rejects the string %j',
    (text) => {
      expect(isSid(text)).toBe(false);
      expect(() => sidToBuffer(text)).toThrow(IdentifierFormatError);
    },
  );

  it('builds the <SID=...> extended DN', () => {
    expect(sidToExtendedDn('S-1-5-21-1-2-3-1105')).toBe('<SID=S-1-5-21-1-2-3-1105>');
    expect(() => sidToExtendedDn('S-1-5-21-1)(x')).toThrow(IdentifierFormatError);
  });
});

describe('objectGUID', () => {
  it.each([
    // schemaIDGUID of the user class, as AD shows it in both forms.
    ['ba7a96bf e60d d011 a285 00aa003049e2', 'bf967aba-0de6-11d0-a285-00aa003049e2'],
    ['67452301 ab89 efcd 0123 456789abcdef', '01234567-89ab-cdef-0123-456789abcdef'],
    ['00000000 0000 0000 0000 000000000000', '00000000-0000-0000-0000-000000000000'],
  ])('%s <-> %s (first three fields little-endian)', (bytes, text) => {
    expect(guidToString(hex(bytes))).toBe(text);
    expect(guidToBuffer(text).equals(hex(bytes))).toBe(true);
    expect(guidToBuffer(text.toUpperCase()).equals(hex(bytes))).toBe(true);
  });

  it('rejects wrong sizes and shapes', () => {
    expect(() => guidToString(hex('00112233'))).toThrow(IdentifierFormatError);
    expect(isGuid('{bf967aba-0de6-11d0-a285-00aa003049e2}')).toBe(false);
    expect(() => guidToBuffer('bf967aba0de611d0a28500aa003049e2')).toThrow(IdentifierFormatError);
  });

  it('builds the <GUID=...> extended DN in lowercase', () => {
    expect(guidToExtendedDn('BF967ABA-0DE6-11D0-A285-00AA003049E2')).toBe('<GUID=bf967aba-0de6-11d0-a285-00aa003049e2>');
    expect(() => guidToExtendedDn('nope')).toThrow(IdentifierFormatError);
  });
});
