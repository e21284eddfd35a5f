// Graph abandons a subscription's validation handshake after 10 seconds, and on a cold start building the runtime
// (managed-identity token, clients) can take longer: both webhook routes answer the handshake without asking for
// the runtime at all, so a runtime factory that throws or never finishes cannot delay or fail it.
import { HttpRequest, HttpResponse, InvocationContext, type HttpHandler, type HttpResponseInit } from '@azure/functions';
import { beforeEach, describe, expect, it } from 'vitest';
import { graphLifecycle } from '../../functions/graphLifecycle.js';
import { graphWebhook } from '../../functions/graphWebhook.js';
import { setCloudRuntime, setRuntimeFactory, type CloudRuntime } from '../../functions/runtime.js';

let factoryCalls = 0;

function handshake(route: string, token: string): HttpRequest {
  return new HttpRequest({ method: 'POST', url: `https://example.test/api/${route}?validationToken=${encodeURIComponent(token)}` });
}

function notification(route: string): HttpRequest {
  return new HttpRequest({ method: 'POST', url: `https://example.test/api/${route}`, body: { string: '{"value":[]}' } });
}

async function call(handler: HttpHandler, request: HttpRequest): Promise<{ status: number; text: string }> {
  const context = new InvocationContext({ functionName: 'test', logHandler: () => undefined });
  const res = new HttpResponse((await handler(request, context)) as HttpResponseInit);
  return { status: res.status, text: await res.text() };
}

/** Rejects when `work` takes longer than `ms` (a hanging factory must not be waited for). */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not answered within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

beforeEach(() => {
  factoryCalls = 0;
  setCloudRuntime(undefined);
});

const routes: [string, HttpHandler][] = [
  ['graph/notifications', graphWebhook],
  ['graph/lifecycle', graphLifecycle],
];

describe.each(routes)('%s: the validation handshake on a cold start', (route, handler) => {
  it('is answered without calling a runtime factory that throws', async () => {
    setRuntimeFactory(() => {
      factoryCalls += 1;
      return Promise.reject(new Error('managed identity endpoint unreachable'));
    });
    expect(await call(handler, handshake(route, 'Validation: token 1'))).toEqual({ status: 200, text: 'Validation: token 1' });
    expect(factoryCalls).toBe(0);
    // The same factory fails a notification: the handshake really went around it.
    await expect(call(handler, notification(route))).rejects.toThrow('managed identity endpoint unreachable');
    expect(factoryCalls).toBe(1);
  });

  it('is answered at once while a runtime factory hangs', async () => {
    setRuntimeFactory(() => {
      factoryCalls += 1;
      return new Promise<CloudRuntime>(() => undefined);
    });
    expect(await within(1_000, call(handler, handshake(route, 'tok&en')))).toEqual({ status: 200, text: 'tok&en' });
    expect(factoryCalls).toBe(0);
  });

  it('refuses an invalid token without the runtime too', async () => {
    setRuntimeFactory(() => {
      factoryCalls += 1;
      return Promise.reject(new Error('not needed'));
    });
    expect((await call(handler, handshake(route, 'a\r\nSet-Cookie: x=1'))).status).toBe(400);
    expect(factoryCalls).toBe(0);
  });
});
