/**
 * A locked-out payer in a real browser: nothing about it could be read, so its partner page says "not known" where
 * an empty list would otherwise read as "none" (no escalation paths, no root activity), and names the unknown control.
 */
import { createLogger } from '@payerguard/core';
import { testQueuePrefix } from '@payerguard/core/testing/db';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Stack, startStack } from '../harness/stack.js';
import { type Browser, launch, newPage, screenshot, signIn } from './browser.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  // 22 partners: the first ones of an estate cover every profile once, 'lockout' among them (sim/src/profiles.ts).
  stack = await startStack({
    partners: 22,
    seed: 7,
    port: 0,
    dataDir: 'memory://',
    waitForFirstRun: true,
    queuePrefix: testQueuePrefix(),
    logger: createLogger('warn'),
  });
  browser = await launch();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

it('a locked-out partner: escalation paths and root activity are not known, not none', async () => {
  const payer = stack.sim.estate.payers.find((x) => x.profiles.includes('lockout'));
  if (!payer) throw new Error('the estate has no locked-out payer');
  const page = await newPage(browser);
  await signIn(page, stack.url, 'admin@demo.local');
  await page.goto(`${stack.url}/#/partners/${encodeURIComponent(payer.partnerId)}`);
  await page.getByText('The distributor is locked out of this payer account.').waitFor();

  const paths = page.getByRole('region', { name: /Open escalation paths/ });
  await paths.getByText(/^Not known:/).waitFor();
  expect(await paths.innerText()).toContain('BOUNDARY-EFFECTIVENESS');
  expect(await paths.getByText(/No open way found/).count()).toBe(0);
  // No count in the heading either: "(0)" would say none were found.
  expect(await paths.getByRole('heading', { level: 2 }).innerText()).toBe('Open escalation paths');

  const root = page.getByRole('region', { name: /Root activity/ });
  await root.getByText(/^Not known:/).waitFor();
  expect(await root.innerText()).toContain('ROOT-ACTIVITY-ROOT-ONLY-TASKS');
  expect(await root.getByText(/No root activity in the look-back window/).count()).toBe(0);
  expect(await root.getByRole('heading', { level: 2 }).innerText()).toBe('Root activity');

  await screenshot(page, 'partner-locked-out');
  expect(page.problems).toEqual([]);
  await page.close();
});
