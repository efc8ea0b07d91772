/**
 * The dashboard end to end in a real browser against the whole product (sim + workers + API + PGlite), as each role:
 * overview -> partner -> finding -> suppress, a run followed live to the end, an export downloaded, axe on every
 * main page, and screenshots of each under test/artifacts/.
 */
import { readFileSync } from 'node:fs';
import { createLogger } from '@payerguard/core';
import { testQueuePrefix } from '@payerguard/core/testing/db';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../harness/stack.js';
import { axe, type Browser, launch, newPage, screenshot, signedOut, signIn, signOut } from './browser.js';

let stack: Stack;
let browser: Browser;
let viewer: { email: string; partnerId: string; partnerName: string };

beforeAll(async () => {
  stack = await startStack({
    partners: 12,
    seed: 7,
    port: 0,
    dataDir: 'memory://',
    waitForFirstRun: true,
    queuePrefix: testQueuePrefix(),
    logger: createLogger('warn'),
  });
  browser = await launch();
  const demo = (await (await fetch(`${stack.url}/api/auth/demo-logins`)).json()) as {
    logins: { email: string; role: string; partnerId: string | null; partnerName: string | null }[];
  };
  const v = demo.logins.find((l) => l.role === 'partner_viewer' && l.partnerId);
  if (!v?.partnerId) throw new Error('the demo has no partner viewer login');
  viewer = { email: v.email, partnerId: v.partnerId, partnerName: v.partnerName ?? v.partnerId };
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const hash = (page: Page) => new URL(page.url()).hash;
/** How far the page scrolls sideways (0 when nothing is wider than the window). */
const OVERFLOW = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';

describe('distributor admin', () => {
  it('sees the overview, drills into a partner and a failing finding, suppresses it and takes it back', async () => {
    const page = await newPage(browser);
    await signIn(page, stack.url, 'admin@demo.local');
    await page.waitForURL(/#\/overview$/);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const stats = page.getByRole('region', { name: 'Headline figures' });
    for (const label of ['Partners', 'Compliant', 'Average score', 'Spend at risk', 'Lockouts'])
      await stats.getByText(label, { exact: true }).waitFor();
    expect(await stats.locator('.stat').first().locator('.stat-value').innerText()).toBe('12');
    // The ranked table lists every partner of the estate.
    await page.getByText('12 partners').waitFor();
    const table = page.getByRole('region', { name: 'Partners, ranked worst first' });
    expect(await table.locator('tbody tr[data-index]').count()).toBe(12);
    // Search narrows the table.
    const firstName = (await table.locator('tbody tr[data-index] td.col-name a').first().innerText()).split('\n')[0]!;
    await page.getByLabel('Search partners').fill(firstName);
    await page.getByText(/^1 of 12 partners$|^\d+ of 12 partners$/).waitFor();
    await page.getByLabel('Search partners').fill('');
    // Sorting by name puts the alphabetically first partner on top.
    await page.getByRole('button', { name: /^Partner/ }).click();
    // The server sorts: wait for its answer in the new order (the old rows stay on screen, marked busy, meanwhile).
    await table.locator('table[aria-busy="false"]:has(th.col-name[aria-sort="ascending"])').waitFor();
    const names = await table
      .locator('tbody tr[data-index] td.col-name a')
      .evaluateAll((as) => as.map((a) => a.firstChild?.textContent ?? ''));
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    // The heatmap shows controls that fail.
    await page.getByRole('region', { name: 'Failing controls by partner' }).waitFor();
    await screenshot(page, 'overview-admin');

    // Drill into the worst-ranked partner that is not locked out (its controls can be seen, and some fail).
    await page.getByRole('button', { name: /^Rank/ }).click();
    await table.locator('table[aria-busy="false"]:has(th.col-rank[aria-sort="ascending"])').waitFor();
    expect(await table.locator('tbody tr[data-index] td.col-rank').first().innerText()).toBe('1');
    const worst = table
      .locator('tbody tr[data-index]')
      .filter({ hasNotText: 'Locked out' })
      .first()
      .locator('td.col-name a');
    const partnerName = (await worst.innerText()).split('\n')[0]!;
    await worst.click();
    await page.waitForURL(/#\/partners\//);
    await page.getByRole('heading', { level: 1, name: partnerName }).waitFor();
    await page.getByRole('heading', { name: 'Controls' }).waitFor();
    await screenshot(page, 'partner-admin');

    // Open the first failing control: it shows its message, evidence and how to fix it.
    const control = page.locator('li.control-fail').first();
    await control.locator(':scope > details > summary').click();
    await control.getByText('How to fix').waitFor();
    const controlId = await control.locator(':scope > details > summary code').innerText();
    await control.getByRole('button', { name: 'Suppress…' }).click();
    // A suppression without reason is refused in the form, and nothing is sent.
    await control.getByRole('button', { name: 'Suppress', exact: true }).click();
    await control.getByText(/Give a reason/).waitFor();
    await control.getByLabel('Reason').fill('Partner migrating to the hardware key programme, ticket CHG-1234');
    await control.getByRole('button', { name: 'Suppress', exact: true }).click();
    const note = control.locator('.suppression-note');
    await note.waitFor();
    expect(await note.innerText()).toContain('CHG-1234');
    // The approver is the signed-in admin, never a typed name.
    expect(await note.innerText()).toContain('admin@demo.local');

    // It is stored: a reload still shows it, and the API lists it.
    await page.reload();
    await page.locator(`#control-${controlId} > details > summary`).click();
    await page.locator(`#control-${controlId} .suppression-note`).waitFor();
    const partnerId = decodeURIComponent(hash(page).split('/')[2]!);
    const listed = await page.evaluate(
      async (id) =>
        (await (await fetch(`/api/suppressions?partnerId=${id}`)).json()) as {
          suppressions: { controlId: string; reason: string }[];
        },
      partnerId,
    );
    expect(listed.suppressions.some((s) => s.controlId === controlId && s.reason.includes('CHG-1234'))).toBe(true);

    await page.locator(`#control-${controlId}`).getByRole('button', { name: 'Unsuppress' }).click();
    await page.locator(`#control-${controlId} .suppression-note`).waitFor({ state: 'detached' });
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('starts a run and follows it live until it completes', async () => {
    const page = await newPage(browser);
    await signIn(page, stack.url, 'admin@demo.local');
    await page.goto(`${stack.url}/#/runs`);
    await page.getByRole('heading', { name: 'Collection runs' }).waitFor();
    const streams: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/events')) streams.push(r.url());
    });
    await page.getByRole('button', { name: 'Start a run' }).click();
    await page.waitForURL(/#\/runs\/.+/);
    const runId = decodeURIComponent(hash(page).split('/')[2]!);
    const panel = page.locator('.run-panel');
    await panel.getByText(runId).waitFor();
    await panel
      .locator('.run-status')
      .getByText(/Completed/)
      .waitFor({ timeout: 120_000 });
    // The figures on screen are the run's own.
    const run = await page.evaluate(
      async (id) =>
        (
          (await (await fetch(`/api/runs/${id}`)).json()) as {
            run: { total: number; collected: number; failed: number };
          }
        ).run,
      runId,
    );
    // 12 partners, some with more than one payer.
    expect(run.total).toBeGreaterThanOrEqual(12);
    expect(await panel.locator('.run-status').innerText()).toContain(
      `${run.collected + run.failed} of ${run.total} payers done`,
    );
    expect(await panel.locator('progress').getAttribute('value')).toBe(String(run.collected + run.failed));
    // Progress came over server-sent events for this run, not only from polling.
    expect(streams.some((u) => u.endsWith(`/api/runs/${runId}/events`))).toBe(true);
    await screenshot(page, 'runs-admin');
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('the overview shows a run under way with its progress, and the new figures once it ends', async () => {
    const page = await newPage(browser);
    await signIn(page, stack.url, 'admin@demo.local');
    // Every payer's first call answers slowly, so the run is still working when the overview is opened.
    const slow = stack.sim.faults.add({ api: 'sts:AssumeRole', kind: 'latency', ms: 4000 });
    try {
      await page.goto(`${stack.url}/#/runs`);
      await page.getByRole('button', { name: 'Start a run' }).click();
      await page.waitForURL(/#\/runs\/.+/);
      const runId = decodeURIComponent(hash(page).split('/')[2]!);
      await page.goto(`${stack.url}/#/overview`);
      const banner = page.getByRole('region', { name: 'A collection run is under way' });
      await banner.getByText(/payers done|Queued/).waitFor();
      expect(await banner.getByRole('progressbar', { name: 'Collection run progress' }).count()).toBe(1);
      expect(await banner.getByRole('link', { name: 'Follow the run' }).getAttribute('href')).toBe(
        `#/runs/${encodeURIComponent(runId)}`,
      );
      await screenshot(page, 'overview-run-underway');
      // When it ends the banner goes and the page shows the figures of that run, without a reload.
      await banner.waitFor({ state: 'detached', timeout: 120_000 });
      await page
        .locator('.page-head')
        .getByRole('link', { name: 'run details' })
        .and(page.locator(`[href="#/runs/${encodeURIComponent(runId)}"]`))
        .waitFor({ timeout: 30_000 });
    } finally {
      stack.sim.faults.remove(slow.id);
    }
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('creates an export and downloads it', async () => {
    const page = await newPage(browser);
    await signIn(page, stack.url, 'admin@demo.local');
    await page.goto(`${stack.url}/#/exports`);
    await page.getByRole('heading', { name: 'Exports', level: 1 }).waitFor();
    await page.getByLabel('Format').first().selectOption('csv');
    await page.getByRole('button', { name: 'Create export' }).click();
    const link = page.getByRole('link', { name: /^Download/ }).first();
    await link.waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = await download.path();
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').length).toBeGreaterThan(2);
    expect(text.toLowerCase()).toContain('partner');

    // A schedule in a time zone with a webhook: its signing secret is shown once, then never again.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.url });
    const form = page.getByRole('form', { name: 'Add a schedule' });
    await form.getByLabel('Name', { exact: true }).fill('Weekly Berlin pack');
    await form.getByLabel('Cron', { exact: true }).fill('0 6 * * 1');
    await form.getByLabel('Time zone').selectOption('Europe/Berlin');
    await form.getByLabel('By grade or failing control').check();
    await form.getByLabel('D', { exact: true }).check();
    await form.getByLabel('F', { exact: true }).check();
    await form.getByLabel('Webhook URL').fill('https://hooks.example.com/payerguard');
    await form.getByRole('button', { name: 'Add schedule' }).click();
    const box = page.getByRole('region', { name: /Webhook signing secret for .Weekly Berlin pack./ });
    await box.waitFor();
    await expect.poll(() => box.innerText()).toContain('it will not be shown again');
    const secret = (await box.getByTestId('webhook-secret').innerText()).trim();
    expect(secret).toMatch(/^whsec_\S{16,}$/);
    await box.getByRole('button', { name: 'Copy secret' }).click();
    await box.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(secret);
    const row = page.getByRole('row').filter({ hasText: 'Weekly Berlin pack' });
    await row.waitFor();
    const rowText = await row.innerText();
    expect(rowText).toContain('Europe/Berlin');
    expect(rowText).toMatch(/next .*(CET|CEST|GMT\+[12])/);
    expect(rowText).toContain('https://hooks.example.com/payerguard');
    expect(rowText).toContain('grade D or F');
    await screenshot(page, 'exports-admin');
    await box.getByRole('button', { name: 'I have stored it' }).click();
    await box.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('heading', { name: 'Schedules' }).waitFor();
    await row.waitFor();
    expect(await page.getByRole('region', { name: /Webhook signing secret/ }).count()).toBe(0);
    expect(await page.evaluate<string>('document.body.innerText')).not.toContain(secret);
    const listed = await page.evaluate<string>("fetch('/api/export-schedules').then((r) => r.text())");
    expect(listed).toContain('"hasWebhookSecret":true');
    expect(listed).not.toContain(secret);

    // Pausing and resuming keeps every other setting (PUT replaces the whole schedule).
    const toggle = page.getByRole('switch', { name: /Weekly Berlin pack/ });
    await toggle.click();
    await expect.poll(() => row.innerText()).toContain('paused');
    await toggle.click();
    await expect.poll(() => row.innerText()).toMatch(/next /);
    const after = JSON.parse(await page.evaluate<string>("fetch('/api/export-schedules').then((r) => r.text())")) as {
      schedules: { name: string; timezone: string; enabled: boolean; delivery: { webhook?: { url: string } } }[];
    };
    const saved = after.schedules.find((s) => s.name === 'Weekly Berlin pack');
    expect(saved).toMatchObject({ timezone: 'Europe/Berlin', enabled: true });
    expect(saved?.delivery.webhook?.url).toBe('https://hooks.example.com/payerguard');

    // Rotating shows the new secret once, and it is a different one.
    await row.getByRole('button', { name: /^New secret/ }).click();
    await row.getByRole('button', { name: /^Replace secret/ }).click();
    await box.waitFor();
    const rotated = (await box.getByTestId('webhook-secret').innerText()).trim();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await box.getByRole('button', { name: 'I have stored it' }).click();
    await box.waitFor({ state: 'detached' });

    // Readable at 400 px: nothing scrolls sideways.
    await page.setViewportSize({ width: 400, height: 860 });
    await page.getByRole('heading', { name: 'Past exports' }).waitFor();
    expect(await page.evaluate<number>(OVERFLOW), 'exports scrolls sideways at 400 px').toBeLessThanOrEqual(0);
    await screenshot(page, 'exports-narrow');
    expect(page.problems).toEqual([]);
    await page.close();
  });
});

describe('analyst and partner viewer', () => {
  it('an analyst sees every partner but no admin pages', async () => {
    const page = await newPage(browser);
    await signIn(page, stack.url, 'analyst@demo.local');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Overview', 'Runs', 'Exports']);
    await page.getByText('12 partners').waitFor();
    await page.goto(`${stack.url}/#/admin`);
    await page.waitForURL(/#\/overview$/);
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('a partner viewer lands on its own partner and reaches nothing else', async () => {
    const page = await newPage(browser);
    await signIn(page, stack.url, viewer.email);
    await page.waitForURL(new RegExp(`#/partners/${viewer.partnerId}$`));
    await page.getByRole('heading', { level: 1, name: viewer.partnerName }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['My partner', 'Exports']);
    // No suppress action for a viewer, and no breadcrumb back to the estate.
    expect(await page.getByRole('button', { name: 'Suppress…' }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Breadcrumb' }).count()).toBe(0);
    await screenshot(page, 'partner-viewer');
    for (const elsewhere of ['#/overview', '#/runs', '#/admin', '#/audit', '#/partners/someone-else']) {
      await page.goto(`${stack.url}/${elsewhere}`);
      await page.waitForURL(new RegExp(`#/partners/${viewer.partnerId}$`));
    }
    await signOut(page);
    await page.close();
  });
});

describe('accessibility and narrow windows', () => {
  const pages: { name: string; path: string; ready: string }[] = [
    { name: 'overview', path: '#/overview', ready: 'Partners, worst first' },
    { name: 'runs', path: '#/runs', ready: 'Recent runs' },
    { name: 'exports', path: '#/exports', ready: 'Past exports' },
    { name: 'admin-partners', path: '#/admin/partners', ready: 'Onboard a partner' },
    { name: 'admin-settings', path: '#/admin/settings', ready: 'Distributor settings' },
    { name: 'admin-users', path: '#/admin/users', ready: 'API tokens' },
    { name: 'audit', path: '#/audit', ready: 'Audit log' },
  ];

  it('the login page has no axe violations', async () => {
    const page = await newPage(browser);
    await signedOut(page, stack.url);
    await page.getByRole('heading', { name: 'Demo logins' }).waitFor();
    await screenshot(page, 'login');
    expect(await axe(page)).toEqual([]);
    await page.close();
  });

  it('every main page has no axe violations, and reads at 400 px', async () => {
    const page = await newPage(browser);
    await signIn(page, stack.url, 'admin@demo.local');
    const found: Record<string, string[]> = {};
    for (const p of pages) {
      await page.goto(`${stack.url}/${p.path}`);
      await page.getByRole('heading', { name: p.ready }).first().waitFor();
      await page.waitForLoadState('networkidle');
      found[p.name] = await axe(page);
    }
    // The partner drill-down with a control opened, its evidence shown.
    await page.goto(`${stack.url}/#/partners/${viewer.partnerId}`);
    await page.getByRole('heading', { name: 'Controls' }).waitFor();
    await page.locator('li.control > details > summary').first().click();
    found.partner = await axe(page);
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));

    await page.setViewportSize({ width: 400, height: 860 });
    for (const p of [{ name: 'overview', path: '#/overview', ready: 'Partners, worst first' }, ...pages.slice(1, 2)]) {
      await page.goto(`${stack.url}/${p.path}`);
      await page.getByRole('heading', { name: p.ready }).first().waitFor();
      await page.waitForLoadState('networkidle');
      // Nothing wider than the window: the page does not scroll sideways.
      const overflow = await page.evaluate<number>(OVERFLOW);
      expect(overflow, `${p.name} scrolls sideways at 400 px`).toBeLessThanOrEqual(0);
      await screenshot(page, `${p.name}-narrow`);
    }
    await page.goto(`${stack.url}/#/partners/${viewer.partnerId}`);
    await page.getByRole('heading', { name: 'Controls' }).waitFor();
    expect(await page.evaluate<number>(OVERFLOW)).toBeLessThanOrEqual(0);
    await screenshot(page, 'partner-narrow');
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('the sign-in form and the main navigation work from the keyboard alone', async () => {
    const page = await newPage(browser);
    await signedOut(page, stack.url);
    await page.getByLabel('Email').focus();
    await page.keyboard.type('analyst@demo.local');
    await page.keyboard.press('Tab');
    await page.keyboard.type('demo');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // After sign-in focus sits on the new page's content; on a fresh load, Tab from the top reaches the skip link
    // first, then the brand and the navigation.
    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.textContent ?? ""')).toBe('Skip to content');
    let reached = '';
    for (let i = 0; i < 6 && reached !== 'Runs'; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate<string>('document.activeElement?.textContent ?? ""')) ?? '';
    }
    expect(reached).toBe('Runs');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/runs$/);
    await page.getByRole('heading', { name: 'Collection runs' }).waitFor();
    await page.close();
  });
});
