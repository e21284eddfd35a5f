// A QueueClient in another process than the embedded broker: every call goes to dev/queue/remote-server.ts
// over loopback HTTP. The client keeps one "attach" request open for its whole life; the server closes this
// client's receivers when that connection drops, so killing this process releases its sessions as a dropped
// AMQP connection does on Service Bus.
import http from 'node:http';
import {
  InvalidQueueOperationError,
  validateSend,
  type DeadLetterInfo,
  type DeadLetterReceiver,
  type DeadLetteredMessage,
  type OutgoingMessage,
  type QueueClient,
  type QueueReceiver,
  type QueueSender,
  type ReceivedMessage,
  type SessionReceiver,
} from '../../shared/ports/queue.js';
import { deadLetterFromWire, errorFromWire, fromWire, type ErrorWire, type ReceivedWire, type RemoteRequest } from './remote-protocol.js';

type Call = (request: RemoteRequest) => Promise<unknown>;

class RemoteReceiver implements SessionReceiver {
  private readonly handles = new WeakMap<ReceivedMessage, number>();
  private closed = false;

  constructor(
    private readonly call: Call,
    private readonly rid: number,
    readonly sessionId: string,
  ) {}

  async receive(max: number, maxWaitMs: number): Promise<ReceivedMessage[]> {
    if (this.closed) throw new InvalidQueueOperationError('receiver is closed');
    const { messages } = (await this.call({ op: 'receive', rid: this.rid, max, maxWaitMs })) as { messages: ReceivedWire[] };
    return messages.map((w) => {
      const m = fromWire(w);
      this.handles.set(m, w.handle);
      return m;
    });
  }

  complete(message: ReceivedMessage): Promise<void> {
    return this.settle(message, 'complete');
  }

  abandon(message: ReceivedMessage): Promise<void> {
    return this.settle(message, 'abandon');
  }

  deadLetter(message: ReceivedMessage, info: DeadLetterInfo): Promise<void> {
    return this.settle(message, 'deadLetter', info);
  }

  async renewSessionLock(): Promise<Date> {
    const { until } = (await this.call({ op: 'renewSessionLock', rid: this.rid })) as { until: string };
    return new Date(until);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.call({ op: 'closeReceiver', rid: this.rid });
  }

  private async settle(message: ReceivedMessage, kind: 'complete' | 'abandon' | 'deadLetter', info?: DeadLetterInfo): Promise<void> {
    // A message this receiver did not hand out: the server answers as Service Bus does (lock lost).
    const handle = this.handles.get(message) ?? -1;
    await this.call({ op: 'settle', rid: this.rid, handle, messageId: message.messageId, kind, ...(info ? { info } : {}) });
  }
}

class RemoteDeadLetterReceiver implements DeadLetterReceiver {
  private readonly handles = new WeakMap<DeadLetteredMessage, number>();
  private opened: Promise<number> | null = null;
  private closed = false;

  constructor(
    private readonly call: Call,
    private readonly queue: string,
  ) {}

  async receive(max: number, maxWaitMs: number): Promise<DeadLetteredMessage[]> {
    if (this.closed) throw new InvalidQueueOperationError('dead-letter receiver is closed');
    const { messages } = (await this.call({ op: 'receive', rid: await this.rid(), max, maxWaitMs })) as { messages: ReceivedWire[] };
    return messages.map((w) => {
      const m = deadLetterFromWire(w);
      this.handles.set(m, w.handle);
      return m;
    });
  }

  complete(message: DeadLetteredMessage): Promise<void> {
    return this.settle(message, 'complete');
  }

  abandon(message: DeadLetteredMessage): Promise<void> {
    return this.settle(message, 'abandon');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.opened) await this.call({ op: 'closeReceiver', rid: await this.opened });
  }

  /** The port's deadLetterReceiver() is synchronous; the server opens the receiver on the first call. */
  private rid(): Promise<number> {
    return (this.opened ??= this.call({ op: 'openDeadLetterReceiver', queue: this.queue }).then((r) => (r as { rid: number }).rid));
  }

  private async settle(message: DeadLetteredMessage, kind: 'complete' | 'abandon'): Promise<void> {
    const handle = this.handles.get(message) ?? -1;
    await this.call({ op: 'settle', rid: await this.rid(), handle, messageId: message.messageId, kind });
  }
}

/** Opens the attach request; resolves with this client's id once the server has registered it. */
function attach(url: string): { id: Promise<number>; request: http.ClientRequest } {
  let request!: http.ClientRequest;
  const id = new Promise<number>((resolve, reject) => {
    request = http.get(`${url}/attach`, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`queue server at ${url} refused to attach (HTTP ${res.statusCode ?? '?'})`));
        res.resume();
        return;
      }
      let first = '';
      const onData = (chunk: Buffer): void => {
        first += chunk.toString('utf8');
        const nl = first.indexOf('\n');
        if (nl < 0) return;
        res.off('data', onData);
        res.resume(); // nothing more comes; the connection stays open
        resolve(Number(first.slice(0, nl)));
      };
      res.on('data', onData);
    });
    request.on('error', reject);
  });
  id.catch(() => undefined); // reported by the first call that needs it
  return { id, request };
}

export class RemoteQueueClient implements QueueClient {
  private closed = false;
  private readonly attachment: { id: Promise<number>; request: http.ClientRequest };

  /** A client of the server at `url` (dev/queue/remote-server.ts); it attaches at once. */
  constructor(private readonly baseUrl: string) {
    this.attachment = attach(baseUrl);
  }

  sender(queue: string): QueueSender {
    let closed = false;
    return {
      send: async (messages: readonly OutgoingMessage[]): Promise<void> => {
        if (closed) throw new InvalidQueueOperationError(`sender for ${queue} is closed`);
        if (messages.length === 0) return;
        validateSend(messages); // refused here exactly as in-process, before anything travels
        await this.call({
          op: 'send',
          queue,
          messages: messages.map(({ scheduledEnqueueTimeUtc, ...m }) => ({
            ...m,
            ...(scheduledEnqueueTimeUtc ? { scheduledEnqueueTimeUtc: scheduledEnqueueTimeUtc.toISOString() } : {}),
          })),
        });
      },
      close: async (): Promise<void> => {
        closed = true;
      },
    };
  }

  receiver(queue: string): QueueReceiver {
    // The port's receiver() is synchronous; the server opens the receiver on the first call that needs it.
    let opened: Promise<RemoteReceiver> | null = null;
    const open = (): Promise<RemoteReceiver> =>
      (opened ??= this.call({ op: 'openReceiver', queue }).then((r) => new RemoteReceiver(this.call, (r as { rid: number }).rid, '')));
    return {
      receive: async (max, maxWaitMs) => (await open()).receive(max, maxWaitMs),
      complete: async (m) => (await open()).complete(m),
      abandon: async (m) => (await open()).abandon(m),
      deadLetter: async (m, info) => (await open()).deadLetter(m, info),
      close: async () => {
        if (opened) await (await opened).close();
      },
    };
  }

  async acceptNextSession(queue: string, maxWaitMs: number): Promise<SessionReceiver | null> {
    const r = (await this.call({ op: 'acceptNextSession', queue, maxWaitMs })) as { rid: number | null; sessionId?: string };
    return r.rid === null ? null : new RemoteReceiver(this.call, r.rid, r.sessionId ?? '');
  }

  async peekDeadLetters(queue: string, max: number): Promise<DeadLetteredMessage[]> {
    const { messages } = (await this.call({ op: 'peekDeadLetters', queue, max })) as { messages: ReceivedWire[] };
    return messages.map(deadLetterFromWire);
  }

  deadLetterReceiver(queue: string): DeadLetterReceiver {
    return new RemoteDeadLetterReceiver(this.call, queue);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.attachment.request.destroy(); // the server closes whatever this client still holds
  }

  private readonly call: Call = async (request) => {
    if (this.closed) throw new InvalidQueueOperationError('the queue client is closed');
    const clientId = await this.attachment.id;
    const res = await fetch(`${this.baseUrl}/rpc/${clientId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const body = (await res.json()) as unknown;
    if (res.status === 200) return body;
    throw errorFromWire(body as ErrorWire);
  };
}
