// Test fixture for the relay against the shared Samba DC: a writeback OU of its own per test file, delegated
// to the relay's own account (dev/stack/relay-account.ts) with the rights docs/relay.md lists, a Directory
// bound as that account (the domain admin only sets up and inspects), and builders for writeback messages.
import { randomUUID } from 'node:crypto';
import type { Client } from 'ldapts';
import type { SambaDc } from '../../dev/stack/samba.js';
import type { RelayConfig, RelayConfigInput } from '../../relay/config.js';
import { localRelayConfig } from '../../dev/stack/relay-config.js';
import { delegateWritebackOu, ensureRelayAccount, type RelayAccount } from '../../dev/stack/relay-account.js';
import { loadAdContext, type AdContext } from '../../relay/ldap/ad-context.js';
import type { ApplyEnv } from '../../relay/apply/apply-result.js';
import { Directory } from '../../relay/ldap/directory.js';
import { silentLogger } from '../../shared/logging.js';
import {
  WRITEBACK_SCHEMA_VERSION,
  type GroupHeader,
  type MemberRef,
  type WritebackMessage,
} from '../../shared/contracts/writeback-message.js';
import { createTestOu, removeOu } from './ad.js';
import { adminClient, getSambaDc } from './samba.js';

export const TENANT_ID = '0b0e0c0a-1111-4222-8333-444455556666';
export const BIND_PASSWORD_ENV = 'RELAY_TEST_BIND_PASSWORD';

export interface RelayFixture {
  dc: SambaDc;
  /** Bound as the domain admin: for setting up and inspecting, never for the relay's own work. */
  admin: Client;
  /** The relay's account, delegated on writebackOu. */
  account: RelayAccount;
  /** Grants the relay's account the writeback OU's delegation on another OU too. */
  delegate(ouDn: string): Promise<void>;
  /** The test's own OU; the writeback OU and an "elsewhere" OU live below it. */
  ouDn: string;
  writebackOu: string;
  otherOu: string;
  directory: Directory;
  ctx: AdContext;
  env(overrides?: Partial<ApplyEnv>): ApplyEnv;
  /** A relay config for this DC and OU, bound as the relay's account (bind password from BIND_PASSWORD_ENV), no
   *  heartbeat within an hour. */
  config(overrides?: Partial<RelayConfigInput>): RelayConfig;
  /** Environment carrying the bind password, for startRelay. */
  processEnv: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function relayFixture(name: string): Promise<RelayFixture> {
  const dc = await getSambaDc();
  const admin = await adminClient(dc);
  const ouDn = await createTestOu(admin, dc, name);
  const writebackOu = `OU=Writeback,${ouDn}`;
  const otherOu = `OU=Elsewhere,${ouDn}`;
  await admin.add(writebackOu, { objectClass: ['top', 'organizationalUnit'] });
  await admin.add(otherOu, { objectClass: ['top', 'organizationalUnit'] });
  const account = await ensureRelayAccount(admin, dc);
  await delegateWritebackOu(admin, writebackOu, account);
  const directory = new Directory({
    urls: [dc.url],
    tlsServerName: dc.tlsServerName,
    caPem: dc.caPem,
    bindDn: account.bindDn,
    password: account.password,
    timeoutMs: 30_000,
    idleReconnectMs: 600_000,
    log: silentLogger(),
  });
  const ctx = await directory.use((c) => loadAdContext(c, { writebackOu }));
  return {
    dc,
    admin,
    account,
    delegate: (dn) => delegateWritebackOu(admin, dn, account),
    ouDn,
    writebackOu,
    otherOu,
    directory,
    ctx,
    env: (overrides = {}) => ({
      directory,
      ctx,
      memberChunkSize: 500,
      memberReadPageSize: 1500,
      staging: false,
      log: silentLogger(),
      ...overrides,
    }),
    config: (overrides = {}) =>
      localRelayConfig('relay-test', { dc, bindDn: account.bindDn, bindPasswordEnv: BIND_PASSWORD_ENV, writebackOu }, {
        sessions: { concurrency: 2, receiveWaitMs: 100, retryDelayMs: 100, retryMaxDelayMs: 1_000, snapshotPartWaitMs: 2_000, lockRenewMs: 5_000 },
        // Tests read the results queue as results only; heartbeat tests ask for a short interval.
        heartbeat: { intervalSeconds: 3600 },
        logLevel: 'silent',
        ...overrides,
      }),
    processEnv: { [BIND_PASSWORD_ENV]: account.password },
    close: async () => {
      await directory.close();
      await removeOu(admin, ouDn);
      await admin.unbind();
    },
  };
}

/** A header for cloud group `groupId`, as the planner would send it. */
export function headerFor(groupId: string, overrides: Partial<GroupHeader> = {}): GroupHeader {
  const short = groupId.replaceAll('-', '').slice(0, 16);
  return {
    anchor: `Group_${groupId}`,
    cn: `Team ${short}_${groupId.slice(-12)}`,
    samAccountName: `Group_${short}`,
    displayName: `Team ${short}`,
    description: 'written back by the relay tests',
    adGroupType: 'universalSecurityGroup',
    groupType: -2147483640,
    mail: null,
    ...overrides,
  };
}

export function newGroupId(): string {
  return randomUUID();
}

export function sidRef(sid: string, cloudId: string = randomUUID()): MemberRef {
  return { kind: 'sid', cloudId, sid };
}

export function groupRef(groupId: string, cloudId: string = groupId): MemberRef {
  return { kind: 'group', cloudId, anchor: `Group_${groupId}` };
}

type Upsert = Extract<WritebackMessage, { kind: 'upsert' }>;
type Snapshot = Extract<WritebackMessage, { kind: 'snapshot' }>;
type Delete = Extract<WritebackMessage, { kind: 'delete' }>;

export function upsertMessage(groupId: string, seq: number, opts: { header?: GroupHeader; add?: MemberRef[]; remove?: MemberRef[] } = {}): Upsert {
  return {
    v: WRITEBACK_SCHEMA_VERSION,
    tenantId: TENANT_ID,
    groupId,
    seq,
    kind: 'upsert',
    header: opts.header ?? headerFor(groupId),
    add: opts.add ?? [],
    remove: opts.remove ?? [],
  };
}

/** All parts of one snapshot, members split into `parts` consecutive parts, seqs from `firstSeq`. */
export function snapshotMessages(
  groupId: string,
  firstSeq: number,
  members: MemberRef[],
  opts: { parts?: number; header?: GroupHeader; snapshotId?: string } = {},
): Snapshot[] {
  const parts = opts.parts ?? 1;
  const size = Math.ceil(members.length / parts);
  const snapshotId = opts.snapshotId ?? `snap-${randomUUID().slice(0, 8)}`;
  return Array.from({ length: parts }, (_, i) => ({
    v: WRITEBACK_SCHEMA_VERSION,
    tenantId: TENANT_ID,
    groupId,
    seq: firstSeq + i,
    kind: 'snapshot' as const,
    header: opts.header ?? headerFor(groupId),
    snapshotId,
    part: i + 1,
    parts,
    members: members.slice(i * size, (i + 1) * size),
  }));
}

export function deleteMessage(groupId: string, seq: number, anchor = `Group_${groupId}`): Delete {
  return { v: WRITEBACK_SCHEMA_VERSION, tenantId: TENANT_ID, groupId, seq, kind: 'delete', anchor, reason: 'hardDeleted' };
}
