// graphWebhook: the handler as registered, called with real HttpRequest/InvocationContext objects and through
// the local host over HTTP; the poke lands on the embedded queue (Service Bus semantics).
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { graphWebhook } from '../../functions/graphWebhook.js';
import { assembleRuntime, setCloudRuntime, type CloudRuntime } from '../../functions/runtime.js';
import { createLocalRuntime, localConfig, type LocalRuntime } from '../../dev/host/local-runtime.js';
import { startLocalHost, type LocalHost } from '../../dev/host/local-host.js';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import { createGraphClient } from '../../shared/adapters/graph/client.js';
import { MAX_NOTIFICATION_BYTES } from '../../shared/app/intake/notification-body.js';
import { pokeMessageSchema, type PokeMessage } from '../../shared/contracts/poke-message.js';
import type { QueueClient } from '../../shared/ports/queue.js';

const tenantId = '7d96a1c4-1111-4a2b-9c3d-0123456789ab';
const groupA = 'f0a5993b-5c2d-49cc-bb2f-8cb0060fef8e';
const groupB = '0bc7e5a1-2222-4c44-8d55-66778899aabb';
const secret = 'current-secret-value-0123456789';
const previous = 'previous-secret-value-0123456789';

function captureLog(): { log: pino.Logger; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  // No redaction configured on purpose: the code itself must never log a clientState.
  return { log: pino({ level: 'debug' }, sink), text: () => lines.join('') };
}

/** Graph's notification shape as seen in the wild (docs/graph.md, change notifications). */
function notification(clientState: string | undefined, groupId = groupA, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    changeType: 'updated',
    ...(clientState === undefined ? {} : { clientState }),
    resource: `Groups/${groupId}`,
    resourceData: {
      '@odata.type': '#Microsoft.Graph.Group',
      '@odata.id': `Groups/${groupId}`,
      id: groupId,
      organizationId: tenantId,
      eventTime: '2018-11-22T01:47:00.2455823Z',
      sequenceNumber: 636784480202455800,
      'members@delta': [{ id: '4d14aaaa-0000-0000-0000-000000000000' }, { id: '4d14bbbb-0000-0000-0000-000000000000', '@removed': 'deleted' }],
    },
    subscriptionExpirationDateTime: '2018-11-24T18:13:08.914+00:00',
    subscriptionId: 'd850b120-19bb-4291-b9c4-845ea04dd38d',
    tenantId,
    ...extra,
  };
}

/** A distinct group id per index. */
function groupId(i: number): string {
  return `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
}

/**
 * POSTs `head` and then `filler` again and again (chunked, never ending) until the response arrives.
 * Resolves with the status and how many bytes had been written by then.
 */
function postEndless(url: string, head: string, filler: string): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      answered = true;
      res.resume();
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, sent });
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const write = (): void => {
      while (!answered) {
        const chunk = sent === 0 ? head : filler;
        sent += Buffer.byteLength(chunk);
        if (!req.write(chunk)) {
          req.once('drain', write);
          return;
        }
      }
    };
    write();
  });
}

function post(body: string | Uint8Array, query = ''): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url: `https://example.test/api/graph/notifications${query}`,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? { string: body } : { bytes: body },
  });
}

async function invoke(request: HttpRequest): Promise<{ status: number; headers: Headers; text: string }> {
  const init = (await graphWebhook(request, new InvocationContext({ functionName: 'graphWebhook', logHandler: () => undefined }))) as HttpResponseInit;
  const res = new HttpResponse(init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

let runtime: LocalRuntime;
let logs: ReturnType<typeof captureLog>;

async function pokes(): Promise<PokeMessage[]> {
  const out: PokeMessage[] = [];
  const session = await runtime.queue.acceptNextSession(runtime.config.GRAPH_CHANGES_QUEUE, 10);
  if (session === null) return out;
  for (;;) {
    const [m] = await session.receive(1, 10);
    if (m === undefined) break;
    expect(m.sessionId).toBe(tenantId);
    out.push(pokeMessageSchema.parse(m.body));
    await session.complete(m);
  }
  await session.close();
  return out;
}

beforeEach(async () => {
  logs = captureLog();
  runtime = await createLocalRuntime({
    graphBaseUrl: 'http://127.0.0.1:9',
    tenantId,
    hostUrl: 'http://127.0.0.1:7071',
    settings: { CLIENT_STATE_SECRET: secret, CLIENT_STATE_SECRET_PREVIOUS: previous },
    log: logs.log,
  });
  setCloudRuntime(runtime);
});

afterEach(async () => {
  setCloudRuntime(undefined);
  await runtime.close();
});

describe('graphWebhook: validation handshake', () => {
  it('answers 200 text/plain with exactly the URL-decoded token', async () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 1cd9e1f8-0000';
    const res = await invoke(post('', `?validationToken=${encodeURIComponent(token)}`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toBe(token);
  });

  it('reflects nothing but the token (other query values, body, headers)', async () => {
    const req = new HttpRequest({
      method: 'POST',
      url: 'https://example.test/api/graph/notifications?validationToken=abc%20def&x=%3Cscript%3E',
      headers: { 'content-type': 'text/plain', 'x-evil': '<script>' },
      body: { string: '<script>alert(1)</script>' },
    });
    const res = await invoke(req);
    expect(res.status).toBe(200);
    expect(res.text).toBe('abc def');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses overlong tokens and control characters, enqueues nothing', async () => {
    expect((await invoke(post('', `?validationToken=${'a'.repeat(1025)}`))).status).toBe(400);
    expect((await invoke(post('', '?validationToken=a%0D%0ASet-Cookie:%20x=1'))).status).toBe(400);
    expect((await invoke(post('', '?validationToken='))).status).toBe(400);
    expect(await pokes()).toEqual([]);
  });
});

describe('graphWebhook: notifications', () => {
  it('a valid batch -> 202 and ONE poke with the group ids as hints', async () => {
    const body = JSON.stringify({ value: [notification(secret), notification(secret, groupB), notification(secret)] });
    const res = await invoke(post(body));
    expect(res.status).toBe(202);
    const got = await pokes();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ v: 1, tenantId, reason: 'notification' });
    expect(new Set(got[0]!.groupIds)).toEqual(new Set([groupA, groupB]));
  });

  it('tolerates lower-case resources and notifications without resourceData', async () => {
    const n = notification(secret);
    delete n['resourceData'];
    n['resource'] = `groups/${groupB}`;
    expect((await invoke(post(JSON.stringify({ value: [n] })))).status).toBe(202);
    expect((await pokes())[0]?.groupIds).toEqual([groupB]);
  });

  it('forged clientState: dropped, 401, nothing enqueued, logged without any secret', async () => {
    const forged = 'forged-secret-attempt-value';
    const res = await invoke(post(JSON.stringify({ value: [notification(forged), notification(undefined)] })));
    expect(res.status).toBe(401);
    expect(await pokes()).toEqual([]);
    const text = logs.text();
    expect(text).toContain('clientStateMismatch');
    for (const s of [forged, secret, previous]) expect(text).not.toContain(s);
    expect(res.text).not.toContain(forged);
  });

  it('a mix of valid and forged: 202, one poke for the valid ones only', async () => {
    const body = JSON.stringify({ value: [notification('nope-nope-nope', groupB), notification(secret, groupA)] });
    expect((await invoke(post(body))).status).toBe(202);
    const got = await pokes();
    expect(got).toHaveLength(1);
    expect(got[0]!.groupIds).toEqual([groupA]);
  });

  it('rotation: the previous secret is still accepted', async () => {
    expect((await invoke(post(JSON.stringify({ value: [notification(previous)] })))).status).toBe(202);
    expect(await pokes()).toHaveLength(1);
  });

  it('a notification for another tenant is dropped even with the right clientState', async () => {
    const body = JSON.stringify({ value: [notification(secret, groupA, { tenantId: '00000000-0000-0000-0000-000000000bad' })] });
    expect((await invoke(post(body))).status).toBe(401);
    expect(await pokes()).toEqual([]);
  });

  it('malformed JSON -> 400, nothing enqueued', async () => {
    expect((await invoke(post('{"value": [ {'))).status).toBe(400);
    expect((await invoke(post(new Uint8Array([0xff, 0xfe, 0x7b])))).status).toBe(400);
    expect((await invoke(post(''))).status).toBe(400);
    expect(await pokes()).toEqual([]);
  });

  it('wrong shape -> 400, nothing enqueued', async () => {
    for (const body of [{}, { value: [] }, { value: 'x' }, [notification(secret)], { value: [{ clientState: secret }] }, { value: [{ ...notification(secret), subscriptionId: 5 }] }]) {
      expect((await invoke(post(JSON.stringify(body)))).status, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
    expect(await pokes()).toEqual([]);
  });

  it('one notification over 1 MiB -> 413, nothing enqueued (even when the rest of the batch is valid)', async () => {
    const filler = 'x'.repeat(MAX_NOTIFICATION_BYTES);
    const body = JSON.stringify({ value: [notification(secret, groupB), notification(secret, groupA, { filler }), notification(secret)] });
    const res = await invoke(post(body));
    expect(res.status).toBe(413);
    expect(res.text).toBe('body too large');
    expect(await pokes()).toEqual([]);
  });

  it('a wrong-shaped notification late in a big batch -> 400, nothing enqueued', async () => {
    const value = Array.from({ length: 2000 }, (_, i) => notification(secret, groupId(i)));
    value.push({ ...notification(secret), subscriptionId: 5 });
    expect((await invoke(post(JSON.stringify({ value })))).status).toBe(400);
    expect(await pokes()).toEqual([]);
  });

  it('a forged batch of thousands: 401, and one log line for all the drops', async () => {
    const value = Array.from({ length: 3000 }, (_, i) => notification('forged-forged-forged', groupId(i)));
    expect((await invoke(post(JSON.stringify({ value })))).status).toBe(401);
    const dropLines = logs.text().split('\n').filter((l) => l.includes('dropped'));
    expect(dropLines).toHaveLength(1);
    expect(JSON.parse(dropLines[0]!)).toMatchObject({ dropped: 3000, reasons: { clientStateMismatch: 3000 } });
  });

  it('enqueue failure -> 503 so Graph retries', async () => {
    const failing: QueueClient = {
      ...runtime.queue,
      sender: () => ({ send: () => Promise.reject(new Error('namespace unavailable')), close: () => Promise.resolve() }),
      close: () => Promise.resolve(),
    };
    const config = localConfig({ graphBaseUrl: 'http://127.0.0.1:9', tenantId, hostUrl: 'http://127.0.0.1:7071', settings: { CLIENT_STATE_SECRET: secret } });
    const broken: CloudRuntime = assembleRuntime({
      config,
      queue: failing,
      tables: new MemoryTableStore(),
      graph: createGraphClient({ baseUrl: 'http://127.0.0.1:9' }),
      log: logs.log,
      now: () => new Date(),
    });
    setCloudRuntime(broken);
    const res = await invoke(post(JSON.stringify({ value: [notification(secret)] })));
    expect(res.status).toBe(503);
  });
});

describe('graphWebhook through the local host (HTTP, anonymous)', () => {
  let host: LocalHost;
  beforeEach(async () => {
    host = await startLocalHost({ runtime, timers: false, queues: false, functionKey: 'local-key' });
  });
  afterEach(async () => {
    await host.close();
  });

  it('handshake and a notification over HTTP without a function key', async () => {
    const url = `${host.url}/api/graph/notifications`;
    const hs = await fetch(`${url}?validationToken=hello%2Fworld%3F`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '' });
    expect(hs.status).toBe(200);
    expect(await hs.text()).toBe('hello/world?');
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: [notification(secret)] }) });
    expect(res.status).toBe(202);
    expect(await pokes()).toHaveLength(1);
  });

  it('3,000 notifications (> 1 MiB) about 3,000 groups: 202 and ONE poke without hints (a delta round covers all)', async () => {
    const body = JSON.stringify({ value: Array.from({ length: 3000 }, (_, i) => notification(secret, groupId(i))) });
    expect(body.length).toBeGreaterThan(1.5 * 1024 * 1024);
    const res = await fetch(`${host.url}/api/graph/notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(202);
    const got = await pokes();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ tenantId, reason: 'notification' });
    expect(got[0]!.groupIds).toBeUndefined();
  });

  it('3,000 notifications about 500 groups: one poke carrying the 500 group ids', async () => {
    const body = JSON.stringify({ value: Array.from({ length: 3000 }, (_, i) => notification(secret, groupId(i % 500))) });
    const res = await fetch(`${host.url}/api/graph/notifications`, { method: 'POST', body });
    expect(res.status).toBe(202);
    const got = await pokes();
    expect(got).toHaveLength(1);
    expect(new Set(got[0]!.groupIds)).toEqual(new Set(Array.from({ length: 500 }, (_, i) => groupId(i))));
  });

  it('streams: a notification that never ends is refused with 413 after about 1 MiB, while the client is still sending', async () => {
    const head = `{"value":[${JSON.stringify(notification(secret))},{"subscriptionId":"s","clientState":"${secret}","filler":"`;
    const { status, sent } = await postEndless(`${host.url}/api/graph/notifications`, head, 'x'.repeat(64 * 1024));
    expect(status).toBe(413);
    expect(sent).toBeLessThan(8 * MAX_NOTIFICATION_BYTES);
    expect(await pokes()).toEqual([]);
    // The connection's unread rest was dropped by the host; it still answers.
    const res = await fetch(`${host.url}/api/graph/notifications`, { method: 'POST', body: JSON.stringify({ value: [notification(secret)] }) });
    expect(res.status).toBe(202);
  });
});
