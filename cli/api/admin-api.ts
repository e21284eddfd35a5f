// The admin API over HTTP: a bearer token from the admin's sign-in on every call, answers read with the
// CLI's schemas, and every refusal turned into a sentence for the person (401: sign in again, 403: which
// role, others: the API's own one-line reason).
import type { z } from 'zod';
import { CliError } from '../command-line.js';

export type Query = Record<string, string | number | boolean | undefined>;

/** The API answered with an error status; `body` is its text (a 409's JSON, for instance). */
export class ApiError extends CliError {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiAnswer<T> {
  value: T;
  /** The server's clock when it answered (the Date header), to compare with times it reports. */
  date: Date | null;
}

export class AdminApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => Promise<string>,
  ) {}

  async get<T extends z.ZodType>(path: string, schema: T, query: Query = {}): Promise<z.infer<T>> {
    return (await this.call('GET', path, schema, query)).value;
  }

  async post<T extends z.ZodType>(path: string, schema: T, query: Query = {}, body?: unknown): Promise<ApiAnswer<z.infer<T>>> {
    return this.call('POST', path, schema, query, body);
  }

  /** A call whose answer has nothing the CLI reads (a 202 with or without a body). */
  async postEmpty(path: string): Promise<void> {
    await this.request('POST', path, {});
  }

  async patch<T extends z.ZodType>(path: string, schema: T, query: Query, body: unknown): Promise<ApiAnswer<z.infer<T>>> {
    return this.call('PATCH', path, schema, query, body);
  }

  private url(path: string, query: Query): string {
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}/api/${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  private async request(method: string, path: string, query: Query, body?: unknown): Promise<{ res: Response; text: string }> {
    const token = await this.token();
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url(path, query), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new CliError(`cannot reach the admin API at ${this.baseUrl}: ${cause}`);
    }
    const text = await res.text();
    if (!res.ok) throw refusal(method, path, res, text);
    return { res, text };
  }

  private async call<T extends z.ZodType>(method: string, path: string, schema: T, query: Query, body?: unknown): Promise<ApiAnswer<z.infer<T>>> {
    const { res, text } = await this.request(method, path, query, body);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CliError(`${method} /api/${path} answered ${res.status} with a body that is not JSON: ${oneLine(text)}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError(`${method} /api/${path} answered in a shape gwb does not know (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}); is gwb as new as the Function App?`);
    }
    const date = res.headers.get('date');
    return { value: parsed.data, date: date === null ? null : new Date(date) };
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

function refusal(method: string, path: string, res: Response, text: string): ApiError {
  const status = res.status;
  // A 404 without a reason comes from the host, not the app: the route is not there.
  if (status === 404 && text.trim() === '') {
    return new ApiError(`${method} /api/${path}: 404, no such route (is the Function App older than gwb?)`, status, text);
  }
  const reason = oneLine(text) || res.statusText || 'no reason given';
  if (status === 401) {
    return new ApiError(`the admin API refused the sign-in (401: ${reason}); sign in again (az login), or check GWB_TOKEN and --audience`, status, text);
  }
  if (status === 403) {
    return new ApiError(`not allowed (403: ${reason}); an admin assigns the role in Enterprise applications, "Group writeback admin API"`, status, text);
  }
  return new ApiError(`${method} /api/${path}: ${status} ${reason}`, status, text);
}
