import { escapeFilter, Filter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  DnSyntaxError,
  escapeDnValue,
  firstRdnValue,
  parseDn,
  unescapeDnValue,
} from '../../relay/ldap/escape.js';

describe('escapeDnValue (RFC 4514 section 2.4, plus AD\'s "=")', () => {
  it.each([
    ['plain', 'Sales Team', 'Sales Team'],
    ['comma', 'Sales, EMEA', 'Sales\\, EMEA'],
    ['plus', 'R+D', 'R\\+D'],
    ['equals', 'a=b', 'a\\=b'],
    ['angle brackets', '<admins>', '\\<admins\\>'],
    ['semicolon', 'a;b', 'a\\;b'],
    ['double quote', 'James "Jim" Smith, III', 'James \\"Jim\\" Smith\\, III'],
    ['backslash', 'C:\\dir', 'C:\\\\dir'],
    ['leading hash', '#hashtag', '\\#hashtag'],
    ['inner hash stays', 'a#b', 'a#b'],
    ['leading space', ' lead', '\\ lead'],
    ['trailing space', 'trail ', 'trail\\ '],
    ['inner spaces stay', 'a  b', 'a  b'],
    ['single space', ' ', '\\ '],
    ['NUL', 'a\0b', 'a\\00b'],
    ['CR and LF', 'Before\rAfter\n', 'Before\\0dAfter\\0a'],
    ['non-ASCII stays', 'Lučić ☃', 'Lučić ☃'],
    ['empty', '', ''],
  ])('%s', (_name, value, expected) => {
    expect(escapeDnValue(value)).toBe(expected);
  });

  it.each(['Sales, EMEA', ' #a+b=c;d<e>f"g\\h ', '#', 'x\0y', 'Lučić', 'emoji 👍 group', 'tab\tand\r\nnewline', '\\#'])(
    'round-trips %j through unescapeDnValue',
    (value) => {
      expect(unescapeDnValue(escapeDnValue(value))).toBe(value);
    },
  );
});

describe('unescapeDnValue', () => {
  it.each([
    ['RFC 4514 quoted', 'James \\"Jim\\" Smith\\, III', 'James "Jim" Smith, III'],
    ['RFC 4514 hex CR', 'Before\\0dAfter', 'Before\rAfter'],
    ['RFC 4514 UTF-8 hex pairs', 'Lu\\C4\\8Di\\C4\\87', 'Lučić'],
    ['escaped space', '\\ x\\ ', ' x '],
    ['escaped non-special', '\\a\\b', 'ab'],
  ])('%s', (_name, escaped, expected) => {
    expect(unescapeDnValue(escaped)).toBe(expected);
  });

  it.each([
    ['dangling backslash', 'abc\\'],
    ['hex pairs that are not UTF-8', '\\C4'],
    ['hex-string value', '#04024869'],
  ])('rejects %s', (_name, escaped) => {
    expect(() => unescapeDnValue(escaped)).toThrow(DnSyntaxError);
  });
});

describe('parseDn / firstRdnValue', () => {
  it('splits on unescaped commas only (RFC 4514 examples)', () => {
    expect(parseDn('CN=Steve Kille,O=Isode Limited,C=GB')).toEqual([
      { type: 'CN', value: 'Steve Kille' },
      { type: 'O', value: 'Isode Limited' },
      { type: 'C', value: 'GB' },
    ]);
    expect(parseDn('CN=James \\"Jim\\" Smith\\, III,DC=example,DC=net')[0]).toEqual({
      type: 'CN',
      value: 'James "Jim" Smith, III',
    });
    expect(firstRdnValue('CN=Before\\0dAfter,DC=example,DC=net')).toBe('Before\rAfter');
    expect(firstRdnValue('CN=Lu\\C4\\8Di\\C4\\87,DC=example')).toBe('Lučić');
  });

  it('handles an escaped backslash before a separator', () => {
    expect(parseDn('CN=a\\\\,OU=b')).toEqual([
      { type: 'CN', value: 'a\\' },
      { type: 'OU', value: 'b' },
    ]);
  });

  it('returns what escapeDnValue put in', () => {
    const cn = ' Sales, EMEA + R&D = "best" #1 ';
    expect(firstRdnValue(`CN=${escapeDnValue(cn)},OU=Groups,DC=writeback,DC=test`)).toBe(cn);
  });

  it('rejects multi-valued RDNs and RDNs without a type', () => {
    expect(() => parseDn('OU=Sales+CN=J.  Smith,DC=example,DC=net')).toThrow(DnSyntaxError);
    expect(() => parseDn('justtext,DC=x')).toThrow(DnSyntaxError);
  });
});

// The relay escapes filter values with ldapts; these pin the behaviour it relies on (relay/ldap/escape.ts).
describe('ldapts Filter.escape (RFC 4515 section 3)', () => {
  it.each([
    ['RFC example parens', 'Parens R Us (for all your parenthetical needs)', 'Parens R Us \\28for all your parenthetical needs\\29'],
    ['RFC example star', '*', '\\2a'],
    ['RFC example backslash', 'C:\\MyFile', 'C:\\5cMyFile'],
    ['NUL', 'a\0b', 'a\\00b'],
    ['injection attempt', '*)(objectClass=*', '\\2a\\29\\28objectClass=\\2a'],
    ['plain', 'jdoe', 'jdoe'],
    ['non-ASCII text is left for ldapts to send as UTF-8', 'Lučić', 'Lučić'],
  ])('%s', (_name, value, expected) => {
    expect(Filter.escape(value)).toBe(expected);
  });

  it('escapes a binary value byte by byte (RFC example \\00\\00\\00\\04)', () => {
    expect(Filter.escape(Buffer.from([0, 0, 0, 4]))).toBe('\\00\\00\\00\\04');
    expect(Filter.escape(Buffer.from('Lučić', 'utf8'))).toBe('\\4c\\75\\c4\\8d\\69\\c4\\87');
  });

  it('escapes every value interpolated into an escapeFilter template, and nothing else', () => {
    const anchor = 'Group_*)(objectClass=*';
    expect(escapeFilter`(&(objectClass=group)(adminDescription=${anchor}))`).toBe(
      '(&(objectClass=group)(adminDescription=Group_\\2a\\29\\28objectClass=\\2a))',
    );
  });
});
