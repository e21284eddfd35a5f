// What the relay learns about the domain once per connection run: where to search (defaultNamingContext
// unless configured) and which optional attributes the schema has (mailNickname and the msExch* recipient
// attributes exist only in Exchange-prepared forests; msDS-ExternalDirectoryObjectId from the 2012 R2 schema on).
import type { Client } from 'ldapts';
import { OPTIONAL_ATTRIBUTES } from '../apply/header-attributes.js';
import { textValue, textValues } from './entry.js';

export interface AdContext {
  searchBaseDn: string;
  writebackOu: string;
  /** Former writeback OUs (config ldap.previousWritebackOus): a group there may still be deleted. */
  previousWritebackOus: readonly string[];
  /** Case-insensitive: does the schema define this attribute? Core attributes are always true. */
  hasAttribute(name: string): boolean;
  /** The optional attributes present, lower-case. */
  optionalAttributes: ReadonlySet<string>;
}

export async function loadAdContext(
  client: Pick<Client, 'search'>,
  opts: { writebackOu: string; previousWritebackOus?: readonly string[]; searchBaseDn?: string },
): Promise<AdContext> {
  const { searchEntries } = await client.search('', {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['defaultNamingContext', 'schemaNamingContext'],
  });
  const root = searchEntries[0];
  const defaultNc = root ? textValue(root, 'defaultNamingContext') : null;
  const schemaNc = root ? textValue(root, 'schemaNamingContext') : null;
  const searchBaseDn = opts.searchBaseDn ?? defaultNc;
  if (!searchBaseDn || !schemaNc) throw new Error('the DC did not publish defaultNamingContext/schemaNamingContext in its rootDSE');
  const names = [...OPTIONAL_ATTRIBUTES, 'msDS-DeviceID'];
  const schema = await client.search(schemaNc, {
    scope: 'one',
    filter: `(|${names.map((n) => `(lDAPDisplayName=${n})`).join('')})`,
    attributes: ['lDAPDisplayName'],
  });
  const present = new Set(schema.searchEntries.flatMap((e) => textValues(e, 'lDAPDisplayName')).map((n) => n.toLowerCase()));
  const optional = new Set(names.map((n) => n.toLowerCase()));
  return {
    searchBaseDn,
    writebackOu: opts.writebackOu,
    previousWritebackOus: opts.previousWritebackOus ?? [],
    optionalAttributes: present,
    hasAttribute: (name) => !optional.has(name.toLowerCase()) || present.has(name.toLowerCase()),
  };
}
