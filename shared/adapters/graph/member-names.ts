// Member names via POST /directoryObjects/getByIds (<= 1000 ids per call, the call member-identities.ts makes
// with other properties): display name, UPN and kind of users, groups and devices.
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { normaliseId } from '../../domain/ids.js';
import type { MemberName, MemberNameReader } from '../../ports/member-names.js';
import { mapLimit } from '../../concurrency.js';
import { chunk } from './batch.js';
import { odataTypeName } from './group-wire.js';
import { GET_BY_IDS_MAX } from './member-identities.js';

const responseSchema = z.looseObject({
  value: z.array(
    z.looseObject({ id: z.string().min(1), '@odata.type': z.string().nullish(), displayName: z.string().nullish(), userPrincipalName: z.string().nullish() }),
  ),
});

function kindOf(type: string | null): MemberName['kind'] {
  const t = type?.toLowerCase() ?? null;
  return t === 'user' || t === 'group' || t === 'device' ? t : null;
}

export class GraphMemberNameReader implements MemberNameReader {
  constructor(
    private readonly client: Client,
    private readonly concurrency = 4,
  ) {}

  async memberNames(ids: readonly string[]): Promise<Map<string, MemberName>> {
    const out = new Map<string, MemberName>();
    await mapLimit(chunk([...new Set(ids)], GET_BY_IDS_MAX), this.concurrency, async (part) => {
      const raw: unknown = await this.client
        .api('/directoryObjects/getByIds')
        .select('id,displayName,userPrincipalName')
        .post({ ids: part, types: ['user', 'group', 'device'] });
      for (const o of responseSchema.parse(raw).value) {
        const id = normaliseId(o.id);
        out.set(id, { id, displayName: o.displayName ?? null, userPrincipalName: o.userPrincipalName ?? null, kind: kindOf(odataTypeName(o['@odata.type']) ?? null) });
      }
    });
    return out;
  }
}
