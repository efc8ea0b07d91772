import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness.js';

// The embedded stack gives the dashboard way over collection while somebody uses the API (workers'
// dashboard-first.ts); what counts as "somebody" is decided here.
let h: Harness;
const seen: number[] = [];
beforeAll(async () => {
  h = await startHarness({ onRequest: () => seen.push(Date.now()) });
}, 60_000);
afterAll(async () => h?.close());

it('tells of every request, signed in or not, but not of health checks', async () => {
  expect((await h.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  expect(seen).toHaveLength(0);
  expect((await h.app.inject({ method: 'GET', url: '/api/overview' })).statusCode).toBe(401);
  expect((await h.app.inject({ method: 'GET', url: '/api/me' })).statusCode).toBe(401);
  expect(seen).toHaveLength(2);
});
