/**
 * Browser plumbing for the dashboard tests: Debian's chromium driven by playwright-core (never a downloaded browser),
 * a fresh profile per launch, axe-core injected from node_modules, screenshots under test/artifacts/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const artifacts = resolve(dirname(fileURLToPath(import.meta.url)), '../../artifacts');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launch(opts: { acceptDownloads?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'payerguard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: opts.acceptDownloads ?? true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page whose console errors and failed same-origin requests are collected, so a test can assert there were none. */
export async function newPage(b: Browser): Promise<Page & { problems: string[] }> {
  const page = (await b.context.newPage()) as Page & { problems: string[] };
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A 401 is how the app learns nobody is signed in yet: expected, not a problem.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) page.problems.push(`console error: ${m.text()}`);
  });
  return page;
}

export async function signIn(page: Page, url: string, email: string, password = 'demo'): Promise<void> {
  // One browser profile serves every test: start each sign-in from no session at all.
  await page.context().clearCookies();
  await page.goto(`${url}/#/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function signedOut(page: Page, url: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${url}/#/login`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe on the page as it is now (WCAG 2.x A/AA rules) and returns its violations in a readable form. */
export async function axe(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the app's CSP (rightly) refuses inline script tags. Strings, not
  // functions, so this Node-side code needs no DOM types.
  if (!(await page.evaluate("'axe' in window"))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }).then((r) => r.violations)`,
  )) as AxeViolation[];
  return violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} at ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join(' | ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`,
  );
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifacts, { recursive: true });
  const file = join(artifacts, `${name}.png`);
  // Charts are lazy chunks: let them arrive before the picture is taken.
  await page.waitForLoadState('networkidle');
  await page.locator('.state[role="status"]').first().waitFor({ state: 'detached', timeout: 10_000 });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
