/**
 * Onboarding end to end in a real browser against the whole product (sim + workers + API + PGlite): an admin adds a
 * partner, gets its ExternalId and the deploy kit's commands with the parameters filled in, the partner "deploys"
 * the collector role with what the screen shows (in the simulator), access is checked (failing before, working after),
 * a first collection runs and its findings appear. Screenshots under test/artifacts/onboarding-*.png.
 */
import { createLogger } from '@payerguard/core';
import { testQueuePrefix } from '@payerguard/core/testing/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../harness/stack.js';
import { axe, type Browser, launch, newPage, screenshot, signIn } from './browser.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({
    partners: 3,
    seed: 23,
    port: 0,
    dataDir: 'memory://',
    firstRun: false,
    queuePrefix: testQueuePrefix(),
    logger: createLogger('warn'),
  });
  browser = await launch();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const PAYER = '299900000017';

describe('onboarding a partner', () => {
  it('add -> ExternalId and filled-in commands -> deploy -> check access -> first findings', async () => {
    const page = await newPage(browser);
    await signIn(page, stack.url, 'admin@demo.local');
    await page.goto(`${stack.url}/#/admin/partners`);
    await page.getByRole('heading', { name: 'Onboard a partner' }).waitFor();

    // A bad account id is refused on the form, nothing is added.
    await page.getByLabel('Partner id').fill('acme-onboarded');
    await page.getByLabel('Name').fill('Acme Onboarded Ltd');
    await page.getByLabel('Payer account id').fill('12345');
    await page.getByRole('button', { name: 'Add partner' }).click();
    await page.getByText('The payer account id is 12 digits.').waitFor();

    await page.getByLabel('Payer account id').fill(PAYER);
    await page.getByRole('button', { name: 'Add partner' }).click();
    await page.getByText('Acme Onboarded Ltd', { exact: true }).first().waitFor();

    // The ExternalId, and the commands with every parameter filled in for this payer.
    const externalId = (await page.getByTestId(`external-id-${PAYER}`).innerText()).trim();
    expect(externalId).toMatch(/^pg-[\w-]{20,}$/);
    const createStack = await page.getByTestId(`create-stack-collector-role.yaml-${PAYER}`).innerText();
    expect(createStack).toContain('aws cloudformation create-stack');
    expect(createStack).toContain('--template-body file://deploy/collector-role.yaml');
    expect(createStack).toContain(`'ParameterKey=ExternalId,ParameterValue=${externalId}'`);
    expect(createStack).toMatch(/'ParameterKey=HubPrincipalArn,ParameterValue=arn:aws:iam::111111111111:[^']+'/);
    expect(createStack).toContain("'ParameterKey=RoleName,ParameterValue=PayerGuardCollector'");
    const stackSet = await page.getByTestId(`stack-set-collector-role.yaml-${PAYER}`).innerText();
    expect(stackSet).toContain(`--accounts ${PAYER}`);
    expect(stackSet).toContain(`'ParameterKey=ExternalId,ParameterValue=${externalId}'`);
    await page.getByText('Permissions boundary for partner administrators').click();
    const boundary = await page.getByTestId(`create-stack-permissions-boundary.yaml-${PAYER}`).innerText();
    expect(boundary).toContain("'ParameterKey=DistributorBuckets,ParameterValue=distributor-billing-files'");
    expect(await axe(page)).toEqual([]);
    await screenshot(page, 'onboarding-commands');

    // Before the role is deployed the distributor cannot get in, and the screen says why.
    await page.getByRole('button', { name: 'Check access', exact: true }).click();
    await page
      .getByText(/AccessDenied/)
      .first()
      .waitFor();

    // The partner deploys the collector role with the ExternalId the screen showed (the simulator's stand-in for
    // CloudFormation; its URL and body are on the screen in demo mode).
    const simDeploy = await page.getByTestId(`sim-deploy-${PAYER}`).innerText();
    expect(simDeploy).toContain(`${stack.sim.url}/_sim/deploy/collector-role`);
    expect(simDeploy).toContain(externalId);
    const deployed = await fetch(`${stack.sim.url}/_sim/deploy/collector-role`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: PAYER, externalId }),
    });
    expect(deployed.status).toBe(201);

    await page.getByRole('button', { name: 'Check access', exact: true }).click();
    await page.getByText(/access works/).waitFor();
    await screenshot(page, 'onboarding-access');

    // The first collection, for this partner only, and its findings.
    await page.getByRole('button', { name: 'Collect now' }).click();
    await page.getByRole('heading', { name: 'First findings' }).waitFor({ timeout: 120_000 });
    const counts = await page.getByTestId('first-findings-counts').innerText();
    const [pass] = /(\d+) pass/.exec(counts)?.slice(1).map(Number) ?? [0];
    expect(pass).toBeGreaterThan(5);
    await page.getByText(/1 of 1 payers collected/).waitFor();
    expect(await axe(page)).toEqual([]);
    await screenshot(page, 'onboarding-first-findings');

    await page.getByRole('link', { name: 'Open the drill-down' }).click();
    await page.getByRole('heading', { name: /Acme Onboarded Ltd/ }).waitFor();
    expect(page.problems.filter((p) => !/status of (403|409)/.test(p))).toEqual([]);
  }, 240_000);
});
