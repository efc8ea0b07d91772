/**
 * Two-party root access end to end in a real browser against the whole product (sim + workers + API + PGlite): a
 * partner viewer requests a root-access window, the distributor admin sees it pending on the overview and approves
 * it, root is then used on the payer (inside the window once, outside it once), a collection run judges both, and the
 * partner's drill-down shows request, decision and events as one trail. The reverse direction (an admin's request,
 * decided by the partner) is checked too.
 */
import { createLogger, type PayerEvidence, schema } from '@payerguard/core';
import { latestSnapshots } from '@payerguard/core/engine/score-run';
import { testQueuePrefix } from '@payerguard/core/testing/db';
import { consoleLogin } from '@payerguard/sim/estate/events';
import { Rng } from '@payerguard/sim/rand';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../harness/stack.js';
import { axe, type Browser, launch, newPage, screenshot, signIn, signOut } from './browser.js';

let stack: Stack;
let browser: Browser;
let partner: { id: string; name: string; payer: string; viewer: string };

beforeAll(async () => {
  stack = await startStack({
    partners: 6,
    seed: 11,
    port: 0,
    dataDir: 'memory://',
    waitForFirstRun: true,
    queuePrefix: testQueuePrefix(),
    logger: createLogger('warn'),
  });
  browser = await launch();
  // A partner whose payer the collector reaches, so its root events are read.
  const p = stack.sim.estate.payers.find((x) => x.profiles.includes('compliant'));
  if (!p) throw new Error('the estate has no compliant payer');
  const demo = (await (await fetch(`${stack.url}/api/auth/demo-logins`)).json()) as {
    logins: { email: string; partnerId: string | null; partnerName: string | null }[];
  };
  const v = demo.logins.find((l) => l.partnerId === p.partnerId);
  if (!v) throw new Error(`no demo viewer for ${p.partnerId}`);
  partner = { id: p.partnerId, name: v.partnerName ?? p.partnerId, payer: p.accountId, viewer: v.email };
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** The value a datetime-local input takes for a moment, in the browser's time zone (the test's). */
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const section = (page: Page) => page.getByRole('region', { name: /Root-access windows/ });

/** Root uses the payer as CloudTrail would record it: a console sign-in in the simulator's account. */
function rootSignIn(at: Date, mfaUsed: boolean) {
  const account = stack.sim.estate.account(partner.payer);
  if (!account) throw new Error('payer not in the estate');
  const e = consoleLogin(new Rng(at.getTime(), 'root-access-test'), { kind: 'root', accountId: partner.payer }, at, {
    mfaUsed,
    success: true,
  });
  account.events.unshift(e);
  account.events.sort((a, b) => b.eventTime.getTime() - a.eventTime.getTime());
  return e.eventId;
}

describe('two-party root access in the dashboard', () => {
  let windowId = '';

  it('a partner viewer requests a window for its payer and sees it pending, with no way to approve it', async () => {
    const page = await newPage(browser);
    await signIn(page, stack.url, partner.viewer);
    await page.getByRole('heading', { level: 1, name: partner.name }).waitFor();
    const s = section(page);
    await s.getByRole('button', { name: 'Request a root-access window…' }).click();
    const form = page.getByRole('form', { name: 'Request a root-access window' });
    // A request without a reason is refused in the form, and nothing is sent.
    await form.getByLabel('Why root is needed').fill('');
    await form.getByRole('button', { name: 'Send request' }).click();
    await form.getByText(/Say why root is needed/).waitFor();
    const now = new Date();
    await form.getByLabel('Why root is needed').fill('CHG-5521: change the support plan to Business');
    await form.getByLabel('From').fill(localInput(now));
    await form.getByLabel(/^Until/).fill(localInput(new Date(now.getTime() + 2 * 3_600_000)));
    await form.getByRole('button', { name: 'Send request' }).click();
    const row = s.locator('tbody tr', { hasText: 'CHG-5521' });
    await row.waitFor();
    expect(await row.innerText()).toContain('Pending');
    expect(await row.innerText()).toContain('waiting for the distributor');
    expect(await row.getByRole('button', { name: /Approve/ }).count()).toBe(0);
    windowId = (await row.getAttribute('data-window')) ?? '';
    expect(windowId).toMatch(/^rw_/);
    // The server refuses the requester too, not only the screen.
    const self = (await page.evaluate(async (id) => {
      const me = (await (await fetch('/api/me')).json()) as { csrfToken?: string };
      const r = await fetch(`/api/root-access-windows/${id}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken ?? '' },
        body: '{}',
      });
      return { status: r.status, body: await r.text() };
    }, windowId)) as { status: number; body: string };
    expect(self.body).toMatch(/you requested this window/);
    expect(self.status).toBe(403);
    expect(await axe(page)).toEqual([]);
    await screenshot(page, 'root-access-viewer-requested');
    expect(page.problems.filter((p) => !/403/.test(p))).toEqual([]);
    await page.close();
  });

  it('the distributor admin sees it pending on the overview and approves it', async () => {
    const page = await newPage(browser);
    await signIn(page, stack.url, 'admin@demo.local');
    await page.waitForURL(/#\/overview$/);
    const inbox = page.getByRole('region', { name: /Root-access requests waiting for the distributor/ });
    await inbox.waitFor();
    const row = inbox.locator(`tr[data-window="${windowId}"]`);
    expect(await row.innerText()).toContain('CHG-5521');
    expect(await row.innerText()).toContain(partner.viewer);
    await screenshot(page, 'root-access-admin-pending');
    await row.getByRole('button', { name: /Approve/ }).click();
    await inbox.waitFor({ state: 'detached' });
    const [w] = await stack.database.db
      .select()
      .from(schema.rootAccessWindows)
      .where(eq(schema.rootAccessWindows.id, windowId));
    expect(w).toMatchObject({ state: 'approved', decidedBy: 'admin@demo.local', requestedBy: partner.viewer });
    const log = await stack.database.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.target, windowId)));
    expect(log.map((l) => [l.action, l.actor]).sort()).toEqual([
      ['root-window.approve', 'admin@demo.local'],
      ['root-window.request', partner.viewer],
    ]);
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('root used inside the window is expected, outside it a critical violation: the trail shows both', async () => {
    const [w] = await stack.database.db
      .select()
      .from(schema.rootAccessWindows)
      .where(eq(schema.rootAccessWindows.id, windowId));
    const inside = rootSignIn(new Date(Math.max(Date.now(), w!.decidedAt!.getTime() + 1000)), true);
    const outside = rootSignIn(new Date(Date.now() - 3 * 3_600_000), false);

    const page = await newPage(browser);
    await signIn(page, stack.url, 'admin@demo.local');
    await page.goto(`${stack.url}/#/runs`);
    await page.getByRole('button', { name: 'Start a run' }).click();
    await page.waitForURL(/#\/runs\/.+/);
    await page
      .locator('.run-panel .run-status')
      .getByText(/Completed/)
      .waitFor({ timeout: 180_000 });

    // The payer job stored the approved window with the evidence it judged.
    const [snap] = await latestSnapshots(stack.database.db, { partnerIds: [partner.id] });
    const [ev] = await stack.database.db
      .select({ data: schema.evidence.data })
      .from(schema.evidence)
      .where(and(eq(schema.evidence.runId, snap!.runId), eq(schema.evidence.payerAccountId, partner.payer)));
    const stored = (ev?.data as PayerEvidence | undefined)?.rootAccessWindows;
    expect(stored?.status === 'ok' && stored.data.map((x) => x.id)).toEqual([windowId]);

    await page.goto(`${stack.url}/#/partners/${encodeURIComponent(partner.id)}`);
    await page.getByRole('heading', { level: 1, name: partner.name }).waitFor();
    const s = section(page);
    const row = s.locator(`tr[data-window="${windowId}"]`);
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('Approved');
    expect(text).toContain('admin@demo.local');
    expect(text).toContain('ConsoleLogin');
    const violations = s.locator('.findings li');
    expect(await violations.count()).toBe(1);
    expect(await violations.first().innerText()).toMatch(/without MFA/);
    expect(await violations.first().innerText()).toMatch(/critical/i);
    // The control itself fails, critically, on the one event outside.
    const control = page.locator('#control-ROOT-ACTIVITY-IN-WINDOW');
    await control.waitFor();
    expect(await control.getAttribute('class')).toContain('control-fail');
    const findings = await stack.database.db
      .select()
      .from(schema.findings)
      .where(
        and(
          eq(schema.findings.payerAccountId, partner.payer),
          eq(schema.findings.controlId, 'ROOT-ACTIVITY-IN-WINDOW'),
        ),
      );
    const latest = findings.filter((f) => f.runId === snap?.runId);
    expect(latest.find((f) => f.resource === outside)).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(JSON.stringify(latest.find((f) => f.status === 'pass')?.evidence)).toContain(inside);
    expect(await axe(page)).toEqual([]);
    await screenshot(page, 'root-access-partner-trail');
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it("an admin's request is decided by the partner's viewer, who can reject it", async () => {
    const page = await newPage(browser);
    await signIn(page, stack.url, 'admin@demo.local');
    await page.goto(`${stack.url}/#/partners/${encodeURIComponent(partner.id)}`);
    const s = section(page);
    await s.getByRole('button', { name: 'Request a root-access window…' }).click();
    const form = page.getByRole('form', { name: 'Request a root-access window' });
    await form.getByLabel('Why root is needed').fill('DIST-77: close the suspended member account');
    await form.getByRole('button', { name: 'Send request' }).click();
    const mine = s.locator('tbody tr', { hasText: 'DIST-77' });
    await mine.waitFor();
    expect(await mine.innerText()).toContain('waiting for the partner');
    expect(await mine.getByRole('button', { name: /Approve/ }).count()).toBe(0);

    await signOut(page);
    await signIn(page, stack.url, partner.viewer);
    const row = section(page).locator('tbody tr', { hasText: 'DIST-77' });
    await row.waitFor();
    await row.getByRole('button', { name: /Reject/ }).click();
    await row.getByText('Rejected').waitFor();
    expect(await row.innerText()).toContain(partner.viewer);
    await screenshot(page, 'root-access-viewer-rejected');
    expect(page.problems).toEqual([]);
    await page.close();
  });
});
