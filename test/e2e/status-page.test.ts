// The status page in a real browser (chromium through playwright-core) against the local Functions host: the
// page function and the real admin routes (held, approve), the Graph simulator minting admin tokens, and
// stand-ins for the contract routes this branch does not have yet (test/support/status-page/contract-fakes.ts).
// Dev sign-in, filters, search, paging, a group's detail, a name that tries to inject markup, approve and
// reject behind the confirmation dialog, one flow by keyboard only, readable contrast; then a Function App
// signing in with Entra ID (authorization code + PKCE against a stand-in authority) that lacks most routes.
// Screenshots of each view go to test-output/screenshots/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionDefinitions } from '../../functions/catalog.js';
import { approveHeldFunction } from '../../functions/approveHeld.js';
import { heldChangesFunction } from '../../functions/heldChanges.js';
import { statusPageFunction } from '../../functions/statusPage.js';
import { startLocalHost, type LocalHost } from '../../dev/host/local-host.js';
import { createLocalRuntime, type LocalRuntime } from '../../dev/host/local-runtime.js';
import { silentLogger } from '../../shared/logging.js';
import { emptyStatus } from '../../shared/state/group-status-record.js';
import { startTestEntra, type TestEntra } from '../support/entra.js';
import { launchBrowser, LOW_CONTRAST_SCRIPT, type TestBrowser } from '../support/status-page/browser.js';
import { contractFakes, type FakeCalls } from '../support/status-page/contract-fakes.js';
import { startFakeEntra, type FakeEntra } from '../support/status-page/fake-entra.js';
import { fixture, GROUP, heldChanges, HOSTILE_NAME } from '../support/status-page/fixture.js';

const tenantId = '7d96a1c4-9999-4a2b-9c3d-0123456789ab';
const UI = join(import.meta.dirname, '..', '..', 'ui');

let entra: TestEntra;
let browser: TestBrowser;
const shots: string[] = [];

beforeAll(async () => {
  [entra, browser] = await Promise.all([startTestEntra(tenantId), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await entra?.close();
  if (shots.length > 0) console.log(`status page screenshots:\n  ${shots.join('\n  ')}`);
});

/** A screenshot of the view, which must read well: AA contrast, no placeholder words. */
async function shoot(page: Page, name: string): Promise<void> {
  shots.push(await browser.screenshot(page, name));
  expect(await readingProblems(page), name).toEqual([]);
}

const token = (roles: string[] = ['Writeback.Admin']): string => entra.sim.entra.mintToken({ roles });
/** Loads the page afresh (a fragment-only change would not reload it). */
async function open(page: Page, url: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(url);
}
const title = (page: Page): Promise<string> => page.locator('#view-title').innerText();
const firstCells = (page: Page): Promise<string[]> => page.locator('main tbody tr td:first-child a').allInnerTexts();
/** Evaluates a JavaScript expression in the page (a string: the tests are not compiled with the DOM's types). */
const inPage = <T>(page: Page, expression: string): Promise<T> => page.evaluate(expression) as Promise<T>;
/** What has keyboard focus: its tag, label or text, whether a focus ring shows, whether it is in the dialog. */
const focused = (page: Page): Promise<{ tag: string; label: string; ring: boolean; inDialog: boolean }> =>
  inPage(
    page,
    `(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return { tag: el.tagName, label: el.getAttribute('aria-label') ?? el.innerText.trim(), ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2, inDialog: el.closest('dialog') !== null };
    })()`,
  );

/** What a reader would trip over: text below AA contrast, and placeholders leaking as words. */
async function readingProblems(page: Page): Promise<string[]> {
  const leaked = (await page.locator('main').innerText()).match(/\b(null|undefined|NaN|\[object Object\])\b/g) ?? [];
  return [...(await inPage<string[]>(page, LOW_CONTRAST_SCRIPT)), ...leaked.map((w) => `shows "${w}"`)];
}

async function tabTo(page: Page, label: string, key: 'Tab' | 'Shift+Tab'): Promise<void> {
  for (let i = 0; i < 30; i++) {
    if ((await focused(page)).label === label) return;
    await page.keyboard.press(key);
  }
  throw new Error(`keyboard focus never reached "${label}"`);
}

describe('status page on the local host (dev sign-in)', () => {
  let host: LocalHost;
  let runtime: LocalRuntime;
  const calls: FakeCalls = { rejected: [] };
  let page: Awaited<ReturnType<TestBrowser['newPage']>>;

  beforeAll(async () => {
    host = await startLocalHost({
      runtime: async (hostUrl) => (runtime = await createLocalRuntime({ graphBaseUrl: entra.sim.baseUrl, tenantId, hostUrl, log: silentLogger() })),
      timers: false,
      queues: false,
      functions: [...contractFakes(fixture, calls), ...functionDefinitions],
    });
    for (const held of heldChanges) await runtime.planner.held.save(tenantId, held, null);
  });
  afterAll(async () => {
    await host?.close();
    await runtime?.close();
  });

  it('is served by the Function App: the page, its files, the sign-in settings; nothing else', async () => {
    const index = await fetch(`${host.url}/api/ui/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(index.headers.get('content-security-policy')).toContain("connect-src 'self';");
    expect((await fetch(`${host.url}/api/ui/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const bare = await fetch(`${host.url}/api/ui`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/api/ui/']);
    expect(await (await fetch(`${host.url}/api/ui/config.json`)).json()).toEqual({ mode: 'dev', tenantId });
    for (const path of ['missing.js', '..%2Fhost.json', '..%5Chost.json', 'App.js', 'index.html.bak']) {
      expect((await fetch(`${host.url}/api/ui/${path}`)).status, path).toBe(404);
    }
    // Text nodes only: no file of the page turns strings into markup.
    for (const file of readdirSync(UI).filter((f) => f.endsWith('.js'))) {
      expect(readFileSync(join(UI, file), 'utf8'), file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
  });

  it('without a token shows the sign-in, and the API refuses the calls it makes (401)', async () => {
    page = await browser.newPage();
    await page.goto(`${host.url}/api/ui/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Access token').waitFor();
    expect(await page.locator('#nav').isHidden()).toBe(true);
    await shoot(page, 'sign-in');
    const anonymous = await page.evaluate(() => Promise.all(['../status', '../held', '../relays'].map(async (p) => (await fetch(p)).status)));
    expect(anonymous).toEqual([401, 401, 401]);

    // A token the API does not accept: the page's first call gets 401 and it asks to sign in again.
    const refused: number[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/status')) refused.push(r.status());
    });
    await open(page, `${host.url}/api/ui/#token=${entra.sim.entra.mintToken({ roles: ['Writeback.Admin'], foreignKey: true })}`);
    await page.getByText('The sign-in was refused or has expired: sign in again.').waitFor();
    expect(refused).toEqual([401]);
    expect(await inPage(page, '[location.hash, sessionStorage.length]')).toEqual(['#/groups', 0]);
    expect(page.problems).toEqual([]);
  });

  it('signs in with a dev token; filters by state, searches, pages; shows a hostile name as text', async () => {
    await open(page, `${host.url}/api/ui/#token=${token()}`);
    await page.locator('main caption').getByText('58 groups, showing 1–50').waitFor();
    expect(await inPage(page, 'location.hash')).toBe('#/groups'); // the token left the address
    expect(await page.locator('#who').innerText()).toBe('Local Admin (admin@simtenant.onmicrosoft.com) · Admin');
    expect(await page.locator('main th').allInnerTexts()).toEqual(['Group', 'Type', 'In AD as', 'State', 'Reason', 'Members', 'Cloud-only', 'Member errors', 'Last result']);
    await shoot(page, 'groups');

    await page.getByLabel('State').selectOption('failed');
    await page.locator('main caption').getByText('1 group in state Failed').waitFor();
    expect(await firstCells(page)).toEqual([HOSTILE_NAME]);
    expect(await inPage(page, "[document.querySelectorAll('main img').length, '__injected' in window]")).toEqual([0, false]);
    expect(await inPage(page, 'location.hash')).toBe('#/groups?state=failed');
    await shoot(page, 'groups-failed');

    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Name or id').fill('mark');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('main caption').getByText('1 group matching “mark”').waitFor();
    expect(await firstCells(page)).toEqual(['Marketing']);

    await page.getByLabel('Name or id').fill('');
    await page.getByLabel('Name or id').press('Enter');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.locator('main caption').getByText('58 groups, showing 51–58').waitFor();
    expect((await firstCells(page))[0]).toBe('Team 45');
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.locator('main caption').getByText('showing 1–50').waitFor();
  });

  it("opens a group's detail: member errors named by display name and UPN", async () => {
    await page.getByRole('link', { name: HOSTILE_NAME }).click();
    await page.getByRole('heading', { name: 'Member errors' }).waitFor();
    expect(await title(page)).toBe(HOSTILE_NAME);
    const errors = page.locator('main table');
    expect(await errors.locator('caption').innerText()).toBe('2 members not written');
    expect(await errors.locator('tbody tr').allInnerTexts()).toEqual([
      expect.stringMatching(/^Ada Lovelace\s+c1000000-\S+\s+ada@contoso\.example\s+user\s+NoOnPremIdentity\s+cloud-only user/),
      expect.stringMatching(/^KIOSK-07\s+c1000000-\S+\s+—\s+device\s+MemberNotFound/),
    ]);
    expect(await inPage(page, "document.querySelectorAll('main img').length")).toBe(0);
    await shoot(page, 'group');
    await page.getByRole('link', { name: '← All groups' }).click();
    await page.locator('main caption').getByText('58 groups').waitFor();
  });

  it('shows relay health (a silent relay flagged in words) and the settings, read-only', async () => {
    await page.getByRole('link', { name: 'Relays', exact: true }).click();
    await page.getByText('1 relay is silent: changes may not reach Active Directory.').waitFor();
    expect(await page.locator('main tbody tr').allInnerTexts()).toEqual([
      expect.stringMatching(/^relay-dc1\s+Reporting\s+RELAY01/),
      expect.stringMatching(/^relay-dc2\s+Silent for 2 h 5 min\s+RELAY02/),
    ]);
    await shoot(page, 'relays');

    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByText('Deletion guard: group deletions per 24 h').waitFor();
    expect(await page.locator('main dd').allInnerTexts()).toEqual(['On', 'On', 'Object id', 'As Graph says (now: Yes)', 'Off', 'Off', '20', '1000', '5 min']);
    expect(await page.locator('main input, main select, main textarea').count()).toBe(0);
    await shoot(page, 'settings');
    expect(page.problems).toEqual([]);
  });

  it('approves a held deletion through the confirmation dialog: the held record becomes approved', async () => {
    await page.getByRole('link', { name: 'Held deletions', exact: true }).click();
    await page.getByText('Released in the last 24 h: 0 of 20 group deletions, 0 of 1000 member removals.', { exact: false }).waitFor();
    expect(await firstCells(page)).toEqual(['Marketing', 'Old Projects']);
    await shoot(page, 'held');

    const approve = page.getByRole('button', { name: 'Approve: Marketing' });
    await approve.click();
    const dialog = page.getByRole('dialog', { name: 'Approve this held change?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(`The group deletion for “Marketing” (${GROUP.marketing}) is sent to Active Directory by the next round.`);
    await shoot(page, 'held-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await runtime.planner.held.get(tenantId, GROUP.marketing))?.held.approvedAt).toBeNull();

    await approve.click();
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approved the group deletion for “Marketing”: the next round sends it.').waitFor();
    expect((await runtime.planner.held.get(tenantId, GROUP.marketing))?.held.approvedAt).toEqual(expect.any(String));
    await page.locator('main tbody tr', { hasText: 'Marketing' }).getByText('Approved').waitFor();
    expect(await page.getByRole('button', { name: 'Approve: Marketing' }).count()).toBe(0);
  });

  it('works by keyboard alone: nav, visible focus, the dialog traps focus and closes on Escape, reject with Enter', async () => {
    await open(page, `${host.url}/api/ui/#token=${token()}`);
    await page.locator('main caption').getByText('58 groups').waitFor();
    expect((await focused(page)).label).toBe('Groups'); // the view's heading takes focus

    await tabTo(page, 'Held deletions', 'Shift+Tab');
    expect(await focused(page)).toMatchObject({ tag: 'A', ring: true });
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Reject: Old Projects' }).waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'H2', label: 'Held deletions' });

    await tabTo(page, 'Reject: Old Projects', 'Tab');
    expect(await focused(page)).toMatchObject({ tag: 'BUTTON', ring: true });
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Reject this held change?' }).waitFor();
    expect(await focused(page)).toMatchObject({ label: 'Cancel', inDialog: true, ring: true });
    const walk: string[] = [];
    for (const key of ['Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      const f = await focused(page);
      walk.push(`${f.label}${f.inDialog ? '' : ' (outside)'}`);
    }
    expect(walk).toEqual(['Reject', 'Cancel', 'Reject', 'Cancel']);

    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(await focused(page)).toMatchObject({ label: 'Reject: Old Projects' });
    expect(calls.rejected).toEqual([]);

    // At once again (the first dialog's queued close event must not answer this one), then confirm.
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Reject this held change?' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByText('Rejected the removal of 1500 members for “Old Projects”.').waitFor();
    expect(calls.rejected).toEqual([GROUP.projects]);
    expect(await runtime.planner.held.get(tenantId, GROUP.projects)).toBeNull();
    await page.locator('main tbody tr').filter({ hasText: 'Old Projects' }).waitFor({ state: 'detached' });
    expect(page.problems).toEqual([]);
  });

  it('a reader sees what is held but no approve or reject', async () => {
    await open(page, `${host.url}/api/ui/#token=${token(['Writeback.Read'])}`);
    await page.getByRole('link', { name: 'Held deletions', exact: true }).click();
    await page.getByText('Read-only: approving and rejecting need the Writeback.Admin role.').waitFor();
    expect(await page.locator('main button').count()).toBe(0);
    expect(await page.locator('#who').innerText()).toContain('Read-only');
    await page.close();
  });
});

describe('status page on a Function App signing in with Entra ID, without most of the admin API', () => {
  let host: LocalHost;
  let runtime: LocalRuntime;
  let authority: FakeEntra;

  beforeAll(async () => {
    authority = await startFakeEntra(entra.sim, ['Writeback.Admin']);
    host = await startLocalHost({
      runtime: async (hostUrl) =>
        (runtime = await createLocalRuntime({
          graphBaseUrl: entra.sim.baseUrl,
          tenantId,
          hostUrl,
          log: silentLogger(),
          settings: { ADMIN_AUTHORITY_HOST: authority.url, ADMIN_API_AUDIENCE: `${authority.clientId},api://${tenantId}/group-writeback-admin-test` },
        })),
      timers: false,
      queues: false,
      functions: [statusPageFunction, heldChangesFunction, approveHeldFunction],
    });
    authority.redirectUri = `${host.url}/api/ui/`;
  });
  afterAll(async () => {
    await host?.close();
    await runtime?.close();
    await authority?.close();
  });

  it('signs in with the authorization code flow and PKCE, then says "not available" for the routes it lacks', async () => {
    expect(await (await fetch(`${host.url}/api/ui/config.json`)).json()).toEqual({
      mode: 'entra',
      authority: authority.url,
      tenantId,
      clientId: authority.clientId,
      scope: `${authority.clientId}/.default`,
    });
    expect((await fetch(`${host.url}/api/ui/`)).headers.get('content-security-policy')).toContain(`connect-src 'self' ${authority.url};`);

    const page = await browser.newPage();
    await page.goto(`${host.url}/api/ui/#token=${token()}`);
    await page.getByText('A token in the address is only taken by the local dev sign-in.').waitFor();
    await page.goto(`${host.url}/api/ui/#/held`);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.getByText('Nothing is held.').waitFor();
    expect(await inPage(page, 'location.hash')).toBe('#/held'); // back where the admin started
    expect(await page.locator('#who').innerText()).toBe('Entra Admin (entra.admin@simtenant.onmicrosoft.com) · Admin');
    const [authorize, redeem] = authority.requests;
    expect(authorize?.params).toMatchObject({ response_mode: 'fragment', scope: `${authority.clientId}/.default`, code_challenge_method: 'S256' });
    expect(redeem?.endpoint).toBe('token');
    expect(redeem?.params['code_verifier']).toMatch(/^[A-Za-z0-9_-]{43}$/);

    for (const [link, text] of [
      ['Groups', 'The group list is not available on this Function App.'],
      ['Relays', 'Relay health is not available on this Function App.'],
      ['Settings', 'The settings view is not available on this Function App.'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByText(text).waitFor();
    }
    await shoot(page, 'not-available');
    expect(page.problems).toEqual([]);
    await page.close();
  });
});

describe('status page on the real admin routes (no stand-ins)', () => {
  it('lists a group the product recorded, opens its detail from Graph and the status, shows relays and settings', async () => {
    const groupId = '5a9e0000-0000-4000-8000-00000000e901';
    let runtime!: LocalRuntime;
    const host = await startLocalHost({
      runtime: async (hostUrl) => (runtime = await createLocalRuntime({ graphBaseUrl: entra.sim.baseUrl, tenantId, hostUrl, log: silentLogger() })),
      timers: false,
      queues: false,
      functions: functionDefinitions,
    });
    try {
      entra.sim.control.createGroup({ id: groupId, displayName: 'Real Finance', kind: 'security', writebackConfiguration: { isEnabled: true } });
      const at = new Date().toISOString();
      // Being written: the relay's last progress report of a big change set shows on the group's detail.
      const progress = { seq: 4, done: 120_000, total: 250_000, membersAdded: 120_000, membersRemoved: 0, perSecond: 2_000, stage: 'part 70 of 154', at };
      const status = { ...emptyStatus(tenantId, groupId, at), displayName: 'Real Finance', type: 'security' as const, adGroupType: 'universalSecurityGroup' as const, plannedMemberCount: 0, state: 'pending' as const, progress };
      expect(await runtime.statuses.write(status, null)).toBe(true);
      const page = await browser.newPage();
      await open(page, `${host.url}/api/ui/#token=${token()}`);
      await page.locator('main caption').getByText('1 group').waitFor();
      expect(await firstCells(page)).toEqual(['Real Finance']);
      expect(await readingProblems(page)).toEqual([]);
      await page.getByRole('link', { name: 'Real Finance' }).click();
      await page.locator('#view-title').getByText('Real Finance').waitFor();
      await page.getByText('Universal security').first().waitFor();
      await page.getByText(/^120,000 of about 250,000 \(2,000\/s\), part 70 of 154, reported /).waitFor();
      expect(await readingProblems(page)).toEqual([]);
      await shoot(page, 'real-routes-group-progress');
      await page.getByRole('link', { name: 'Relays', exact: true }).click();
      await page.locator('#view-title').getByText('Relays').waitFor();
      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.getByText('Deletion guard: group deletions per 24 h').waitFor();
      expect(await readingProblems(page)).toEqual([]);
      await shoot(page, 'real-routes-settings');
      expect(page.problems).toEqual([]);
      await page.close();
    } finally {
      await host.close();
      await runtime?.close();
    }
  });
});
