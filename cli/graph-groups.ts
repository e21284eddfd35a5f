// Microsoft Graph as the admin: read a group and change its writebackConfiguration (beta) with the admin's
// own delegated token. The Function App's identity only reads Graph; marking a group for writeback is the
// admin's act, like editing the group in the Entra admin center.
import { z } from 'zod';
import { CliError } from './command-line.js';
import { jsonOrNull } from './json-text.js';

export const DEFAULT_GRAPH_URL = 'https://graph.microsoft.com';

const writebackSchema = z.object({ isEnabled: z.boolean().nullish(), onPremisesGroupType: z.string().nullish() });

const cloudGroupSchema = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  groupTypes: z.array(z.string()).nullish(),
  securityEnabled: z.boolean().nullish(),
  mailEnabled: z.boolean().nullish(),
  writebackConfiguration: writebackSchema.nullish(),
});
export type CloudGroup = z.infer<typeof cloudGroupSchema>;
export type WritebackChange = { isEnabled: boolean; onPremisesGroupType?: string };

const SELECT = 'id,displayName,groupTypes,securityEnabled,mailEnabled,writebackConfiguration';
const graphErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export class GraphGroups {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => Promise<string>,
  ) {}

  async get(groupId: string): Promise<CloudGroup> {
    return cloudGroupSchema.parse(await this.call('GET', `groups/${encodeURIComponent(groupId)}?$select=${SELECT}`));
  }

  async findByName(displayName: string): Promise<CloudGroup[]> {
    const filter = `displayName eq '${displayName.replace(/'/g, "''")}'`;
    const page = z.object({ value: z.array(cloudGroupSchema) }).parse(await this.call('GET', `groups?$filter=${encodeURIComponent(filter)}&$select=${SELECT}&$top=20`));
    return page.value;
  }

  async setWriteback(groupId: string, change: WritebackChange): Promise<void> {
    await this.call('PATCH', `groups/${encodeURIComponent(groupId)}`, { writebackConfiguration: change });
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/beta/${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${await this.token()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new CliError(`cannot reach Microsoft Graph at ${this.baseUrl}: ${cause}`);
    }
    if (res.status === 204) return null;
    const text = await res.text();
    if (!res.ok) {
      const parsed = graphErrorSchema.safeParse(jsonOrNull(text));
      const reason = parsed.success ? `${parsed.data.error.code}: ${parsed.data.error.message}` : text.trim().slice(0, 300);
      const hint = res.status === 401 || res.status === 403 ? ' (your account needs a role that may change groups, e.g. Groups Administrator, and the token Group.ReadWrite.All)' : '';
      throw new CliError(`Graph ${method} /beta/${path.split('?')[0] ?? path}: ${res.status} ${reason}${hint}`);
    }
    return jsonOrNull(text);
  }
}
