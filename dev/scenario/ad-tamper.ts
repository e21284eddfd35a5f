// adTamper: what an on-prem admin might do by hand to a written-back group (found by its anchor).
import { Attribute, Change, escapeFilter, type Client } from 'ldapts';
import type { ScenarioStep } from './schema.js';

type Tamper = Extract<ScenarioStep, { op: 'adTamper' }>;

async function findOne(ad: Client, base: string, filter: string, what: string): Promise<string> {
  const { searchEntries } = await ad.search(base, { scope: 'sub', filter, attributes: ['1.1'] });
  const first = searchEntries[0];
  if (!first) throw new Error(`${what} not found in AD`);
  return first.dn;
}

export async function tamper(ad: Client, domainDn: string, step: Tamper): Promise<void> {
  const groupDn = await findOne(ad, domainDn, escapeFilter`(adminDescription=${`Group_${step.groupId}`})`, `group ${step.groupId}`);
  switch (step.action) {
    case 'delete':
      await ad.del(groupDn);
      return;
    case 'setDescription':
      await ad.modify(groupDn, new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: [step.value ?? ''] }) }));
      return;
    case 'addMember':
    case 'removeMember': {
      const memberDn = await findOne(ad, domainDn, escapeFilter`(sAMAccountName=${step.sam ?? ''})`, `sam ${step.sam ?? ''}`);
      await ad.modify(
        groupDn,
        new Change({ operation: step.action === 'addMember' ? 'add' : 'delete', modification: new Attribute({ type: 'member', values: [memberDn] }) }),
      );
      return;
    }
  }
}
