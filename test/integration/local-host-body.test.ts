// Request bodies in the local host: handed to the handler as a stream while they arrive (as the Functions
// worker does with HTTP streams enabled), capped at the Functions host's limit, and an unread rest dropped
// so the connection stays usable.
import { request as httpRequest, type ClientRequest } from 'node:http';
import type { HttpHandler, HttpRequest } from '@azure/functions';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_MAX_REQUEST_BYTES } from '../../dev/host/http-server.js';
import { startLocalHost, type LocalHost } from '../../dev/host/local-host.js';
import { createLocalRuntime, type LocalRuntime } from '../../dev/host/local-runtime.js';
import { silentLogger } from '../../shared/logging.js';

let host: LocalHost | undefined;
let runtime: LocalRuntime | undefined;

async function serve(handler: HttpHandler): Promise<string> {
  runtime = await createLocalRuntime({ graphBaseUrl: 'http://127.0.0.1:9', tenantId: '7d96a1c4-1111-4a2b-9c3d-0123456789ab', hostUrl: 'http://127.0.0.1:7071', log: silentLogger() });
  host = await startLocalHost({
    runtime,
    timers: false,
    queues: false,
    functions: [{ name: 'sink', trigger: { type: 'http', route: 'sink', methods: ['POST'], authLevel: 'anonymous' }, handler }],
  });
  return `${host.url}/api/sink`;
}

afterEach(async () => {
  await host?.close();
  host = undefined;
  await runtime?.close();
  runtime = undefined;
});

/** Reads the whole body chunk by chunk, keeping only the count. */
async function drain(request: HttpRequest): Promise<number> {
  const reader = request.body!.getReader();
  let total = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) total += (r.value as Uint8Array).byteLength;
  return total;
}

/** Starts a POST and resolves with the response status and text; the caller writes the body. */
function open(url: string, headers: Record<string, string | number> = {}): { req: ClientRequest; response: Promise<{ status: number; text: string }> } {
  let req!: ClientRequest;
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
  return { req, response };
}

describe('local host: request bodies', () => {
  it('the handler reads the body while the client is still sending it', async () => {
    const url = await serve(async (request) => {
      const { value } = await request.body!.getReader().read();
      return { status: 200, body: new TextDecoder().decode(value as Uint8Array) };
    });
    const { req, response } = open(url);
    req.write('first part');
    // The request is not ended: a host that waited for the whole body would never answer.
    const res = await Promise.race([response, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    req.destroy();
    expect(res).toEqual({ status: 200, text: 'first part' });
  });

  it('a body the handler leaves unread is dropped after the response; the host goes on answering', async () => {
    let calls = 0;
    const url = await serve(() => (calls++, { status: 204 }));
    for (let i = 0; i < 3; i++) expect((await fetch(url, { method: 'POST', body: new Uint8Array(3 * 1024 * 1024) })).status).toBe(204);
    expect(calls).toBe(3);
  });

  it('a declared length over the limit is refused with 413 before any handler runs', async () => {
    let called = false;
    const url = await serve(() => ((called = true), { status: 204 }));
    const { req, response } = open(url, { 'content-length': LOCAL_MAX_REQUEST_BYTES + 1 });
    req.write('x');
    expect((await response).status).toBe(413);
    req.destroy();
    expect(called).toBe(false);
  });

  it('a chunked body that grows past the limit errors the handler\'s stream and is answered 413', async () => {
    let read = 0;
    const url = await serve(async (request) => {
      read = await drain(request);
      return { status: 204 };
    });
    const { req, response } = open(url);
    const chunk = new Uint8Array(1024 * 1024);
    let sent = 0;
    let answered = false;
    void response.then(() => (answered = true));
    while (!answered && sent <= LOCAL_MAX_REQUEST_BYTES) {
      sent += chunk.byteLength;
      if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
    }
    expect((await response).status).toBe(413);
    req.destroy();
    expect(sent).toBeGreaterThan(LOCAL_MAX_REQUEST_BYTES);
    expect(read).toBe(0);
  });
});
