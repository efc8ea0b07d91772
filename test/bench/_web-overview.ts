/**
 * The dashboard's overview in headless Chromium, timed from navigation to the moment a reader has it, with the page's
 * own time told apart from the time it waited on the API. Used by `npm run bench api` (the `web-overview` line) and
 * runnable alone against any running API:
 *   node --import tsx test/bench/_web-overview.ts URL EMAIL PASSWORD [SAMPLES]
 *
 * The moment ("visible"): the headline totals are on screen, the partner table shows the estate's partner count, and
 * every table row in view is a partner from the first page of 100 (none still "Loading…"); measured in the page, after
 * the frame that paints it, from the navigation's start (performance.timeOrigin). The table is virtualized, so "the
 * first 100 rows" are fetched and those in view are in the DOM.
 *
 * Figures per load (the line reports medians over the samples, and the median load's detail):
 *   visibleMs     navigation start to the moment;
 *   apiWaitMs     how long, before the moment, the page had a request in flight that the moment needed (GET /api/me
 *                 and the first overview page): the union of their intervals, so waits that overlap count once;
 *   webOverviewMs visibleMs - apiWaitMs: the page's own part (document, scripts, rendering, and any request it chained);
 *   documentMs    the HTML's responseEnd; scriptsMs / scriptBytes: JavaScript loaded before the moment (the last such
 *                 chunk's responseEnd, and their decoded bytes); longTasks: main-thread tasks over 50 ms that started before it;
 *   api           each /api request the page started before the moment: path, start, duration (loopback, so about the
 *                 server's own time), and whether the moment waited on it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifacts, launch } from '../src/browser/browser.js';

export interface ApiTiming {
  path: string;
  startMs: number;
  ms: number;
  critical: boolean;
}

export interface OverviewLoad {
  visibleMs: number;
  apiWaitMs: number;
  webOverviewMs: number;
  documentMs: number;
  scriptsMs: number;
  scriptBytes: number;
  longTasks: number[];
  api: ApiTiming[];
}

/**
 * Installed before any of the page's scripts run: every frame, is the overview "visible" (see above)? The first frame
 * it is, a task queued from requestAnimationFrame records the time after that frame has painted. Also collects long
 * tasks. In the page itself (an init script), as the app's CSP rightly refuses eval. A string so this Node-side file
 * needs no DOM types.
 */
const WATCH = `(() => {
  window.__longTasks = [];
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push({ start: e.startTime, ms: Math.round(e.duration) }); })
      .observe({ type: 'longtask', buffered: true });
  } catch {}
  const visible = () => {
    const totals = document.querySelector('section[aria-label="Headline figures"] .stat-value');
    const region = document.querySelector('section[aria-label="Partners, ranked worst first"]');
    const count = document.querySelector('.ptable .count');
    if (!totals || !region || !count || !/^[0-9,]+ partners$/.test(count.textContent.trim())) return false;
    return region.querySelectorAll('tbody tr[data-index]').length > 0 && !region.querySelector('tbody tr.loading-row');
  };
  const tick = () => {
    if (visible()) setTimeout(() => { window.__visibleAt = performance.now(); }, 0);
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

/** Resource timings up to `t` (ms from the navigation's start). */
const ENTRIES = `((t) => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource').filter((e) => e.startTime <= t).map((e) => ({
    url: e.name, type: e.initiatorType, startMs: e.startTime, endMs: e.responseEnd, bytes: e.decodedBodySize,
  }));
  return { documentMs: nav ? nav.responseEnd : 0, res, longTasks: (window.__longTasks || []).filter((x) => x.start <= t).map((x) => x.ms) };
})`;

const r1 = (x: number) => Math.round(x * 10) / 10;

/** The request the moment waits on: who is signed in, and the overview's first page in the default order. */
function isCritical(url: URL): boolean {
  if (url.pathname === '/api/me') return true;
  if (url.pathname !== '/api/overview') return false;
  const q = url.searchParams;
  return (
    (q.get('offset') ?? '0') === '0' &&
    q.get('lockout') === null &&
    !q.get('search') &&
    !q.get('grade') &&
    !q.get('risk')
  );
}

/** Length of the union of intervals, each clipped to [0, end]. */
function unionMs(intervals: [number, number][], end: number): number {
  const xs = intervals
    .map(([a, b]) => [Math.max(0, a), Math.min(end, b)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((p, q) => p[0] - q[0]);
  let total = 0;
  let cur: [number, number] | null = null;
  for (const x of xs) {
    if (cur && x[0] <= cur[1]) cur[1] = Math.max(cur[1], x[1]);
    else {
      if (cur) total += cur[1] - cur[0];
      cur = [...x];
    }
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

/** One load of the overview in a fresh tab of a signed-in browser. */
export async function loadOverview(page: Page, url: string): Promise<OverviewLoad> {
  await page.addInitScript(WATCH);
  await page.goto(`${url}/#/overview`, { waitUntil: 'commit' });
  let visibleMs: number | undefined;
  for (const t0 = Date.now(); visibleMs === undefined; ) {
    if (Date.now() - t0 > 120_000) throw new Error('the overview did not show its rows within 120 s');
    await new Promise((ok) => setTimeout(ok, 50));
    visibleMs = (await page.evaluate('window.__visibleAt')) as number | undefined;
  }
  const e = (await page.evaluate(`${ENTRIES}(${visibleMs})`)) as {
    documentMs: number;
    res: { url: string; type: string; startMs: number; endMs: number; bytes: number }[];
    longTasks: number[];
  };
  const api: ApiTiming[] = [];
  const waits: [number, number][] = [];
  let scriptsMs = 0;
  let scriptBytes = 0;
  for (const r of e.res) {
    const u = new URL(r.url);
    if (u.pathname.startsWith('/api/')) {
      const critical = isCritical(u);
      api.push({ path: `${u.pathname}${u.search}`, startMs: r1(r.startMs), ms: r1(r.endMs - r.startMs), critical });
      if (critical) waits.push([r.startMs, r.endMs]);
    } else if (u.pathname.endsWith('.js') && r.endMs <= visibleMs) {
      scriptsMs = Math.max(scriptsMs, r.endMs);
      scriptBytes += r.bytes;
    }
  }
  // Each critical request counts once (a retried or repeated one only by its own interval, merged with the rest).
  const apiWaitMs = unionMs(waits, visibleMs);
  return {
    visibleMs: r1(visibleMs),
    apiWaitMs: r1(apiWaitMs),
    webOverviewMs: r1(visibleMs - apiWaitMs),
    documentMs: r1(e.documentMs),
    scriptsMs: r1(scriptsMs),
    scriptBytes,
    longTasks: e.longTasks,
    api,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
};

/**
 * Signs in through the login page once, then loads the overview in a fresh tab `samples` times (the browser's cache
 * warm after the first, as for a reader coming back); a screenshot of the last load goes to test/artifacts/.
 */
export async function measureOverview(
  url: string,
  email: string,
  password: string,
  o: { samples?: number; screenshot?: string } = {},
) {
  const samples = o.samples ?? 3;
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${url}/#/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 60_000 });
    await page.close();
    const loads: OverviewLoad[] = [];
    for (let i = 0; i < samples; i++) {
      const tab = await browser.context.newPage();
      loads.push(await loadOverview(tab, url));
      if (i === samples - 1 && o.screenshot) {
        mkdirSync(artifacts, { recursive: true });
        await tab.screenshot({ path: join(artifacts, o.screenshot), fullPage: false });
      }
      await tab.close();
    }
    const mid = [...loads].sort((a, b) => a.visibleMs - b.visibleMs)[Math.floor((loads.length - 1) / 2)]!;
    return {
      moment: 'totals and the first page of partner rows in view painted',
      renderMs: median(loads.map((l) => l.visibleMs)),
      webOverviewMs: median(loads.map((l) => l.webOverviewMs)),
      apiWaitMs: median(loads.map((l) => l.apiWaitMs)),
      samples: loads.map((l) => l.visibleMs),
      webSamples: loads.map((l) => l.webOverviewMs),
      median: mid,
    };
  } finally {
    await browser.close();
  }
}

// Alone: node --import tsx test/bench/_web-overview.ts URL EMAIL PASSWORD [SAMPLES]
if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, email, password, n] = process.argv.slice(2);
  if (!url || !email || !password) {
    console.error('usage: node --import tsx test/bench/_web-overview.ts URL EMAIL PASSWORD [SAMPLES]');
    process.exit(2);
  }
  console.log(
    JSON.stringify({
      bench: 'web-overview',
      url,
      ...(await measureOverview(url, email, password, { samples: Number(n ?? 3) })),
    }),
  );
}
