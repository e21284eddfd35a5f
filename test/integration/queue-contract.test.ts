// The queue contract against every implementation: the embedded queue always; Azure Service Bus when a
// namespace and two test queues are configured (skipped, saying why, otherwise).
import { DefaultAzureCredential } from '@azure/identity';
import {
  ServiceBusAdministrationClient,
  ServiceBusClient,
  ServiceBusError,
  type ServiceBusReceivedMessage,
} from '@azure/service-bus';
import { message as amqp, messageProperties, type Message as AmqpMessage } from 'rhea-promise';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_DUPLICATE_DETECTION_WINDOW_MS,
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_MAX_DELIVERY_COUNT,
  EmbeddedBroker,
  isoDurationMs,
  manualClock,
} from '../../dev/queue/index.js';
import { mapServiceBusError } from '../../shared/adapters/servicebus/errors.js';
import { createServiceBusQueueClient, ServiceBusQueueClient } from '../../shared/adapters/servicebus/index.js';
import { fromDeadLetteredMessage, fromServiceBusMessage } from '../../shared/adapters/servicebus/message-mapping.js';
import {
  BatchTooLargeError,
  InvalidMessageError,
  MessageLockLostError,
  MessageTooLargeError,
  QueueNotFoundError,
  SessionLockLostError,
  messageSize,
  type OutgoingMessage,
  type QueueClient,
} from '../../shared/ports/queue.js';
import { SERVICE_BUS_MESSAGE_BYTES } from '../../shared/domain/limits.js';
import { sleep } from '../../shared/timers.js';
import { defineQueueContract, sizedMessage, type QueueHarness } from '../support/queue-contract.js';
import { RemoteQueueClient } from '../../dev/queue/remote-client.js';
import { startRemoteQueueServer } from '../../dev/queue/remote-server.js';
import { silentLogger } from '../../shared/logging.js';

const PLAIN = 'contract-plain';
const SESSIONS = 'contract-sessions';

/** The embedded broker on a manual clock; `clients` says how a test reaches it (in this process, or remote). */
async function embeddedHarness(
  clients: (broker: EmbeddedBroker) => Promise<{ client: () => QueueClient; dispose: () => Promise<void> }>,
): Promise<QueueHarness> {
  const clock = manualClock();
  const broker = new EmbeddedBroker({
    clock: clock.now,
    queues: { [PLAIN]: { requiresSession: false }, [SESSIONS]: { requiresSession: true } },
  });
  const reach = await clients(broker);
  return {
    client: reach.client,
    plainQueue: PLAIN,
    sessionQueue: SESSIONS,
    lockDurationMs: DEFAULT_LOCK_DURATION_MS,
    maxDeliveryCount: DEFAULT_MAX_DELIVERY_COUNT,
    duplicateDetectionWindowMs: DEFAULT_DUPLICATE_DETECTION_WINDOW_MS,
    now: clock.now,
    elapse: async (ms) => {
      clock.advance(ms);
      broker.wake();
    },
    quietWaitMs: 0,
    arrivalWaitMs: 1000,
    scheduleAheadMs: 30 * 60_000,
    dispose: reach.dispose,
  };
}

describe('embedded queue', () => {
  defineQueueContract(() => embeddedHarness(async (broker) => ({ client: () => broker.client(), dispose: async () => undefined })));
});

// The same broker reached from another process's point of view (dev/queue/remote-*.ts): what the relay
// process uses in the local stack. Same contract, over loopback HTTP.
describe('embedded queue across processes (remote client)', () => {
  defineQueueContract(() =>
    embeddedHarness(async (broker) => {
      const server = await startRemoteQueueServer(broker.client(), silentLogger());
      const opened: RemoteQueueClient[] = [];
      return {
        client: () => {
          const c = new RemoteQueueClient(server.url);
          opened.push(c);
          return c;
        },
        dispose: async () => {
          await Promise.all(opened.map((c) => c.close()));
          await server.close();
        },
      };
    }),
  );
});

// ---- Azure Service Bus, when configured ------------------------------------------------------------

interface ServiceBusSetup {
  connect(): ServiceBusClient;
  admin(): ServiceBusAdministrationClient;
  plainQueue: string;
  sessionQueue: string;
}

function serviceBusSetup(env: NodeJS.ProcessEnv): ServiceBusSetup | string {
  const connectionString = env['SERVICEBUS_CONNECTION_STRING'];
  const namespace = env['SERVICEBUS_NAMESPACE'];
  if (!connectionString && !namespace) return 'SERVICEBUS_CONNECTION_STRING (or SERVICEBUS_NAMESPACE) not set';
  const plainQueue = env['SERVICEBUS_TEST_QUEUE'];
  const sessionQueue = env['SERVICEBUS_TEST_SESSION_QUEUE'];
  if (!plainQueue || !sessionQueue) return 'SERVICEBUS_TEST_QUEUE and SERVICEBUS_TEST_SESSION_QUEUE not set';
  if (connectionString) {
    return {
      connect: () => new ServiceBusClient(connectionString),
      admin: () => new ServiceBusAdministrationClient(connectionString),
      plainQueue,
      sessionQueue,
    };
  }
  const credential = new DefaultAzureCredential();
  return {
    connect: () => new ServiceBusClient(namespace!, credential),
    admin: () => new ServiceBusAdministrationClient(namespace!, credential),
    plainQueue,
    sessionQueue,
  };
}

/** Empties both test queues (and the plain queue's dead letters) so each test starts clean. */
async function drain(sb: ServiceBusClient, setup: ServiceBusSetup): Promise<void> {
  for (const options of [{}, { subQueueType: 'deadLetter' as const }]) {
    const receiver = sb.createReceiver(setup.plainQueue, { ...options, receiveMode: 'receiveAndDelete' });
    while ((await receiver.receiveMessages(100, { maxWaitTimeInMs: 500 })).length > 0);
    await receiver.close();
  }
  for (;;) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 1500);
    let session;
    try {
      session = await sb.acceptNextSession(setup.sessionQueue, { receiveMode: 'receiveAndDelete', abortSignal: abort.signal });
    } catch {
      break;
    } finally {
      clearTimeout(timer);
    }
    while ((await session.receiveMessages(100, { maxWaitTimeInMs: 500 })).length > 0);
    await session.close();
  }
}

const sbSetup = serviceBusSetup(process.env);
const sbSkipReason = typeof sbSetup === 'string' ? sbSetup : undefined;
if (sbSkipReason) console.log(`queue contract: Service Bus suite skipped: ${sbSkipReason}`);

describe.skipIf(sbSkipReason !== undefined)(
  sbSkipReason ? `servicebus (skipped: ${sbSkipReason})` : 'servicebus',
  { timeout: 180_000 },
  () => {
    const setup = sbSetup as ServiceBusSetup;
    let shared: { sb: ServiceBusClient; lockDurationMs: number; maxDeliveryCount: number; windowMs: number } | undefined;
    afterAll(async () => {
      await shared?.sb.close();
    });

    defineQueueContract(async (): Promise<QueueHarness> => {
      if (!shared) {
        const admin = setup.admin();
        const plain = await admin.getQueue(setup.plainQueue);
        const sessions = await admin.getQueue(setup.sessionQueue);
        if (plain.requiresSession || !sessions.requiresSession) {
          throw new Error(`${setup.plainQueue} must not require sessions and ${setup.sessionQueue} must`);
        }
        if (!plain.requiresDuplicateDetection || !sessions.requiresDuplicateDetection) {
          throw new Error('both test queues need duplicate detection');
        }
        const lockDurationMs = isoDurationMs(plain.lockDuration);
        if (lockDurationMs !== isoDurationMs(sessions.lockDuration)) throw new Error('both test queues need the same lock duration');
        shared = {
          sb: setup.connect(),
          lockDurationMs,
          maxDeliveryCount: plain.maxDeliveryCount,
          windowMs: isoDurationMs(plain.duplicateDetectionHistoryTimeWindow),
        };
      }
      const { sb, lockDurationMs, maxDeliveryCount, windowMs } = shared;
      await drain(sb, setup);
      const slow = process.env['SERVICEBUS_TEST_SLOW'] === '1';
      const harness: QueueHarness = {
        client: () => new ServiceBusQueueClient(sb, { minWaitMs: 500 }),
        plainQueue: setup.plainQueue,
        sessionQueue: setup.sessionQueue,
        lockDurationMs,
        maxDeliveryCount,
        duplicateDetectionWindowMs: windowMs,
        now: Date.now,
        elapse: sleep,
        quietWaitMs: 2000,
        arrivalWaitMs: 15_000,
        scheduleAheadMs: 5000,
        dispose: async () => undefined,
      };
      return slow
        ? harness
        : { ...harness, slowWindowReason: `waits out the ${windowMs / 1000}s duplicate window; set SERVICEBUS_TEST_SLOW=1` };
    });
  },
);

// ---- messageSize() against the Service Bus SDK's measure ---------------------------------------------

/** What @azure/service-bus 7.9 measures for a one-message batch (ServiceBusMessageBatchImpl.tryAddMessage):
 *  an envelope repeating the first message's properties, plus the encoded message and 5 or 8 bytes. */
function sdkBatchBytes(message: OutgoingMessage): number {
  const encoded: AmqpMessage = {
    body: amqp.data_section(Buffer.from(JSON.stringify(message.body), 'utf8')),
    message_annotations: message.scheduledEnqueueTimeUtc
      ? { 'x-opt-scheduled-enqueue-time': message.scheduledEnqueueTimeUtc }
      : {},
    message_id: message.messageId,
    content_type: 'application/json',
  };
  if (message.applicationProperties) encoded.application_properties = message.applicationProperties;
  if (message.sessionId !== undefined) encoded.group_id = message.sessionId;
  if (message.subject !== undefined) encoded.subject = message.subject;
  const envelope: AmqpMessage = {
    body: amqp.data_sections([]),
    message_annotations: encoded.message_annotations,
    application_properties: encoded.application_properties,
  };
  const from = encoded as unknown as Record<string, unknown>;
  const to = envelope as unknown as Record<string, unknown>;
  for (const property of messageProperties) if (from[property]) to[property] = from[property];
  const bytes = amqp.encode(encoded).length;
  return amqp.encode(envelope).length + bytes + (bytes <= 255 ? 5 : 8);
}

describe('messageSize', () => {
  it('is an upper bound of what the Service Bus SDK measures, so the limit holds there too', () => {
    const cases: OutgoingMessage[] = [
      { messageId: 'a', body: {} },
      sizedMessage('x'.repeat(128), SERVICE_BUS_MESSAGE_BYTES, 's'.repeat(128)),
      {
        messageId: 'é'.repeat(128),
        sessionId: '€'.repeat(128),
        subject: '€'.repeat(200),
        body: { text: '😀'.repeat(1000) },
        scheduledEnqueueTimeUtc: new Date(),
        applicationProperties: Object.fromEntries(
          Array.from({ length: 60 }, (_, i) => [`k${i}`, i % 3 === 0 ? 'v'.repeat(300) : i % 3 === 1 ? i + 0.5 : true]),
        ),
      },
    ];
    for (const message of cases) {
      expect(sdkBatchBytes(message)).toBeLessThanOrEqual(messageSize(message));
    }
    expect(sdkBatchBytes(cases[1]!)).toBeLessThanOrEqual(SERVICE_BUS_MESSAGE_BYTES);
  });
});

// ---- Service Bus adapter, what can be checked without a namespace --------------------------------------

describe('Service Bus adapter offline', () => {
  it('refuses what the contract refuses before opening a connection', async () => {
    // 127.0.0.1:9 (discard): nothing listens, so reaching the network would fail differently.
    const client = createServiceBusQueueClient({
      connectionString: 'Endpoint=sb://127.0.0.1:9/;SharedAccessKeyName=test;SharedAccessKey=dGVzdA==',
    });
    try {
      const sender = client.sender('writeback');
      await expect(sender.send([sizedMessage('big', SERVICE_BUS_MESSAGE_BYTES + 1, 'g')])).rejects.toBeInstanceOf(MessageTooLargeError);
      await expect(sender.send([{ messageId: 'm'.repeat(129), sessionId: 'g', body: 1 }])).rejects.toBeInstanceOf(InvalidMessageError);
      const half = Math.floor(SERVICE_BUS_MESSAGE_BYTES / 2) + 1;
      await expect(sender.send([sizedMessage('a', half), sizedMessage('b', half)])).rejects.toBeInstanceOf(BatchTooLargeError);
    } finally {
      await client.close();
    }
  });

  it('maps Service Bus errors to the port errors', () => {
    const context = { queue: 'writeback', messageId: 'g:1', sessionId: 'g' };
    expect(mapServiceBusError(new ServiceBusError('lost', 'MessageLockLost'), context)).toBeInstanceOf(MessageLockLostError);
    const sessionLost = mapServiceBusError(new ServiceBusError('lost', 'SessionLockLost'), context);
    expect(sessionLost).toBeInstanceOf(SessionLockLostError);
    expect(sessionLost).toMatchObject({ sessionId: 'g', messageId: 'g:1' });
    expect(mapServiceBusError(new ServiceBusError('gone', 'MessagingEntityNotFound'), context)).toBeInstanceOf(QueueNotFoundError);
    const other = new ServiceBusError('busy', 'ServiceBusy');
    expect(mapServiceBusError(other, context)).toBe(other);
  });

  it('reports deliveryCount from 1, as the port and Service Bus do (the JS SDK counts from 0)', () => {
    const sdkMessage = {
      messageId: 'g:1',
      sessionId: 'g',
      body: { v: 1 },
      _rawAmqpMessage: { body: Buffer.from('{"v":1}'), bodyType: 'data' },
      deliveryCount: 0,
      sequenceNumber: { toString: () => '42' },
      enqueuedTimeUtc: new Date('2025-01-01T00:00:00Z'),
      lockedUntilUtc: new Date('2025-01-01T00:01:00Z'),
      applicationProperties: { seq: 1, DeadLetterReason: 'Poison', DeadLetterErrorDescription: 'bad' },
      deadLetterReason: 'Poison',
      deadLetterErrorDescription: 'bad',
    } as unknown as ServiceBusReceivedMessage;
    expect(fromServiceBusMessage(sdkMessage)).toMatchObject({ deliveryCount: 1, sequenceNumber: 42n, sessionId: 'g' });
    expect(fromDeadLetteredMessage(sdkMessage)).toMatchObject({
      deadLetterReason: 'Poison',
      deadLetterDescription: 'bad',
      applicationProperties: { seq: 1 },
    });
  });
});
