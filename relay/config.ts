// The relay's settings: one JSON file, validated once at start-up. A wrong or missing setting stops the
// relay with a message naming the setting (by its JSON path), never its value: the file must not hold the
// bind password at all, only where to read it from (an environment variable or a file).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { queueSchema } from './config-queue.js';
import { RelayConfigError, secretSourceSchema } from './config-secret.js';

export { readConfiguredFile, readSecret, RelayConfigError, secretSourceSchema, type SecretSource } from './config-secret.js';

const LDAPS_URL = /^ldaps:\/\/[^/\s]+(:\d{1,5})?\/?$/i;
const DN = /^[A-Za-z][\w-]*=.+/;

const ldapSchema = z
  .object({
    /** Writable DCs, tried in order; the first that answers is pinned for the run (read-after-write). */
    urls: z
      .array(z.string().regex(LDAPS_URL, 'expected an ldaps:// URL (cleartext LDAP is refused: use LDAPS)'))
      .min(1, 'at least one DC URL is required'),
    /** Name checked against the DC certificate when the URL uses an IP address or an alias. */
    tlsServerName: z.string().min(1).optional(),
    /** PEM file with the CA(s) that issued the DC certificates (verification is always on). */
    caFile: z.string().min(1, 'expected a file path'),
    bindDn: z.string().regex(DN, 'expected a distinguished name'),
    bindPassword: secretSourceSchema,
    /** The OU the relay creates groups in (and the only place it deletes from). */
    writebackOu: z.string().regex(DN, 'expected a distinguished name'),
    /** Former writeback OUs, after a change of writebackOu: their groups are moved in by the next change or
     *  reconcile, and deleted where they are when their cloud group is deleted first. */
    previousWritebackOus: z.array(z.string().regex(DN, 'expected a distinguished name')).default([]),
    /** Where groups are looked up by anchor (subtree); default: the domain's defaultNamingContext. */
    searchBaseDn: z.string().regex(DN, 'expected a distinguished name').optional(),
    /** Connect and per-operation timeout; below AD's MaxQueryDuration (120 s). */
    timeoutMs: z.number().int().positive().default(30_000),
    /** Reconnect before reuse when idle this long (AD drops idle connections after MaxConnIdleTime, 900 s). */
    idleReconnectMs: z.number().int().positive().default(600_000),
    /** Member values per modify (AD: hundreds to ~1,000; no documented cap, version store is the limit). */
    memberChunkSize: z.number().int().min(1).max(5000).default(500),
    /** Values per ranged read of `member` (AD's MaxValRange is 1,500; a smaller page works everywhere). */
    memberReadPageSize: z.number().int().min(1).max(1500).default(1500),
  })
  .strict();

const queueNamesSchema = z
  .object({
    writeback: z.string().min(1).default('writeback'),
    results: z.string().min(1).default('writeback-results'),
  })
  .strict();

const sessionsSchema = z
  .object({
    /** Sessions (groups) worked on at the same time. */
    concurrency: z.number().int().min(1).max(32).default(4),
    /** First wait after a transient failure (DC away or busy, connection lost); doubles per attempt, with jitter.
     *  The message stays locked and is retried in place: an outage never burns deliveries. */
    retryDelayMs: z.number().int().positive().default(1_000),
    /** The longest wait between two attempts (DC reboots take minutes, outages hours). */
    retryMaxDelayMs: z.number().int().positive().default(300_000),
    /** How long to wait for the next part of a snapshot before giving the held parts back to the queue. */
    snapshotPartWaitMs: z.number().int().positive().default(60_000),
    /** How long one accept / receive waits for work. */
    receiveWaitMs: z.number().int().positive().default(5_000),
    /** How often the session lock is renewed while working (Service Bus LockDuration default 60 s). */
    lockRenewMs: z.number().int().positive().default(20_000),
    /** How often a big snapshot reports its progress (log and group status). */
    progressEveryMs: z.number().int().positive().default(5_000),
  })
  .strict();

const safetySchema = z
  .object({
    /** Compute and report (outcome 'skipped'), write nothing to AD. (Mass deletions are held by the planner's
     *  deletion guard before they are sent: docs/planner.md.) */
    stagingMode: z.boolean().default(false),
  })
  .strict();

const heartbeatSchema = z
  .object({
    /** How often the relay tells the cloud it is alive (a heartbeat on the results queue). */
    intervalSeconds: z.number().int().min(1).max(3600).default(60),
  })
  .strict();

export const relayConfigSchema = z
  .object({
    /** Names this relay in results and logs. */
    relayId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 letters, digits, dot, dash or underscore'),
    ldap: ldapSchema,
    queue: queueSchema,
    queues: queueNamesSchema.default({ writeback: 'writeback', results: 'writeback-results' }),
    sessions: sessionsSchema.default({
      concurrency: 4,
      retryDelayMs: 1_000,
      retryMaxDelayMs: 300_000,
      snapshotPartWaitMs: 60_000,
      receiveWaitMs: 5_000,
      lockRenewMs: 20_000,
      progressEveryMs: 5_000,
    }),
    safety: safetySchema.default({ stagingMode: false }),
    heartbeat: heartbeatSchema.default({ intervalSeconds: 60 }),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();
export type RelayConfig = z.infer<typeof relayConfigSchema>;
/** The config as written in the file (defaults not yet applied). */
export type RelayConfigInput = z.input<typeof relayConfigSchema>;

/** Formats zod issues as `path: message`; zod's messages never carry the input value. */
function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    if (issue.code === 'unrecognized_keys') {
      return `${path === '(root)' ? '' : `${path}: `}unknown setting(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    }
    return `${path}: ${issue.message}`;
  });
}

/** Validates an already-parsed config object. */
export function parseRelayConfig(input: unknown): RelayConfig {
  const parsed = relayConfigSchema.safeParse(input);
  if (!parsed.success) throw new RelayConfigError(issuesOf(parsed.error));
  return parsed.data;
}

/** Reads and validates the JSON config file. */
export async function loadRelayConfig(path: string): Promise<RelayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RelayConfigError([`config file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message can quote file content, which may be a misplaced secret: name only the file.
    throw new RelayConfigError([`config file ${path}: not valid JSON`]);
  }
  return parseRelayConfig(json);
}

/** The config with secret-bearing parts reduced to their source, safe to log. */
export function describeRelayConfig(config: RelayConfig): Record<string, unknown> {
  return {
    relayId: config.relayId,
    ldap: { ...config.ldap },
    queue: config.queue,
    queues: config.queues,
    sessions: config.sessions,
    safety: config.safety,
    heartbeat: config.heartbeat,
    logLevel: config.logLevel,
  };
}
