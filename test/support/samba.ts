// The shared Samba AD DC for integration and e2e tests: started (or attached to) once per test process.
// The run's global teardown stops it (test/support/global-setup.ts).
import type { Client } from 'ldapts';
import { ensureSambaDc, type SambaDc } from '../../dev/stack/samba.js';
import { connectLdap } from '../../relay/ldap/connect.js';
import { createLogger } from '../../shared/logging.js';

let dc: Promise<SambaDc> | undefined;

/** The machine's DC; the first call in a process attaches or starts it (a failure is kept: no retry storm). */
export function getSambaDc(): Promise<SambaDc> {
  dc ??= ensureSambaDc({ log: createLogger('samba-dc', process.env['LOG_LEVEL'] ?? 'warn') });
  return dc;
}

/** A verified LDAPS connection bound as the domain administrator. Close it with `unbind()`. */
export async function adminClient(target?: SambaDc): Promise<Client> {
  const d = target ?? (await getSambaDc());
  return connectLdap({
    url: d.url,
    tlsServerName: d.tlsServerName,
    caPem: d.caPem,
    bindDn: d.adminBindDn,
    password: d.adminPassword,
  });
}
