// The table adapter's retry of a request whose socket was closed under it (EPIPE), and only of that.
import { describe, expect, it } from 'vitest';
import { brokenPipeRetry } from '../../shared/adapters/tables/broken-pipe-retry.js';

type Send = typeof brokenPipeRetry.policy.sendRequest;
type Request = Parameters<Send>[0];
type Next = Parameters<Send>[1];
type Response = Awaited<ReturnType<Send>>;

const request = { url: 'http://127.0.0.1:10002/devstoreaccount1/plannedMembers', method: 'POST' } as Request;
const response = { status: 204, request } as unknown as Response;

function failing(errors: unknown[]): { next: Next; calls: () => number } {
  let calls = 0;
  const next: Next = () => {
    calls += 1;
    const error = errors.shift();
    return error === undefined ? Promise.resolve(response) : Promise.reject(error);
  };
  return { next, calls: () => calls };
}

const epipe = () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

describe('brokenPipeRetry', () => {
  it('sends the request again after EPIPE, also when the SDK wraps it (cause)', async () => {
    const wrapped = Object.assign(new Error('request failed'), { name: 'RestError', cause: epipe() });
    const { next, calls } = failing([epipe(), wrapped]);
    await expect(brokenPipeRetry.policy.sendRequest(request, next)).resolves.toBe(response);
    expect(calls()).toBe(3);
  });

  it('gives up after three attempts with the last error', async () => {
    const { next, calls } = failing([epipe(), epipe(), epipe(), epipe()]);
    await expect(brokenPipeRetry.policy.sendRequest(request, next)).rejects.toThrow('write EPIPE');
    expect(calls()).toBe(3);
  });

  it('leaves every other failure to the SDK and the caller: one attempt', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const { next, calls } = failing([reset]);
    await expect(brokenPipeRetry.policy.sendRequest(request, next)).rejects.toBe(reset);
    expect(calls()).toBe(1);
    expect(brokenPipeRetry.position).toBe('perCall');
  });
});
