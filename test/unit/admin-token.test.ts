// Admin API tokens: only an RS256 token signed with one of the tenant's published keys, for our audience and
// tenant, from the right issuer, inside its lifetime, is accepted; roles are read from the token.
import { generateKeyPairSync, createSign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AdminTokenError, entraIssuers, hasRole, verifyAdminToken, type AdminTokenPolicy } from '../../shared/security/admin-token.js';

const TENANT = '7d96a1c4-1111-4a2b-9c3d-0123456789ab';
const AUD = 'api://group-writeback-admin';
const NOW = new Date('2026-11-30T10:00:00Z');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const nowS = NOW.getTime() / 1000;

const enc = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
function token(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key: KeyObject = privateKey): string {
  const h = { alg: 'RS256', typ: 'JWT', kid: 'k1', ...header };
  const p = { aud: AUD, iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, tid: TENANT, oid: 'o1', exp: nowS + 600, nbf: nowS - 60, roles: ['Writeback.Read'], preferred_username: 'ann@contoso.com', name: 'Ann', ...claims };
  const input = `${enc(h)}.${enc(p)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

const policy: AdminTokenPolicy = {
  tenantId: TENANT,
  audiences: [AUD],
  issuers: entraIssuers('https://login.microsoftonline.com/', TENANT),
  keys: { key: (kid) => Promise.resolve(kid === 'k1' ? publicKey : null) },
  now: () => NOW,
};

async function refusal(t: string): Promise<string> {
  try {
    await verifyAdminToken(t, policy);
  } catch (e) {
    if (e instanceof AdminTokenError) return e.code;
    throw e;
  }
  return 'accepted';
}

describe('admin token', () => {
  it('accepts a valid token and reads who it names and the known roles', async () => {
    const p = await verifyAdminToken(token({ roles: ['Writeback.Read', 'Something.Else'] }), policy);
    expect(p).toEqual({ oid: 'o1', name: 'Ann', upn: 'ann@contoso.com', roles: ['Writeback.Read'] });
    expect(hasRole(p, 'Writeback.Read')).toBe(true);
    expect(hasRole(p, 'Writeback.Admin')).toBe(false);
    expect(hasRole({ ...p, roles: ['Writeback.Admin'] }, 'Writeback.Read')).toBe(true);
  });

  it('accepts a v1 token (sts.windows.net issuer, upn)', async () => {
    const p = await verifyAdminToken(token({ iss: `https://sts.windows.net/${TENANT}/`, preferred_username: undefined, upn: 'bob@contoso.com' }), policy);
    expect(p.upn).toBe('bob@contoso.com');
  });

  it('refuses what is not exactly right', async () => {
    expect(await refusal('abc')).toBe('malformed');
    expect(await refusal(token({}, { alg: 'none' }))).toBe('unsupportedAlgorithm');
    expect(await refusal(token({}, { alg: 'HS256' }))).toBe('unsupportedAlgorithm');
    expect(await refusal(token({}, { kid: 'k2' }))).toBe('unknownKey');
    expect(await refusal(token({}, {}, other))).toBe('badSignature');
    expect(await refusal(token({ exp: nowS - 301 }))).toBe('expired');
    expect(await refusal(token({ nbf: nowS + 301 }))).toBe('notYetValid');
    expect(await refusal(token({ iss: 'https://login.microsoftonline.com/other/v2.0' }))).toBe('wrongIssuer');
    expect(await refusal(token({ aud: 'api://someone-else' }))).toBe('wrongAudience');
    expect(await refusal(token({ tid: 'b1c2d3e4-1111-4a2b-9c3d-0123456789ab' }))).toBe('wrongTenant');
    // a payload changed after signing
    const [h, , s] = token().split('.');
    expect(await refusal(`${h}.${enc({ aud: AUD, roles: ['Writeback.Admin'] })}.${s}`)).toBe('badSignature');
  });
});
