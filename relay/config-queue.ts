// The `queue` block of the relay's config: Service Bus (namespace, identity, and how to get there: AMQP on
// 5671, or AMQP over WebSockets on 443, optionally through an HTTP proxy), or the local stack's embedded
// queue. Only the proxy named here is used: the relay does not read HTTPS_PROXY / NO_PROXY (docs/relay.md,
// "Networks with only 443 out").
import { z } from 'zod';
import { guidSchema } from '../shared/contracts/ids.js';
import { secretSourceSchema } from './config-secret.js';

const certificateCredentialSchema = z
  .object({
    type: z.literal('certificate'),
    tenantId: guidSchema,
    clientId: guidSchema,
    /** PEM file holding the app registration's certificate and private key. */
    certificatePath: z.string().min(1),
  })
  .strict();

const managedIdentityCredentialSchema = z
  .object({
    type: z.literal('managedIdentity'),
    /** User-assigned identity; omit for the system-assigned one. */
    clientId: guidSchema.optional(),
  })
  .strict();

/** `http://host[:port]`: CONNECT is spoken to the proxy in plain HTTP; inside the tunnel TLS runs end to end. */
function isHttpProxyUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && url.hostname !== '' && url.username === '' && url.password === '' && (url.pathname === '/' || url.pathname === '') && url.search === '' && url.hash === '';
}

const proxySchema = z
  .object({
    url: z.string().refine(isHttpProxyUrl, 'expected http://host:port (no path; a user name and password go in username/password)'),
    /** Basic authentication at the proxy (NTLM/Kerberos proxies are not supported). */
    username: z.string().min(1).optional(),
    password: secretSourceSchema.optional(),
  })
  .strict()
  .refine((p) => (p.username === undefined) === (p.password === undefined), { message: 'username and password go together', path: ['password'] });

export const queueSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('serviceBus'),
      /** e.g. contoso-writeback.servicebus.windows.net */
      namespace: z.string().regex(/^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$/i, 'expected a fully qualified namespace host'),
      credential: z.discriminatedUnion('type', [certificateCredentialSchema, managedIdentityCredentialSchema]),
      /** amqp: AMQP over TLS on 5671; websockets: AMQP over WebSockets on 443 (networks with only 443 out). */
      transport: z.enum(['amqp', 'websockets']).default('amqp'),
      /** HTTP proxy for Service Bus and the Entra sign-in (websockets only). */
      proxy: proxySchema.optional(),
    })
    .strict()
    .refine((q) => q.proxy === undefined || q.transport === 'websockets', {
      message: "a proxy needs transport 'websockets' (AMQP on 5671 does not pass an HTTP proxy)",
      path: ['proxy'],
    }),
  /** The local stack's queue: the caller of startRelay, or dev/relay/main.ts, provides the client. */
  z.object({ type: z.literal('embedded') }).strict(),
]);
export type QueueConfig = z.infer<typeof queueSchema>;
export type ServiceBusQueueConfig = Extract<QueueConfig, { type: 'serviceBus' }>;
