// The config of a relay against a local DC (the local stack's relay process, the relay tests, the throughput
// benchmark's relay child): the DC's LDAPS settings, the relay's own account (dev/stack/relay-account.ts), the
// writeback OU and the embedded queue, built and validated in one place; callers add their sessions, safety
// and log settings.
import { parseRelayConfig, type RelayConfig, type RelayConfigInput } from '../../relay/config.js';
import type { SambaDc } from './samba.js';

export interface LocalRelayTarget {
  dc: Pick<SambaDc, 'url' | 'tlsServerName' | 'caFile'>;
  /** The relay's account, never the domain admin. */
  bindDn: string;
  /** The environment variable holding the bind password: the config names it, never holds it. */
  bindPasswordEnv: string;
  writebackOu: string;
  previousWritebackOus?: string[];
}

export type LocalRelaySettings = Partial<Omit<RelayConfigInput, 'relayId'>> & { memberChunkSize?: number };

/** `settings` go over the target's (an `ldap` there replaces the whole block). */
export function localRelayConfig(relayId: string, target: LocalRelayTarget, settings: LocalRelaySettings = {}): RelayConfig {
  const { memberChunkSize, ...rest } = settings;
  return parseRelayConfig({
    relayId,
    ldap: {
      urls: [target.dc.url],
      tlsServerName: target.dc.tlsServerName,
      caFile: target.dc.caFile,
      bindDn: target.bindDn,
      bindPassword: { env: target.bindPasswordEnv },
      writebackOu: target.writebackOu,
      ...(target.previousWritebackOus ? { previousWritebackOus: target.previousWritebackOus } : {}),
      ...(memberChunkSize !== undefined ? { memberChunkSize } : {}),
    },
    queue: { type: 'embedded' },
    ...rest,
  });
}
