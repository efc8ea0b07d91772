/**
 * `npm run bench root-events`: how long a root event takes from the monitor's queue to an alert channel, over the real
 * path (simulator SQS -> worker long poll -> store -> BullMQ alert delivery -> signed webhook POST), with the estate
 * collected first (the channel is added after that run) and nothing else running. BENCH_EVENTS events (default 20), one at a time.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@payerguard/core';
import { createAlertChannel } from '@payerguard/core/alerts/store';
import { startStack } from '../src/harness/stack.js';

process.env.DELIVERY_ALLOW_PRIVATE_NETWORKS = 'true';
const events = Number(process.env.BENCH_EVENTS ?? 20);
const partners = Number(process.env.BENCH_PARTNERS ?? 20);
const arrived = new Map<string, number>();
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const j = JSON.parse(body) as { payerguard: { event: string; eventId?: string } };
    if (j.payerguard.event === 'root-activity' && j.payerguard.eventId) arrived.set(j.payerguard.eventId, Date.now());
    res.end('ok');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const stack = await startStack({
  partners,
  seed: 42,
  port: 0,
  dataDir: 'memory://bench-root-events',
  firstRun: true,
  waitForFirstRun: true,
  logger: createLogger('error'),
  workers: { rootEventsWaitSeconds: 20 },
});
try {
  await createAlertChannel(stack.database.db, {
    kind: 'webhook',
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    events: ['root-activity'],
    createdBy: 'bench',
  });
  const registry = stack.sim.registry();
  const ms: number[] = [];
  for (let i = 0; i < events; i++) {
    const t0 = Date.now();
    const { eventId } = stack.sim.emitRootActivity({
      accountId: registry[i % registry.length]!.payerAccountId,
      eventName: 'ConsoleLogin',
      mfa: i % 2 === 0,
    });
    while (!arrived.has(eventId)) await new Promise((r) => setTimeout(r, 5));
    ms.push(arrived.get(eventId)! - t0);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
  process.stdout.write(
    `${JSON.stringify({ bench: 'root-event-to-alert', events, partners, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: ms[ms.length - 1] })}\n`,
  );
} finally {
  await stack.close();
  receiver.close();
}
