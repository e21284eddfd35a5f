// The tenant's Group.Unified directory setting (GET /groupSettings): NewUnifiedGroupWritebackDefault.
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';

export const GROUP_UNIFIED_TEMPLATE_ID = '62375ab9-6b52-47ed-826b-58e47e0e304b';

const settingsSchema = z.looseObject({
  value: z.array(
    z.looseObject({
      templateId: z.string().nullish(),
      values: z.array(z.looseObject({ name: z.string(), value: z.string().nullish() })).nullish(),
    }),
  ),
});

/** true/false from the setting; null when the tenant has no Group.Unified setting object or no such value. */
export async function readUnifiedGroupWritebackDefault(client: Client): Promise<boolean | null> {
  const raw: unknown = await client.api('/groupSettings').get();
  const setting = settingsSchema.parse(raw).value.find((s) => s.templateId?.toLowerCase() === GROUP_UNIFIED_TEMPLATE_ID);
  const value = setting?.values?.find((v) => v.name.toLowerCase() === 'newunifiedgroupwritebackdefault')?.value;
  if (value === undefined || value === null) return null;
  if (value.toLowerCase() === 'true') return true;
  if (value.toLowerCase() === 'false') return false;
  return null;
}
