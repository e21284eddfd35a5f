// The relay's schema detection: which optional attributes it writes follows from the attributeSchema objects
// the DC publishes, not from a setting. A forest without the Exchange schema gets no mail or msExch* attribute.
import type { Client, SearchOptions, SearchResult } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { desiredAttributes } from '../../relay/apply/header-attributes.js';
import { loadAdContext } from '../../relay/ldap/ad-context.js';
import type { GroupHeader } from '../../shared/contracts/writeback-message.js';

const SCHEMA_NC = 'CN=Schema,CN=Configuration,DC=corp,DC=example';

/** A DC whose schema defines the given lDAPDisplayNames (answers the rootDSE and the schema search only). */
function dcWithSchema(names: readonly string[]): Pick<Client, 'search'> & { filters: string[] } {
  const filters: string[] = [];
  return {
    filters,
    search: (base: string, options?: SearchOptions): Promise<SearchResult> => {
      const filter = typeof options?.filter === 'string' ? options.filter : '';
      if (base === '') {
        return Promise.resolve({ searchEntries: [{ dn: '', defaultNamingContext: 'DC=corp,DC=example', schemaNamingContext: SCHEMA_NC }], searchReferences: [] });
      }
      filters.push(filter);
      const asked = names.filter((n) => filter.toLowerCase().includes(`(ldapdisplayname=${n.toLowerCase()})`));
      return Promise.resolve({ searchEntries: asked.map((n) => ({ dn: `CN=${n},${SCHEMA_NC}`, lDAPDisplayName: n })), searchReferences: [] });
    },
  };
}

const header: GroupHeader = {
  anchor: 'Group_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  cn: 'Group_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  samAccountName: 'Group_0f1e2d3c4b5a6978',
  displayName: 'Sales',
  description: null,
  adGroupType: 'universalDistributionGroup',
  groupType: 8,
  mail: { mail: 'sales@corp.example', mailNickname: 'sales', proxyAddresses: ['SMTP:sales@corp.example'] },
};

const EXCHANGE = ['mailNickname', 'msExchRecipientDisplayType', 'msExchRecipientTypeDetails', 'msExchRequireAuthToSendTo'];

describe('schema detection', () => {
  it('asks the schema for every Exchange attribute the relay writes', async () => {
    const dc = dcWithSchema([]);
    await loadAdContext(dc, { writebackOu: 'OU=Groups,DC=corp,DC=example' });
    for (const name of EXCHANGE) expect(dc.filters.join('')).toContain(`(lDAPDisplayName=${name})`);
  });

  it('an Exchange-prepared schema: the recipient attributes are written', async () => {
    const ctx = await loadAdContext(dcWithSchema(['mail', 'proxyAddresses', ...EXCHANGE]), { writebackOu: 'OU=Groups,DC=corp,DC=example' });
    for (const name of EXCHANGE) expect(ctx.hasAttribute(name)).toBe(true);
    const attrs = desiredAttributes(header, ctx.optionalAttributes);
    expect(attrs.get('mailNickname')).toEqual(['sales']);
    expect(attrs.get('msExchRecipientDisplayType')).toEqual(['1']);
    expect(attrs.get('msExchRecipientTypeDetails')).toEqual(['8796093022208']);
    expect(attrs.get('msExchRequireAuthToSendTo')).toEqual(['FALSE']);
  });

  it('a schema without Exchange: none of them, whatever the message carries', async () => {
    const ctx = await loadAdContext(dcWithSchema(['mail', 'proxyAddresses']), { writebackOu: 'OU=Groups,DC=corp,DC=example' });
    for (const name of EXCHANGE) expect(ctx.hasAttribute(name)).toBe(false);
    expect(ctx.hasAttribute('displayName')).toBe(true);
    const attrs = desiredAttributes(header, ctx.optionalAttributes);
    for (const name of EXCHANGE) expect(attrs.has(name)).toBe(false);
    expect(attrs.get('mail')).toEqual(['sales@corp.example']);
  });

  it('a mail-enabled security group is a security distribution group; a security group gets no recipient attributes', async () => {
    const ctx = await loadAdContext(dcWithSchema(['mail', 'proxyAddresses', ...EXCHANGE]), { writebackOu: 'OU=Groups,DC=corp,DC=example' });
    const secure = desiredAttributes({ ...header, adGroupType: 'universalMailEnabledSecurityGroup', groupType: -2147483640 }, ctx.optionalAttributes);
    expect(secure.get('msExchRecipientDisplayType')).toEqual(['1073741833']);
    const plain = desiredAttributes({ ...header, adGroupType: 'universalSecurityGroup', groupType: -2147483640 }, ctx.optionalAttributes);
    for (const name of EXCHANGE.slice(1)) expect(plain.has(name)).toBe(false);
  });
});
