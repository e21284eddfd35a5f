// Delta state tokens: opaque to clients, here base64url JSON of the change-log position and the round's
// query options (Graph encodes query options in the token too; they apply only on the first request).
import { z } from 'zod';
import { badRequest } from './errors.js';

const querySchema = z.object({
  version: z.enum(['v1.0', 'beta']),
  select: z.array(z.string()).nullable(),
  filterIds: z.array(z.string()).nullable(),
});
export type DeltaQuery = z.infer<typeof querySchema>;

/** deltaLink: "changes after seq s", issued at t (sim clock ms), in token generation g. */
const deltaTokenSchema = z.object({ k: z.literal('d'), g: z.number(), s: z.number(), t: z.number(), q: querySchema });
export type DeltaToken = z.infer<typeof deltaTokenSchema>;

/** nextLink: page p of a materialised round r. */
const skipTokenSchema = z.object({ k: z.literal('s'), g: z.number(), r: z.string(), p: z.number().int().nonnegative() });
export type SkipToken = z.infer<typeof skipTokenSchema>;

export function encodeToken(token: DeltaToken | SkipToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

function decode<T>(raw: string, schema: z.ZodType<T>): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('The delta token is malformed.');
  }
  const r = schema.safeParse(parsed);
  if (!r.success) throw badRequest('The delta token is malformed.');
  return r.data;
}

export const decodeDeltaToken = (raw: string): DeltaToken => decode(raw, deltaTokenSchema);
export const decodeSkipToken = (raw: string): SkipToken => decode(raw, skipTokenSchema);
