// A request's body for a handler as a web ReadableStream fed from the socket as the handler reads it (with
// backpressure), the way the Functions worker hands bodies over with HTTP streams enabled (functions/index.ts):
// nothing here holds more than the chunk in flight. Past the host's limit the stream errors and the host
// answers 413. Whatever a handler leaves unread is drained and dropped after the response, so a keep-alive
// connection stays usable.
import type { IncomingMessage } from 'node:http';

export interface StreamedBody {
  stream: ReadableStream<Uint8Array>;
  /** True once the body went past the limit. */
  overLimit(): boolean;
  /** Stops feeding the stream and discards the rest of the body (after the response). */
  discardRest(): void;
}

export function streamBody(req: IncomingMessage, maxBytes: number): StreamedBody {
  let total = 0;
  let over = false;
  let feeding = true;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;

  const onData = (chunk: Buffer): void => {
    total += chunk.byteLength;
    if (total > maxBytes) {
      over = true;
      controller?.error(new Error('request body over the local host limit'));
      stopFeeding();
      return;
    }
    controller?.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller?.desiredSize ?? 0) <= 0) req.pause();
  };
  const onEnd = (): void => {
    if (feeding) controller?.close();
    feeding = false;
  };
  const onError = (err: Error): void => {
    if (feeding) controller?.error(err);
    feeding = false;
  };
  function stopFeeding(): void {
    feeding = false;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
    req.resume(); // flowing without a data listener: the rest is read and dropped
  }

  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        req.pause(); // data flows only when the handler pulls
        req.on('data', onData);
        req.on('end', onEnd);
        req.on('error', onError);
      },
      pull() {
        req.resume();
      },
      cancel() {
        stopFeeding();
      },
    },
    { highWaterMark: 1 },
  );
  return {
    stream,
    overLimit: () => over,
    discardRest: () => {
      if (feeding) stopFeeding();
    },
  };
}
