// readNotifications: the body reader both notification intakes use (limits, early stop, what it answers).
import { describe, expect, it } from 'vitest';
import { MAX_NOTIFICATION_BODY_BYTES, MAX_NOTIFICATION_BYTES, readNotifications } from '../../shared/app/intake/notification-body.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Chunks of `parts`, recording how far the reader pulled and whether it let go early. */
function source(parts: string[]): { chunks: AsyncIterable<Uint8Array>; pulled: () => number; stoppedEarly: () => boolean } {
  let pulled = 0;
  let finished = false;
  let stoppedEarly = false;
  async function* gen(): AsyncGenerator<Uint8Array> {
    try {
      for (const p of parts) {
        pulled++;
        yield bytes(p);
      }
      finished = true;
    } finally {
      if (!finished) stoppedEarly = true;
    }
  }
  return { chunks: gen(), pulled: () => pulled, stoppedEarly: () => stoppedEarly };
}

describe('readNotifications', () => {
  it('hands over each element and counts them', async () => {
    const seen: unknown[] = [];
    const read = await readNotifications({ declaredBytes: undefined, chunks: source(['{"value":[{"a":', '1},{"a":2}]}']).chunks }, (e) => (seen.push(e), true));
    expect(read).toEqual({ ok: true, count: 2 });
    expect(seen).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('a declared length over the body cap -> 413 without reading a byte', async () => {
    const body = source(['{"value":[1]}']);
    const read = await readNotifications({ declaredBytes: MAX_NOTIFICATION_BODY_BYTES + 1, chunks: body.chunks }, () => true);
    expect(read).toEqual({ ok: false, status: 413, reason: 'body too large' });
    expect(body.pulled()).toBe(0);
  });

  it('a declared length above the old 1 MiB limit is read', async () => {
    const read = await readNotifications({ declaredBytes: 3 * 1024 * 1024, chunks: source(['{"value":[1]}']).chunks }, () => true);
    expect(read).toEqual({ ok: true, count: 1 });
  });

  it('stops reading at the first problem and lets go of the stream', async () => {
    const body = source(['{"value":[{"a":1}', ',{"a":}', ',{"a":3}]}', 'never read']);
    const read = await readNotifications({ declaredBytes: undefined, chunks: body.chunks }, () => true);
    expect(read).toEqual({ ok: false, status: 400, reason: 'body is not UTF-8 JSON' });
    expect(body.pulled()).toBe(2);
    expect(body.stoppedEarly()).toBe(true);
  });

  it('one notification over its cap -> 413', async () => {
    const big = `{"value":[{"filler":"${'x'.repeat(MAX_NOTIFICATION_BYTES)}"}]}`;
    const read = await readNotifications({ declaredBytes: undefined, chunks: source([big]).chunks }, () => true);
    expect(read).toEqual({ ok: false, status: 413, reason: 'notification too large' });
  });

  it('an empty value array -> 400', async () => {
    expect(await readNotifications({ declaredBytes: undefined, chunks: source(['{"value":[]}']).chunks }, () => true)).toEqual({ ok: false, status: 400, reason: 'value is empty' });
  });

  it('a failing stream is not a refusal: the error reaches the caller (the function answers 5xx)', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytes('{"value":[');
      throw new Error('connection reset');
    }
    await expect(readNotifications({ declaredBytes: undefined, chunks: failing() }, () => true)).rejects.toThrow('connection reset');
  });
});
