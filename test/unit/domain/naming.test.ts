import { describe, expect, it } from 'vitest';
import { adGroupTypeValue, groupAnchor, groupCn, groupSamAccountName } from '../../../shared/domain/naming.js';
import { clipUtf16, utf8Length } from '../../../shared/domain/text.js';

const ID = '3a5c3221-c465-48c0-95b8-e9305786a271';

describe('naming', () => {
  it('anchors and objectId cns are Group_<objectId>', () => {
    expect(groupAnchor(ID)).toBe(`Group_${ID}`);
    expect(groupCn('objectId', ID, 'Sales')).toBe(`Group_${ID}`);
    expect(groupAnchor(ID.toUpperCase())).toBe(`Group_${ID}`);
  });

  it('displayName cns are Left(Trim(name),51) + _ + last 12 of the id', () => {
    expect(groupCn('displayName', ID, 'Administrators')).toBe('Administrators_e9305786a271');
    expect(groupCn('displayName', ID, '  Sales, EMEA + "Partners" <core>; #1  ')).toBe('Sales, EMEA + "Partners" <core>; #1_e9305786a271');
    const long = 'A very long security group display name that goes well past fifty-one characters';
    const cn = groupCn('displayName', ID, long);
    expect(cn).toBe('A very long security group display name that goes w_e9305786a271');
    expect(cn).toHaveLength(64);
  });

  it('never cuts a surrogate pair: a pair that does not fit is dropped whole', () => {
    const name = 'Emoji teams ' + '🙂'.repeat(25); // 12 + 50 code units
    const cn = groupCn('displayName', ID, name);
    expect(cn).toBe('Emoji teams ' + '🙂'.repeat(19) + '_e9305786a271');
    expect(cn.length).toBe(63);
    const aligned = 'x' + '🙂'.repeat(30); // pair boundary at 51
    expect(groupCn('displayName', ID, aligned).length).toBe(64);
    expect(() => encodeURIComponent(groupCn('displayName', ID, name))).not.toThrow(); // well-formed UTF-16
  });

  it('keeps DN-special characters raw (the relay escapes the DN)', () => {
    expect(groupCn('displayName', ID, '#a,b+c\\d')).toBe('#a,b+c\\d_e9305786a271');
  });

  it('sAMAccountName is stable, 20 characters, from the id only', () => {
    expect(groupSamAccountName(ID)).toBe('Group_b8e9305786a271');
    expect(groupSamAccountName(ID)).toHaveLength(20);
    expect(groupSamAccountName(ID.toUpperCase())).toBe(groupSamAccountName(ID));
  });

  it('groupType values are universal scope', () => {
    expect(adGroupTypeValue('universalDistributionGroup')).toBe(8);
    expect(adGroupTypeValue('universalSecurityGroup')).toBe(-2147483640);
    expect(adGroupTypeValue('universalMailEnabledSecurityGroup')).toBe(-2147483640);
  });
});

describe('text measures', () => {
  it('clips in UTF-16 units without splitting pairs', () => {
    expect(clipUtf16('abc', 5)).toBe('abc');
    expect(clipUtf16('ab🙂', 3)).toBe('ab');
    expect(clipUtf16('ab🙂', 4)).toBe('ab🙂');
    expect(clipUtf16('🙂', 0)).toBe('');
  });

  it('counts UTF-8 bytes like Buffer.byteLength', () => {
    for (const s of ['', 'abc', 'é', '€', '🙂', 'a🙂b€é', '\ud800x']) {
      expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }
  });
});
