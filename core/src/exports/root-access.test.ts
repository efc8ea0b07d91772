import { Writable } from 'node:stream';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/index.js';
import { evidence, partners, payers, runPayers, runs } from '../db/schema.js';
import { scoreRun } from '../engine/score-run.js';
import { API } from '../evidence/types.js';
import { decideWindow, requestWindow } from '../root-windows/store.js';
import { testDatabase } from '../testing/db.js';
import { compliantEvidence, rootEvent, withEvidence } from '../testing/evidence.js';
import { type ExportRequest, writeExport } from './index.js';

class Collect extends Writable {
  chunks: Buffer[] = [];
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void) {
    this.chunks.push(c);
    cb();
  }
}

/** The text pdfkit drew: its content streams inflated, the hex-encoded strings decoded and joined. */
function pdfText(buf: Buffer): string {
  const raw = buf.toString('latin1');
  let text = '';
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    for (const t of content.matchAll(/\[([^\]]*)\]\s*TJ/g))
      text += `${[...t[1]!.matchAll(/<([0-9a-fA-F]+)>/g)].map((h) => Buffer.from(h[1]!, 'hex').toString('latin1')).join('')}\n`;
  }
  return text;
}

let database: Database;
let windowId: string;
const PAYER = '222222222222';

beforeAll(async () => {
  database = await testDatabase();
  const { db } = database;
  await db.insert(partners).values({ id: 'acme', name: 'Acme' });
  await db
    .insert(payers)
    .values({ accountId: PAYER, partnerId: 'acme', roleArn: 'arn:aws:iam::222222222222:role/C', externalId: 'x' });
  // A real request and approval, then root used inside the window and once outside it.
  const now = new Date();
  const w = await requestWindow(db, {
    partnerId: 'acme',
    payerAccountId: PAYER,
    reason: 'CHG-9 change the support plan (budget $12,000)',
    startsAt: new Date(now.getTime() + 60_000),
    endsAt: new Date(now.getTime() + 3 * 3_600_000),
    requestedBy: 'viewer+acme@partner.example',
    side: 'partner',
  });
  windowId = w.id;
  const approved = await decideWindow(db, w.id, 'approved', {
    email: 'admin@distributor.example',
    side: 'distributor',
  });
  const collectedAt = new Date(now.getTime() + 4 * 3_600_000);
  const ev = withEvidence(compliantEvidence({ partnerId: 'acme', payerAccountId: PAYER, collectedAt }), (e) => {
    if (e.cloudtrail?.rootEvents.status !== 'ok') return;
    e.cloudtrail.rootEvents.data = [
      rootEvent(PAYER, {
        eventId: 'evt-inside',
        eventName: 'UpdateSupportPlan',
        eventSource: 'supportplans.amazonaws.com',
        eventTime: new Date(now.getTime() + 3_600_000).toISOString(),
      }),
      rootEvent(PAYER, {
        eventId: 'evt-outside',
        eventName: 'CreateUser',
        eventTime: new Date(now.getTime() - 3_600_000).toISOString(),
      }),
    ];
    e.rootAccessWindows = {
      status: 'ok',
      api: API.rootAccessWindows,
      data: [
        {
          id: approved.id,
          reason: approved.reason,
          startsAt: approved.startsAt,
          endsAt: approved.endsAt,
          requestedBy: approved.requestedBy,
          requestedBySide: 'partner',
          requestedAt: approved.requestedAt,
          approvedBy: approved.decidedBy!,
          approvedAt: approved.decidedAt!,
        },
      ],
    };
  });
  await db
    .insert(runs)
    .values({ id: 'run-1', status: 'completed', trigger: 'manual', total: 1, collected: 1, createdAt: collectedAt });
  await db.insert(runPayers).values({ runId: 'run-1', payerAccountId: PAYER, partnerId: 'acme', status: 'collected' });
  await db.insert(evidence).values({ runId: 'run-1', payerAccountId: PAYER, partnerId: 'acme', collectedAt, data: ev });
  await scoreRun(db, 'run-1');
});
afterAll(async () => database?.close());

const run = async (req: ExportRequest) => {
  const out = new Collect();
  await writeExport(database.db, req, out);
  return Buffer.concat(out.chunks);
};

describe('the root-access trail in exports', () => {
  it('JSON: each window with its request, decision and the events inside it, and the events outside', async () => {
    const doc = JSON.parse((await run({ format: 'json', scope: { partnerId: 'acme' } })).toString());
    const trail = doc.partners[0].rootAccess;
    expect(trail.windows).toHaveLength(1);
    expect(trail.windows[0]).toMatchObject({
      id: windowId,
      state: 'approved',
      requestedBy: 'viewer+acme@partner.example',
      decidedBy: 'admin@distributor.example',
    });
    expect(trail.windows[0].events.map((e: { eventId: string }) => e.eventId)).toEqual(['evt-inside']);
    expect(trail.outside).toEqual([
      expect.objectContaining({ eventId: 'evt-outside', status: 'fail', severity: 'high', payerAccountId: PAYER }),
    ]);
    expect(trail.windows[0].reason).toContain('$12,000');
  });

  it('a partner-audience file carries the trail without money figures', async () => {
    const doc = JSON.parse(
      (await run({ format: 'json', scope: { partnerId: 'acme' }, audience: 'partner' })).toString(),
    );
    expect(doc.partners[0].rootAccess.windows[0].reason).not.toContain('12,000');
    expect(doc.partners[0].rootAccess.windows[0].events).toHaveLength(1);
  });

  it('as of a time before the request, the window is not in the file yet', async () => {
    const doc = JSON.parse(
      (
        await run({ format: 'json', scope: { partnerId: 'acme' }, asOf: new Date(Date.now() + 5 * 3_600_000) })
      ).toString(),
    );
    expect(doc.partners[0].rootAccess.windows).toHaveLength(1);
    const early = JSON.parse(
      (await run({ format: 'json', scope: {}, asOf: new Date('2020-01-01T00:00:00Z') })).toString(),
    );
    expect(early.partners).toEqual([]);
  });

  it('PDF: the evidence pack has the trail section with the request, the decision and both events', async () => {
    const text = pdfText(await run({ format: 'pdf', scope: { partnerId: 'acme' } }));
    expect(text).toContain('Root access: requests, decisions and root events');
    expect(text).toContain(`window ${windowId}`);
    expect(text).toContain('Requested by viewer+acme@partner.example (partner)');
    expect(text).toContain('Approved by admin@distributor.example (distributor)');
    expect(text).toContain('evt-inside');
    expect(text).toContain('Root events outside every approved window: 1');
    expect(text).toContain('evt-outside');
  });
});
