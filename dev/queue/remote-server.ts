// Serves a QueueClient (the embedded broker's) to other processes on loopback, so the relay can run as its own
// process in the local stack, as it does in production, and be killed for real. A remote client first opens
// a long-lived "attach" request; when that connection closes (the process exited or was killed, and its
// sockets with it) every receiver it opened is closed, as Service Bus closes the links of a dropped AMQP
// connection: its session locks are released and its unsettled messages are handed back.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../shared/logging.js';
import {
  MessageLockLostError,
  type DeadLetteredMessage,
  type DeadLetterReceiver,
  type OutgoingMessage,
  type QueueClient,
  type QueueReceiver,
  type ReceivedMessage,
  type SessionReceiver,
} from '../../shared/ports/queue.js';
import { errorToWire, requestSchema, toWire, type RemoteRequest } from './remote-protocol.js';

/** Bodies of queue calls are bounded by Service Bus' batch size; this leaves room for JSON escaping. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

type Held =
  | { client: number; kind: 'active'; receiver: QueueReceiver | SessionReceiver; messages: Map<number, ReceivedMessage> }
  | { client: number; kind: 'deadLetters'; receiver: DeadLetterReceiver; messages: Map<number, DeadLetteredMessage> };

export interface RemoteQueueServer {
  readonly url: string;
  /** Remote clients attached now. */
  attached(): number;
  /** Attachments since the server started (a restarted client counts again). */
  attachments(): number;
  close(): Promise<void>;
}

class BadRequest extends Error {}

export async function startRemoteQueueServer(queue: QueueClient, log: Logger): Promise<RemoteQueueServer> {
  const receivers = new Map<number, Held>();
  const attachedClients = new Set<number>();
  let ids = 0;
  let handles = 0;
  let attachments = 0;

  const held = (rid: number): Held => {
    const h = receivers.get(rid);
    if (!h) throw new BadRequest(`receiver ${rid} is not open`);
    return h;
  };
  const track = (held: Held): number => {
    const rid = ++ids;
    receivers.set(rid, held);
    return rid;
  };
  const active = (client: number, receiver: QueueReceiver | SessionReceiver): number => track({ client, kind: 'active', receiver, messages: new Map() });

  const handle = async (client: number, req: RemoteRequest): Promise<unknown> => {
    switch (req.op) {
      case 'send': {
        const messages: OutgoingMessage[] = req.messages.map(({ scheduledEnqueueTimeUtc, ...m }) => ({
          ...m,
          ...(scheduledEnqueueTimeUtc !== undefined ? { scheduledEnqueueTimeUtc: new Date(scheduledEnqueueTimeUtc) } : {}),
        }));
        const sender = queue.sender(req.queue);
        try {
          await sender.send(messages);
        } finally {
          await sender.close();
        }
        return {};
      }
      case 'openReceiver':
        return { rid: active(client, queue.receiver(req.queue)) };
      case 'openDeadLetterReceiver':
        return { rid: track({ client, kind: 'deadLetters', receiver: queue.deadLetterReceiver(req.queue), messages: new Map() }) };
      case 'acceptNextSession': {
        const session = await queue.acceptNextSession(req.queue, req.maxWaitMs);
        if (session === null) return { rid: null };
        if (!attachedClients.has(client)) {
          await session.close(); // the caller went away while it waited
          return { rid: null };
        }
        return { rid: active(client, session), sessionId: session.sessionId };
      }
      case 'receive': {
        const h = held(req.rid);
        const remember = <M extends ReceivedMessage>(messages: Map<number, M>, got: M[]): ReturnType<typeof toWire>[] =>
          got.map((m) => {
            const id = ++handles;
            messages.set(id, m);
            return toWire(m, id);
          });
        if (h.kind === 'deadLetters') return { messages: remember(h.messages, await h.receiver.receive(req.max, req.maxWaitMs)) };
        return { messages: remember(h.messages, await h.receiver.receive(req.max, req.maxWaitMs)) };
      }
      case 'settle': {
        const h = held(req.rid);
        if (h.kind === 'deadLetters') {
          const m = h.messages.get(req.handle);
          if (!m) throw new MessageLockLostError(req.messageId);
          if (req.kind === 'deadLetter') throw new BadRequest('a dead letter cannot be dead-lettered again');
          await (req.kind === 'complete' ? h.receiver.complete(m) : h.receiver.abandon(m));
          h.messages.delete(req.handle);
          return {};
        }
        const m = h.messages.get(req.handle);
        // Settled already, or handed out by another receiver: Service Bus answers "lock lost".
        if (!m) throw new MessageLockLostError(req.messageId);
        if (req.kind === 'complete') await h.receiver.complete(m);
        else if (req.kind === 'abandon') await h.receiver.abandon(m);
        else await h.receiver.deadLetter(m, req.info ?? { reason: 'unspecified', description: '' });
        h.messages.delete(req.handle);
        return {};
      }
      case 'renewSessionLock': {
        const h = held(req.rid);
        if (h.kind !== 'active' || !('renewSessionLock' in h.receiver)) throw new BadRequest(`receiver ${req.rid} holds no session`);
        return { until: (await h.receiver.renewSessionLock()).toISOString() };
      }
      case 'closeReceiver': {
        const h = receivers.get(req.rid);
        receivers.delete(req.rid);
        await h?.receiver.close();
        return {};
      }
      case 'peekDeadLetters': {
        const dead = await queue.peekDeadLetters(req.queue, req.max);
        return { messages: dead.map((m) => toWire(m, 0)) };
      }
    }
  };

  const detach = async (client: number): Promise<void> => {
    attachedClients.delete(client);
    const mine = [...receivers].filter(([, h]) => h.client === client);
    for (const [rid] of mine) receivers.delete(rid);
    await Promise.all(mine.map(([, h]) => h.receiver.close()));
    if (mine.length > 0) log.info({ client, receivers: mine.length }, 'remote queue client went away: its receivers were closed');
  };

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/attach') {
      const client = ++ids;
      attachments++;
      attachedClients.add(client);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(`${client}\n`);
      res.on('close', () => void detach(client));
      return;
    }
    const client = Number(/^\/rpc\/(\d+)$/.exec(req.url ?? '')?.[1] ?? NaN);
    if (req.method !== 'POST' || !attachedClients.has(client)) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        let status = 200;
        let out: unknown;
        try {
          if (size > MAX_REQUEST_BYTES) throw new BadRequest(`request over ${MAX_REQUEST_BYTES} bytes`);
          const parsed = requestSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          if (!parsed.success) throw new BadRequest(parsed.error.message);
          out = await handle(client, parsed.data);
        } catch (error) {
          status = error instanceof BadRequest || error instanceof SyntaxError ? 400 : 409;
          out = errorToWire(error);
        }
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(out));
      })();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    attached: () => attachedClients.size,
    attachments: () => attachments,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of [...attachedClients]) await detach(client);
    },
  };
}
