// `relay --check`: verifies a configuration without taking work (docs/relay.md, "Checking a configuration"):
// TLS and bind on every DC, the writeback OU and the rights there, then the Service Bus rights. Prints one
// ✓/✗ line per check. Exit code 0: all passed; 1: a check failed; 2: the configuration itself is invalid
// (a setting, or a secret or file it names that cannot be read).
import type { QueueClient } from '../../shared/ports/queue.js';
import { readConfiguredFile, readSecret, RelayConfigError, type RelayConfig } from '../config.js';
import { relayVersion } from '../version.js';
import { checkDirectory } from './directory-checks.js';
import { checkQueues } from './queue-checks.js';
import { checkReport, withTimeout } from './report.js';

export interface CheckRelayOptions {
  config: RelayConfig;
  configPath: string;
  /** Opens the queue client (may throw RelayConfigError). */
  openQueue: () => Promise<QueueClient>;
  env?: NodeJS.ProcessEnv;
  out: (line: string) => void;
}

export async function checkRelay({ config, configPath, openQueue, env, out }: CheckRelayOptions): Promise<0 | 1 | 2> {
  const version = relayVersion();
  out(`relay --check ${config.relayId} (group-writeback ${version}), configuration ${configPath}`);
  let secrets: { caPem: string; password: string };
  let queue: QueueClient;
  try {
    secrets = { password: await readSecret(config.ldap.bindPassword, env), caPem: await readConfiguredFile(config.ldap.caFile, 'ldap.caFile') };
    queue = await openQueue();
  } catch (error) {
    if (!(error instanceof RelayConfigError)) throw error;
    out(`✗ configuration: ${error.message}`);
    return 2;
  }
  const report = checkReport(out);
  try {
    const dc = await checkDirectory(config, secrets, report);
    await checkQueues(config, queue, { version, dc, now: new Date() }, report);
  } finally {
    await withTimeout(queue.close(), 10_000, 'close').catch(() => undefined);
  }
  const failed = report.lines.filter((line) => !line.ok).length;
  out(failed === 0 ? `all ${report.lines.length} checks passed` : `${failed} of ${report.lines.length} checks failed`);
  return failed === 0 ? 0 : 1;
}
