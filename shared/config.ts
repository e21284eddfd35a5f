// The cloud side's settings (Function App app settings), validated once at start-up. Names match the
// app settings provisioned in infra/ (test/unit/infra-settings.test.ts keeps both lists equal).
import { z } from 'zod';
import { guidSchema } from './contracts/ids.js';

// App Service passes a Key Vault reference through literally when it cannot resolve it; accepting that text
// as the clientState secret would make it guessable.
const unresolvedReference = (v: string): boolean => v.trim().startsWith('@Microsoft.KeyVault(');
const UNRESOLVED = 'is an unresolved Key Vault reference (check the Function App identity and the secret URI)';

export const cloudConfigSchema = z.object({
  /** Entra tenant whose groups are written back. */
  GRAPH_TENANT_ID: guidSchema,
  /** https://graph.microsoft.com in Azure; the simulator's URL locally. */
  GRAPH_BASE_URL: z.string().url().default('https://graph.microsoft.com'),
  /** Client id of the Function App's user-assigned managed identity (Graph, Tables, Service Bus). */
  AZURE_CLIENT_ID: z.string().optional(),
  /** Public HTTPS URLs Graph posts notifications / lifecycle notifications to. */
  NOTIFICATION_URL: z.string().url(),
  LIFECYCLE_NOTIFICATION_URL: z.string().url(),
  /** Current clientState secret (Key Vault reference in Azure) and the previous one during rotation. */
  CLIENT_STATE_SECRET: z.string().min(16).max(128).refine((v) => !unresolvedReference(v), UNRESOLVED),
  CLIENT_STATE_SECRET_PREVIOUS: z.string().max(128).refine((v) => !unresolvedReference(v), UNRESOLVED).optional(),
  /** Table endpoint for state, e.g. https://<account>.table.core.windows.net. */
  STATE_TABLE_ENDPOINT: z.string().url(),
  /** Service Bus namespace host, also used by the triggers (ServiceBusConnection__fullyQualifiedNamespace). */
  ServiceBusConnection__fullyQualifiedNamespace: z.string().min(1),
  GRAPH_CHANGES_QUEUE: z.string().default('graph-changes'),
  WRITEBACK_QUEUE: z.string().default('writeback'),
  WRITEBACK_RESULTS_QUEUE: z.string().default('writeback-results'),
  /** NCRONTAB schedules for the timers. */
  SUBSCRIPTION_SCHEDULE: z.string().default('0 */5 * * * *'),
  RECONCILE_SCHEDULE: z.string().default('0 0 */6 * * *'),
  /** The repair timer: groups whose change set did not land get their full state sent again. */
  REPAIR_SCHEDULE: z.string().default('0 */5 * * * *'),
  /** A change set pending this long without any result is taken as lost (dead-lettered, expired); the base of
   *  the repair backoff too. */
  PENDING_LIMIT_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  /** The admin API's app registration: accepted token audiences, comma-separated (its client id, and its
   *  Application ID URI for v1 tokens). Admin calls need an Entra token with one of these and an app role. */
  ADMIN_API_AUDIENCE: z
    .string()
    .min(1)
    .transform((v) => v.split(',').map((a) => a.trim()).filter((a) => a.length > 0)),
  /** Where Entra ID publishes the tenant's signing keys and issues tokens (the sovereign cloud's host there). */
  ADMIN_AUTHORITY_HOST: z.string().url().default('https://login.microsoftonline.com'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** Application Insights (set in Azure; read by the Functions host too): where functions/telemetry.ts sends. */
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
});
export type CloudConfig = z.infer<typeof cloudConfigSchema>;

/** Settings whose values are secret: never logged. */
export const SECRET_SETTINGS: readonly (keyof CloudConfig)[] = ['CLIENT_STATE_SECRET', 'CLIENT_STATE_SECRET_PREVIOUS'];

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration: ${issues.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; the error names each wrong or missing setting, never its value. */
export function loadCloudConfig(env: Record<string, string | undefined> = process.env): CloudConfig {
  const parsed = cloudConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}

