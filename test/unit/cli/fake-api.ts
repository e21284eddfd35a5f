// A tiny admin API on loopback that answers with the contract's shapes (docs/admin.md), and a terminal that
// records what gwb prints: the CLI's request and answer handling is tested in-process against them.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { run } from '../../../cli/run.js';
import type { Terminal } from '../../../cli/terminal.js';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization: string | undefined;
}

export interface FakeAnswer {
  status?: number;
  json?: unknown;
  text?: string;
}

export type Routes = Record<string, (req: FakeRequest) => FakeAnswer>;

export interface FakeApi {
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** Routes are keyed "METHOD /api/path"; an unknown one answers 404 with an empty body. */
export async function fakeApi(routes: Routes): Promise<FakeApi> {
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const request: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body, authorization: req.headers.authorization };
      requests.push(request);
      const answer = routes[`${request.method} ${request.path}`]?.(request) ?? { status: 404 };
      if (answer.json !== undefined) {
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
      } else {
        res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain; charset=utf-8' }).end(answer.text ?? '');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface Recorded {
  code: number;
  out: string[];
  err: string[];
  redraws: string[];
  asked: string[];
}

export interface TerminalOptions {
  interactive?: boolean;
  /** What the person types at each prompt; none: nobody is at the terminal. */
  answers?: string[];
  env?: Record<string, string>;
}

/** Runs gwb in-process against `api` with a recording terminal (GWB_URL and GWB_TOKEN set). */
export async function gwb(api: FakeApi, args: string[], o: TerminalOptions = {}): Promise<Recorded> {
  const rec: Omit<Recorded, 'code'> = { out: [], err: [], redraws: [], asked: [] };
  const answers = [...(o.answers ?? [])];
  const term: Terminal = {
    env: { GWB_URL: api.url, GWB_TOKEN: 'test-token', ...o.env },
    out: (l) => rec.out.push(l),
    err: (l) => rec.err.push(l),
    redraw: (l) => rec.redraws.push(l),
    interactive: o.interactive ?? false,
    ask: (q) => {
      rec.asked.push(q);
      return Promise.resolve(o.answers === undefined ? null : (answers.shift() ?? ''));
    },
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    pollMs: 5,
  };
  const code = await run(args, term);
  return { code, ...rec };
}

/** A GroupSummary as the contract describes it. */
export function summary(groupId: string, displayName: string, state: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    groupId,
    displayName,
    type: 'security',
    adGroupType: 'universalSecurityGroup',
    state,
    reason: null,
    members: { planned: 3, cloudOnly: 1, errors: 0 },
    lastChangeAt: '2026-12-01T10:00:00.000Z',
    lastResultAt: '2026-12-01T10:00:05.000Z',
    outcome: 'applied',
    ...extra,
  };
}
