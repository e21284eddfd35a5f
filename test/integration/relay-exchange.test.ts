// The Exchange attributes against the real Samba AD DC, whose template schema carries the Exchange recipient
// attributes (dev/stack/exchange-schema.ldif): the relay finds them in the schema, writes mail, mailNickname,
// proxyAddresses and the recipient attributes Exchange reads, replaces AD Connect's msExchRequireAuthToSendTo
// TRUE, and writes none of them for a group whose message carries no mail data, or where the schema lacks them.
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyUpsert } from '../../relay/apply/apply-upsert.js';
import type { GroupHeader } from '../../shared/contracts/writeback-message.js';
import { headerFor, newGroupId, relayFixture, upsertMessage, type RelayFixture } from '../support/relay-fixture.js';

let fx: RelayFixture;

beforeAll(async () => {
  fx = await relayFixture('relay-exchange');
});

afterAll(async () => {
  await fx?.close();
});

const EXCHANGE = ['mail', 'mailNickname', 'proxyAddresses', 'msExchRecipientDisplayType', 'msExchRecipientTypeDetails', 'msExchRequireAuthToSendTo'];

function mailHeader(groupId: string, overrides: Partial<GroupHeader> = {}): GroupHeader {
  const nick = `team${groupId.slice(0, 8)}`;
  return headerFor(groupId, {
    adGroupType: 'universalDistributionGroup',
    groupType: 8,
    mail: { mail: `${nick}@contoso.example`, mailNickname: nick, proxyAddresses: [`SMTP:${nick}@contoso.example`, `smtp:${nick}@contoso.onmicrosoft.com`] },
    ...overrides,
  });
}

async function exchangeAttributes(dn: string): Promise<Record<string, unknown>> {
  const { searchEntries } = await fx.admin.search(dn, { scope: 'base', attributes: EXCHANGE });
  const entry = searchEntries[0]!;
  // ldapts gives an absent attribute as []: null reads as "not there"
  const value = (name: string): unknown => {
    const v = entry[name];
    return v === undefined || (Array.isArray(v) && v.length === 0) ? null : v;
  };
  return Object.fromEntries(EXCHANGE.map((name) => [name, value(name)]));
}

async function usnChanged(dn: string): Promise<unknown> {
  const { searchEntries } = await fx.admin.search(dn, { scope: 'base', attributes: ['uSNChanged'] });
  return searchEntries[0]!['uSNChanged'];
}

describe('Exchange attributes', () => {
  it('finds the Exchange recipient attributes in the DC\'s schema', () => {
    for (const name of EXCHANGE) expect(fx.ctx.optionalAttributes.has(name.toLowerCase()), name).toBe(true);
  });

  it('writes mail, mailNickname, proxyAddresses and the recipient attributes of a Microsoft 365 group', async () => {
    const groupId = newGroupId();
    const header = mailHeader(groupId);
    const result = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { header }));
    expect(result.outcome).toBe('applied');
    expect(await exchangeAttributes(result.ad!.dn)).toEqual({
      mail: header.mail!.mail,
      mailNickname: header.mail!.mailNickname,
      proxyAddresses: [...header.mail!.proxyAddresses].sort(),
      msExchRecipientDisplayType: '1',
      msExchRecipientTypeDetails: '8796093022208',
      msExchRequireAuthToSendTo: 'FALSE',
    });
    // idempotent: the same message again finds nothing to change (AD's change counter stays)
    const before = await usnChanged(result.ad!.dn);
    expect((await applyUpsert(fx.env(), upsertMessage(groupId, 1, { header }))).outcome).toBe('applied');
    expect(await usnChanged(result.ad!.dn)).toBe(before);
  });

  it('marks a mail-enabled security group as a security distribution group', async () => {
    const groupId = newGroupId();
    const header = mailHeader(groupId, { adGroupType: 'universalMailEnabledSecurityGroup', groupType: -2147483640 });
    const result = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { header }));
    expect((await exchangeAttributes(result.ad!.dn))['msExchRecipientDisplayType']).toBe('1073741833');
  });

  it('replaces the TRUE AD Connect stamps on msExchRequireAuthToSendTo', async () => {
    const groupId = newGroupId();
    const header = mailHeader(groupId);
    const result = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { header }));
    await fx.admin.modify(
      result.ad!.dn,
      new Change({ operation: 'replace', modification: new Attribute({ type: 'msExchRequireAuthToSendTo', values: ['TRUE'] }) }),
    );
    await applyUpsert(fx.env(), upsertMessage(groupId, 2, { header }));
    expect((await exchangeAttributes(result.ad!.dn))['msExchRequireAuthToSendTo']).toBe('FALSE');
  });

  it('writes none of them for a group whose message carries no mail data', async () => {
    const groupId = newGroupId();
    const result = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { header: mailHeader(groupId, { mail: null }) }));
    expect(await exchangeAttributes(result.ad!.dn)).toEqual(Object.fromEntries(EXCHANGE.map((name) => [name, null])));
  });

  it('writes none of them where the schema lacks them (a forest not prepared for Exchange)', async () => {
    const groupId = newGroupId();
    const ctx = { ...fx.ctx, optionalAttributes: new Set<string>(), hasAttribute: (name: string) => !EXCHANGE.includes(name) };
    const result = await applyUpsert(fx.env({ ctx }), upsertMessage(groupId, 1, { header: mailHeader(groupId) }));
    expect(result.outcome).toBe('applied');
    expect(await exchangeAttributes(result.ad!.dn)).toEqual(Object.fromEntries(EXCHANGE.map((name) => [name, null])));
  });
});
