// Counts and times the ldapts operations of every LDAP client in this process (the relay's own included), for
// the benchmarks' LDAP call profiles.
import { performance } from 'node:perf_hooks';
import { Client } from 'ldapts';

export type LdapProfile = Record<string, { count: number; ms: number }>;

/** Wraps Client's operations once; the returned counters fill as they run. */
export function instrumentLdap(): LdapProfile {
  const ops: LdapProfile = {};
  const proto = Client.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['search', 'modify', 'add', 'del', 'modifyDN', 'bind']) {
    const original = proto[name]!;
    proto[name] = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const t0 = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        const op = (ops[name] ??= { count: 0, ms: 0 });
        op.count += 1;
        op.ms += performance.now() - t0;
      }
    };
  }
  return ops;
}
