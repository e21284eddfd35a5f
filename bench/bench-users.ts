// The synced users the benchmarks write as members: N disabled users in OU=Users,OU=WritebackBench under the
// domain. The missing ones are created in bulk straight into the DC's database (bench/seed-users.ts); the ones
// present are reused, by later runs too, while the DC lives. A fresh DC (new provisioning) gets them again.
import type { Client } from 'ldapts';
import type { SambaDc } from '../dev/stack/samba.js';
import { connectLdap } from '../relay/ldap/connect.js';
import { seedUsers } from './seed-users.js';

export const BENCH_OU_NAME = 'WritebackBench';
const BENCH_USER_PREFIX = 'wbb-';
const BENCH_USER_WIDTH = 5;

export interface BenchUser {
  sam: string;
  sid: string;
}

export function benchOu(dc: Pick<SambaDc, 'baseDn'>): string {
  return `OU=${BENCH_OU_NAME},${dc.baseDn}`;
}

export function benchUsersOu(dc: Pick<SambaDc, 'baseDn'>): string {
  return `OU=Users,${benchOu(dc)}`;
}

/** `wbb-00001`: short (pre-Windows 2000 names stop at 20), sortable, unique in the domain. */
export function benchUserSam(index: number): string {
  return `${BENCH_USER_PREFIX}${String(index).padStart(BENCH_USER_WIDTH, '0')}`;
}

export async function adminClient(dc: SambaDc, timeoutMs = 120_000): Promise<Client> {
  return connectLdap({ url: dc.url, tlsServerName: dc.tlsServerName, caPem: dc.caPem, bindDn: dc.adminBindDn, password: dc.adminPassword, timeoutMs });
}

export async function ensureOu(client: Client, dn: string): Promise<void> {
  try {
    await client.add(dn, { objectClass: ['top', 'organizationalUnit'] });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 68)) throw error; // 68: exists already
  }
}

export interface EnsureBenchUsersOptions {
  /** Adds per transaction (seed-users.ts): larger is faster, but holds the DC's other work up for longer. */
  perTransaction?: number;
  progress?: (created: number, missing: number, ms: number) => void;
}

/** Makes sure users 1..count exist; returns them in index order with their SIDs, how many were created and
 *  how long creating them (createMs) and the whole call (ms, with reading them back) took. */
export async function ensureBenchUsers(dc: SambaDc, count: number, opts: EnsureBenchUsersOptions = {}): Promise<{ users: BenchUser[]; created: number; createMs: number; ms: number }> {
  const t0 = Date.now();
  const seeded = await seedUsers(dc, {
    usersOu: benchUsersOu(dc),
    prefix: BENCH_USER_PREFIX,
    width: BENCH_USER_WIDTH,
    count,
    ...(opts.perTransaction ? { perTransaction: opts.perTransaction } : {}),
    ...(opts.progress ? { progress: opts.progress } : {}),
  });
  const users: BenchUser[] = [];
  for (let i = 1; i <= count; i += 1) {
    const sam = benchUserSam(i);
    const sid = seeded.sids.get(sam);
    if (!sid) throw new Error(`bench user ${sam} is missing after creation`);
    users.push({ sam, sid });
  }
  return { users, created: seeded.created, createMs: seeded.ms, ms: Date.now() - t0 };
}
