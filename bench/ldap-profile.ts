// Counts and times the ldapts operations of every LDAP client in this process (the relay's own included), for
// the benchmarks' LDAP call profiles.
import { performance } from 'node:perf_hooks';
import { Client } from 'ldapts';

export type LdapProfile = Record<string, { count: number; ms: number }>;

/** performance.now() when the first counted operation started and the last one ended (null before any). */
export interface LdapSpan {
  firstStartAt: number | null;
  lastEndAt: number | null;
}

const span: LdapSpan = { firstStartAt: null, lastEndAt: null };

/** The span of the operations since the last reset. */
export function ldapSpan(): LdapSpan {
  return { ...span };
}

export function resetLdapSpan(): void {
  span.firstStartAt = null;
  span.lastEndAt = null;
}

/** Wraps Client's operations once; the returned counters fill as they run. */
export function instrumentLdap(): LdapProfile {
  const ops: LdapProfile = {};
  const proto = Client.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['search', 'modify', 'add', 'del', 'modifyDN', 'bind']) {
    const original = proto[name]!;
    proto[name] = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const t0 = performance.now();
      span.firstStartAt ??= t0;
      try {
        return await original.apply(this, args);
      } finally {
        const op = (ops[name] ??= { count: 0, ms: 0 });
        const t1 = performance.now();
        op.count += 1;
        op.ms += t1 - t0;
        span.lastEndAt = Math.max(span.lastEndAt ?? t1, t1);
      }
    };
  }
  return ops;
}
