// The relay's queue client from its config: Service Bus with the relay's own identity (certificate or managed
// identity), over AMQP (5671) or AMQP over WebSockets (443) and an optional HTTP proxy, which the certificate
// sign-in to Entra ID uses too; or the local stack's embedded queue, given by the caller. A setting that
// cannot work (unreadable certificate or proxy password) is a RelayConfigError: exit code 2.
import { ClientCertificateCredential, ManagedIdentityCredential, type ClientCertificateCredentialOptions, type TokenCredential } from '@azure/identity';
import { createServiceBusQueueClient, type ProxySettings, type ServiceBusTransport } from '../shared/adapters/servicebus/index.js';
import type { QueueClient } from '../shared/ports/queue.js';
import type { ServiceBusQueueConfig } from './config-queue.js';
import { readConfiguredFile, readSecret, RelayConfigError } from './config-secret.js';
import type { RelayConfig } from './config.js';

type ProxyOptions = NonNullable<ClientCertificateCredentialOptions['proxyOptions']>;

/** The proxy with its password read from its source. */
export async function proxyOf(queue: ServiceBusQueueConfig, env: NodeJS.ProcessEnv = process.env): Promise<ProxySettings | undefined> {
  const proxy = queue.proxy;
  if (!proxy) return undefined;
  if (proxy.username === undefined || proxy.password === undefined) return { url: proxy.url };
  return { url: proxy.url, username: proxy.username, password: await readSecret(proxy.password, env, 'queue.proxy.password') };
}

export function transportOf(queue: ServiceBusQueueConfig, proxy: ProxySettings | undefined): ServiceBusTransport {
  return queue.transport === 'amqp' ? { kind: 'amqp' } : { kind: 'websockets', ...(proxy ? { proxy } : {}) };
}

/** The proxy in Azure Identity's terms (scheme and host, port apart), so the sign-in takes the same way out. */
export function signInProxyOptions(proxy: ProxySettings): ProxyOptions {
  const url = new URL(proxy.url);
  return {
    host: `${url.protocol}//${url.hostname}`,
    port: url.port === '' ? 80 : Number(url.port),
    ...(proxy.username !== undefined ? { username: proxy.username, password: proxy.password ?? '' } : {}),
  };
}

export function credentialFor(queue: ServiceBusQueueConfig, proxy: ProxySettings | undefined): TokenCredential {
  const config = queue.credential;
  if (config.type === 'certificate') {
    return new ClientCertificateCredential(config.tenantId, config.clientId, { certificatePath: config.certificatePath }, proxy ? { proxyOptions: signInProxyOptions(proxy) } : {});
  }
  // Managed identity tokens come from a local endpoint (Azure Arc agent, VM metadata service): no proxy.
  return config.clientId ? new ManagedIdentityCredential({ clientId: config.clientId }) : new ManagedIdentityCredential();
}

/** `embeddedQueue`: where `queue.type: embedded` comes from (the local stack's relay process). */
export async function queueFor(config: RelayConfig, embeddedQueue?: () => QueueClient, env: NodeJS.ProcessEnv = process.env): Promise<QueueClient> {
  const queue = config.queue;
  if (queue.type === 'embedded') {
    if (embeddedQueue) return embeddedQueue();
    throw new RelayConfigError([
      "queue.type: 'embedded' only works where the local stack provides the queue (dev/relay/main.ts); a relay process needs 'serviceBus'",
    ]);
  }
  if (queue.credential.type === 'certificate') await readConfiguredFile(queue.credential.certificatePath, 'queue.credential.certificatePath');
  const proxy = await proxyOf(queue, env);
  return createServiceBusQueueClient(
    { fullyQualifiedNamespace: queue.namespace, credential: credentialFor(queue, proxy) },
    { transport: transportOf(queue, proxy) },
  );
}
