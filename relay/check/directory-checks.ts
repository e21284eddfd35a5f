// `relay --check`, the Active Directory half: for every DC in ldap.urls a TLS handshake with the configured
// CA and server name, then the bind; on the first DC that binds, the domain's rootDSE, the writeback OU, and
// the rights there, proven with a probe group (unique cn, no members, not anchored) that is created, changed
// and deleted at once, and removed even when a step fails. Staging mode writes nothing, so it probes nothing.
import { randomBytes } from 'node:crypto';
import tls, { type PeerCertificate } from 'node:tls';
import { Attribute, Change, type Client } from 'ldapts';
import type { RelayConfig } from '../config.js';
import { loadAdContext } from '../ldap/ad-context.js';
import { connectLdap, ldapTlsOptions } from '../ldap/connect.js';
import { groupDn } from '../ldap/dn.js';
import { classifyLdapError, isNoSuchObject } from '../ldap/errors.js';
import type { CheckReport } from './report.js';

const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
/** Global security group: the plainest group the relay's rights must allow. */
const PROBE_GROUP_TYPE = '-2147483646';

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: u.port === '' ? 636 : Number(u.port) };
}

/** What a failed TLS handshake means for the config. */
function tlsProblem(error: unknown, name: string, port: number): string {
  const code = codeOf(error);
  const text = `${code ? `${code}: ` : ''}${(error as Error).message}`;
  if (TLS_TRUST_CODES.has(code)) return `certificate not trusted: ldap.caFile does not hold the CA that issued this DC's certificate (${text})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the certificate does not name ${name}: set ldap.tlsServerName or use the name the certificate carries (${text})`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `the DC's certificate is not valid now (${text})`;
  return `cannot reach it over LDAPS: DNS, firewall (port ${port}) or LDAPS not enabled on the DC (${text})`;
}

function tlsHandshake(url: string, caPem: string, tlsServerName: string | undefined, timeoutMs: number): Promise<PeerCertificate> {
  const { host, port } = hostPort(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ ...ldapTlsOptions(host, caPem, tlsServerName), port, timeout: timeoutMs });
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate();
      socket.end();
      resolve(certificate);
    });
    socket.once('timeout', () => socket.destroy(Object.assign(new Error(`no TLS handshake within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    socket.once('error', reject);
  });
}

function bindProblem(error: unknown): string {
  const info = classifyLdapError(error);
  if (info.reason === 'credentials') return `the DC refused the bind: wrong password, or the account is locked, disabled or expired (${info.text})`;
  return info.text;
}

function firstValue(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '?';
}

/** Creates, changes and deletes a probe group in the OU; removes it even when a step fails. */
async function probeRights(client: Client, ou: string, report: CheckReport): Promise<void> {
  const cn = `gwb-check-${randomBytes(4).toString('hex')}`;
  const dn = groupDn(cn, ou);
  const subject = 'writeback OU rights';
  let step = 'create';
  let created = false;
  let deleted = false;
  try {
    await client.add(dn, {
      objectClass: ['top', 'group'],
      cn,
      sAMAccountName: cn,
      groupType: PROBE_GROUP_TYPE,
      description: 'group-writeback relay --check probe: created and deleted at once, safe to delete',
    });
    created = true;
    step = 'change';
    await client.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['group-writeback relay --check probe (changed)'] }) }));
    step = 'delete';
    await client.del(dn);
    deleted = true;
    report.ok(subject, `created, changed and deleted a probe group (${dn})`);
  } catch (error) {
    const need = step === 'change' ? 'read and write all properties of group objects below the OU' : `${step} child objects of type group in the OU`;
    report.fail(subject, `cannot ${step} a group: the relay's account needs "${need}" (docs/relay.md, "Permissions in Active Directory"): ${classifyLdapError(error).text}`);
  } finally {
    if (created && !deleted) {
      try {
        await client.del(dn);
      } catch (error) {
        report.fail('probe group clean-up', `${dn} could not be deleted: delete it by hand (${classifyLdapError(error).text})`);
      }
    }
  }
}

/** Runs the AD checks; returns the DC that bound (for the check heartbeat), or null. */
export async function checkDirectory(config: RelayConfig, secrets: { caPem: string; password: string }, report: CheckReport): Promise<string | null> {
  const { ldap } = config;
  let bound: { url: string; client: Client } | null = null;
  for (const url of ldap.urls) {
    const name = ldap.tlsServerName ?? hostPort(url).host;
    try {
      const cert = await tlsHandshake(url, secrets.caPem, ldap.tlsServerName, ldap.timeoutMs);
      report.ok(`${url} TLS`, `certificate of ${firstValue(cert.subject?.CN)} verified for ${name}, issued by ${firstValue(cert.issuer?.CN)}, valid until ${cert.valid_to}`);
    } catch (error) {
      report.fail(`${url} TLS`, tlsProblem(error, name, hostPort(url).port));
      continue;
    }
    try {
      const client = await connectLdap({ url, caPem: secrets.caPem, bindDn: ldap.bindDn, password: secrets.password, timeoutMs: ldap.timeoutMs, ...(ldap.tlsServerName ? { tlsServerName: ldap.tlsServerName } : {}) });
      report.ok(`${url} bind`, `bound as ${ldap.bindDn}`);
      if (bound) await client.unbind().catch(() => undefined);
      else bound = { url, client };
    } catch (error) {
      report.fail(`${url} bind`, bindProblem(error));
    }
  }
  if (!bound) {
    report.fail('writeback OU', 'not checked: no DC accepted the bind');
    return null;
  }
  const { client } = bound;
  try {
    const ctx = await loadAdContext(client, { writebackOu: ldap.writebackOu, ...(ldap.searchBaseDn ? { searchBaseDn: ldap.searchBaseDn } : {}) });
    report.ok('domain', `groups and members are looked up below ${ctx.searchBaseDn} (on ${bound.url})`);
    try {
      await client.search(ldap.writebackOu, { scope: 'base', attributes: ['objectClass'] });
      report.ok('writeback OU', `${ldap.writebackOu} exists`);
    } catch (error) {
      report.fail('writeback OU', isNoSuchObject(error) ? `${ldap.writebackOu} does not exist (ldap.writebackOu)` : classifyLdapError(error).text);
      return bound.url;
    }
    if (config.safety.stagingMode) report.note('writeback OU rights', 'not probed: staging mode writes nothing to AD');
    else await probeRights(client, ldap.writebackOu, report);
  } catch (error) {
    report.fail('domain', classifyLdapError(error).text);
  } finally {
    await client.unbind().catch(() => undefined);
  }
  return bound.url;
}
