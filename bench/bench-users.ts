// The synced users the benchmarks write as members: N disabled users in OU=Users,OU=WritebackBench under the
// domain. Created once (concurrent adds over a few connections) and reused by later runs while the DC lives;
// a fresh DC (new provisioning) simply gets them again.
import { Attribute, type Client } from 'ldapts';
import type { SambaDc } from '../dev/stack/samba.js';
import { connectLdap } from '../relay/ldap/connect.js';
import { sidToString } from '../relay/ldap/sid.js';

export const BENCH_OU_NAME = 'WritebackBench';

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
  return `wbb-${String(index).padStart(5, '0')}`;
}

export async function adminClient(dc: SambaDc): Promise<Client> {
  return connectLdap({ url: dc.url, tlsServerName: dc.tlsServerName, caPem: dc.caPem, bindDn: dc.adminBindDn, password: dc.adminPassword, timeoutMs: 120_000 });
}

export async function ensureOu(client: Client, dn: string): Promise<void> {
  try {
    await client.add(dn, { objectClass: ['top', 'organizationalUnit'] });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 68)) throw error; // 68: exists already
  }
}

/** Every bench user present, by sAMAccountName (one paged search). */
async function readBenchUsers(client: Client, ou: string): Promise<Map<string, string>> {
  const { searchEntries } = await client.search(ou, {
    scope: 'one',
    filter: '(objectClass=user)',
    attributes: ['sAMAccountName', 'objectSid'],
    explicitBufferAttributes: ['objectSid'],
    paged: { pageSize: 1000 },
  });
  const users = new Map<string, string>();
  for (const entry of searchEntries) {
    const sam = entry['sAMAccountName'];
    const sid = entry['objectSid'];
    if (typeof sam === 'string' && Buffer.isBuffer(sid)) users.set(sam, sidToString(sid));
  }
  return users;
}

async function addUser(client: Client, ou: string, sam: string): Promise<void> {
  try {
    await client.add(`CN=${sam},${ou}`, [
      new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }),
      new Attribute({ type: 'sAMAccountName', values: [sam] }),
      // Disabled, no password: only their SIDs matter here.
      new Attribute({ type: 'userAccountControl', values: ['514'] }),
    ]);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 68)) throw error;
  }
}

export interface EnsureBenchUsersOptions {
  /** Connections used for creating (each with a few adds in flight). */
  connections?: number;
  inFlightPerConnection?: number;
  progress?: (created: number, missing: number) => void;
}

/** Makes sure users 1..count exist; returns them in index order with their SIDs. */
export async function ensureBenchUsers(dc: SambaDc, count: number, opts: EnsureBenchUsersOptions = {}): Promise<{ users: BenchUser[]; created: number; ms: number }> {
  const t0 = Date.now();
  const admin = await adminClient(dc);
  try {
    await ensureOu(admin, benchOu(dc));
    await ensureOu(admin, benchUsersOu(dc));
    const ou = benchUsersOu(dc);
    let present = await readBenchUsers(admin, ou);
    const missing: string[] = [];
    for (let i = 1; i <= count; i += 1) if (!present.has(benchUserSam(i))) missing.push(benchUserSam(i));
    if (missing.length > 0) {
      const connections = opts.connections ?? 4;
      const inFlight = opts.inFlightPerConnection ?? 4;
      const clients = await Promise.all(Array.from({ length: connections }, () => adminClient(dc)));
      let next = 0;
      let done = 0;
      try {
        await Promise.all(
          clients.flatMap((client) =>
            Array.from({ length: inFlight }, async () => {
              while (next < missing.length) {
                const sam = missing[next++]!;
                await addUser(client, ou, sam);
                done += 1;
                if (done % 1000 === 0) opts.progress?.(done, missing.length);
              }
            }),
          ),
        );
      } finally {
        await Promise.all(clients.map((c) => c.unbind().catch(() => undefined)));
      }
      present = await readBenchUsers(admin, ou);
    }
    const users: BenchUser[] = [];
    for (let i = 1; i <= count; i += 1) {
      const sam = benchUserSam(i);
      const sid = present.get(sam);
      if (!sid) throw new Error(`bench user ${sam} is missing after creation`);
      users.push({ sam, sid });
    }
    return { users, created: missing.length, ms: Date.now() - t0 };
  } finally {
    await admin.unbind().catch(() => undefined);
  }
}
