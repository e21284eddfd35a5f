import { describe, expect, it } from 'vitest';
import { adGroupTypeValue, groupAnchor, groupCn, groupSamAccountName } from '../../../shared/domain/naming.js';
import { adText, clipUtf16, utf8Length } from '../../../shared/domain/text.js';
import { desiredHeader, sameHeader } from '../../../shared/domain/header.js';
import { m365, settings } from './fixtures.js';

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

describe('cloud text as AD holds it', () => {
  it('replaces lone surrogates with U+FFFD and keeps pairs', () => {
    expect(adText('plain')).toBe('plain');
    expect(adText('a🙂b')).toBe('a🙂b');
    expect(adText('a\ud83db')).toBe('a\ufffdb');
    expect(adText('a\ude42b')).toBe('a\ufffdb');
    expect(adText('\ud83d')).toBe('\ufffd');
    expect(adText('\ude42\ud83d')).toBe('\ufffd\ufffd');
    expect(adText('x\ud83d\ud83d\ude42')).toBe('x\ufffd🙂');
    // what AD stores: the UTF-8 round trip of the raw text
    const raw = 'Team \ud83d \ude42 🙂';
    expect(adText(raw)).toBe(Buffer.from(raw, 'utf8').toString('utf8'));
  });

  it('plans the header AD will hold, so a group named with a lone surrogate is not renamed again', () => {
    const raw = m365(ID, {
      displayName: `${'x'.repeat(50)}\ud83d tail`,
      description: 'about \ude42',
      mail: 'a\ud800@contoso.com',
      mailNickname: 'a\ud800',
      proxyAddresses: ['SMTP:a\ud800@contoso.com'],
    });
    const asStored = m365(ID, {
      displayName: `${'x'.repeat(50)}\ufffd tail`,
      description: 'about \ufffd',
      mail: 'a\ufffd@contoso.com',
      mailNickname: 'a\ufffd',
      proxyAddresses: ['SMTP:a\ufffd@contoso.com'],
    });
    const s = settings({ cnFormat: 'displayName', exchangeSchema: true });
    const planned = desiredHeader(raw, 'universalDistributionGroup', s);
    expect(planned.cn).toBe(`${'x'.repeat(50)}\ufffd_e9305786a271`);
    expect(planned).toMatchObject({ displayName: `${'x'.repeat(50)}\ufffd tail`, description: 'about \ufffd' });
    expect(planned.mail).toEqual({ mail: 'a\ufffd@contoso.com', mailNickname: 'a\ufffd', proxyAddresses: ['SMTP:a\ufffd@contoso.com'] });
    expect(sameHeader(planned, desiredHeader(asStored, 'universalDistributionGroup', s))).toBe(true);
  });
});
