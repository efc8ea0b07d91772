import { createHash, randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { exportsTable } from '../db/schema.js';
import { writeExport } from './index.js';
import {
  CONTENT_TYPES,
  type ExportAudience,
  type ExportFormat,
  type ExportScope,
  exportFileName,
  parseAsOf,
  parseFormat,
  parseScope,
} from './types.js';

/**
 * Exports kept in the product (table `exports`). The file is written into the row in slices as it is produced and
 * read back in slices, so neither producing nor downloading a large export holds it whole in memory.
 */

export type DeliveryTarget = 's3' | 'webhook';
export interface DeliveryState {
  target: DeliveryTarget;
  status: 'pending' | 'delivered' | 'retrying' | 'failed';
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
  /** Where it went: s3://bucket/key or the webhook's host (never its query string, which may hold a token). */
  destination?: string;
}

export interface ExportRecord {
  id: string;
  scheduleId: string | null;
  format: ExportFormat;
  scope: ExportScope;
  asOf: string | null;
  audience: ExportAudience;
  partnerId: string | null;
  status: 'pending' | 'ready' | 'failed';
  fileName: string | null;
  contentType: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  error: string | null;
  deliveries: DeliveryState[];
  requestedBy: string;
  createdAt: string;
  expiresAt: string | null;
  rows?: number;
}

const SLICE = 4 * 1024 * 1024;

const recordColumns = {
  id: exportsTable.id,
  scheduleId: exportsTable.scheduleId,
  format: exportsTable.format,
  scope: exportsTable.scope,
  partnerId: exportsTable.partnerId,
  status: exportsTable.status,
  fileName: exportsTable.fileName,
  contentType: exportsTable.contentType,
  sizeBytes: exportsTable.sizeBytes,
  sha256: exportsTable.sha256,
  error: exportsTable.error,
  deliveries: exportsTable.deliveries,
  requestedBy: exportsTable.requestedBy,
  createdAt: exportsTable.createdAt,
  expiresAt: exportsTable.expiresAt,
};

type StoredScope = ExportScope & { asOf?: string; audience?: ExportAudience; rows?: number };

function toRecord(r: {
  id: string;
  scheduleId: string | null;
  format: string;
  scope: unknown;
  partnerId: string | null;
  status: string;
  fileName: string | null;
  contentType: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  error: string | null;
  deliveries: unknown;
  requestedBy: string;
  createdAt: Date;
  expiresAt: Date | null;
}): ExportRecord {
  const { asOf, audience, rows, ...scope } = (r.scope ?? {}) as StoredScope;
  return {
    id: r.id,
    scheduleId: r.scheduleId,
    format: r.format as ExportFormat,
    scope,
    asOf: asOf ?? null,
    audience: audience ?? 'distributor',
    partnerId: r.partnerId,
    status: r.status as ExportRecord['status'],
    fileName: r.fileName,
    contentType: r.contentType,
    sizeBytes: r.sizeBytes,
    sha256: r.sha256,
    error: r.error,
    deliveries: (r.deliveries ?? []) as DeliveryState[],
    requestedBy: r.requestedBy,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    ...(rows !== undefined ? { rows } : {}),
  };
}

export interface NewExport {
  format: ExportFormat | string;
  scope?: unknown;
  asOf?: Date | string;
  audience?: ExportAudience;
  requestedBy: string;
  scheduleId?: string;
  retentionDays?: number;
  /** Delivery targets to attempt once the file is ready. */
  deliveries?: DeliveryTarget[];
}

export const DEFAULT_RETENTION_DAYS = 90;

/** Records a pending export (validated; throws ExportInputError on bad input). */
export async function createExport(db: Db, input: NewExport): Promise<ExportRecord> {
  const format = parseFormat(input.format);
  const scope = parseScope(input.scope);
  const asOf = parseAsOf(input.asOf);
  const audience = input.audience ?? 'distributor';
  const now = new Date();
  const retention = input.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const stored: StoredScope = { ...scope, ...(asOf ? { asOf: asOf.toISOString() } : {}), audience };
  const [row] = await db
    .insert(exportsTable)
    .values({
      id: `exp_${randomUUID()}`,
      scheduleId: input.scheduleId ?? null,
      format,
      scope: stored,
      partnerId: scope.partnerId ?? null,
      status: 'pending',
      fileName: exportFileName(format, scope, asOf ?? now),
      contentType: CONTENT_TYPES[format],
      deliveries: (input.deliveries ?? []).map(
        (target): DeliveryState => ({ target, status: 'pending', attempts: 0, lastError: null, deliveredAt: null }),
      ),
      requestedBy: input.requestedBy,
      createdAt: now,
      expiresAt: new Date(now.getTime() + retention * 86_400_000),
    })
    .returning(recordColumns);
  return toRecord(row!);
}

/** Appends each slice to the row as it is produced: the export is never whole in this process's memory. */
class RowWriter extends Writable {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  readonly hash = createHash('sha256');
  size = 0;
  constructor(
    private readonly db: Db,
    private readonly id: string,
    private readonly slice: number,
  ) {
    super({ highWaterMark: slice });
  }
  private async flushSlice(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const slice = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    await this.db.execute(
      sql`update exports set content = coalesce(content, ''::bytea) || ${slice} where id = ${this.id}`,
    );
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.slice) cb();
    else this.flushSlice().then(() => cb(), cb);
  }
  override _final(cb: (e?: Error | null) => void): void {
    this.flushSlice().then(() => cb(), cb);
  }
}

/**
 * Produces a pending export into its row: ready with size and sha256, or failed with the reason. Idempotent for a
 * retried job: a ready export is returned as is, a half-written one is started over.
 */
export async function produceExport(db: Db, id: string, opts: { sliceBytes?: number } = {}): Promise<ExportRecord> {
  const rec = await getExport(db, id);
  if (!rec) throw new Error(`export ${id} not found`);
  if (rec.status === 'ready') return rec;
  await db.update(exportsTable).set({ content: null, status: 'pending', error: null }).where(eq(exportsTable.id, id));
  const writer = new RowWriter(db, id, opts.sliceBytes ?? SLICE);
  try {
    const r = await writeExport(
      db,
      {
        format: rec.format,
        scope: rec.scope,
        audience: rec.audience,
        ...(rec.asOf ? { asOf: new Date(rec.asOf) } : {}),
      },
      writer,
    );
    const stored: StoredScope = {
      ...rec.scope,
      ...(rec.asOf ? { asOf: rec.asOf } : {}),
      audience: rec.audience,
      rows: r.rows,
    };
    await db
      .update(exportsTable)
      .set({ status: 'ready', sizeBytes: writer.size, sha256: writer.hash.digest('hex'), scope: stored })
      .where(eq(exportsTable.id, id));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    await db
      .update(exportsTable)
      .set({ status: 'failed', error: message.slice(0, 2000), content: null })
      .where(eq(exportsTable.id, id));
  }
  return (await getExport(db, id))!;
}

export async function getExport(db: Db, id: string): Promise<ExportRecord | undefined> {
  const [row] = await db.select(recordColumns).from(exportsTable).where(eq(exportsTable.id, id));
  return row ? toRecord(row) : undefined;
}

/** Newest first. `partnerId` + `audience: 'partner'` is what a partner viewer may list. */
export async function listExports(
  db: Db,
  opts: {
    partnerId?: string | null;
    audience?: ExportAudience;
    scheduleId?: string;
    limit?: number;
    before?: Date;
  } = {},
): Promise<ExportRecord[]> {
  const where = and(
    opts.partnerId ? eq(exportsTable.partnerId, opts.partnerId) : undefined,
    opts.scheduleId ? eq(exportsTable.scheduleId, opts.scheduleId) : undefined,
    opts.audience ? sql`coalesce(${exportsTable.scope}->>'audience', 'distributor') = ${opts.audience}` : undefined,
    opts.before ? lt(exportsTable.createdAt, opts.before) : undefined,
  );
  const rows = await db
    .select(recordColumns)
    .from(exportsTable)
    .where(where)
    .orderBy(desc(exportsTable.createdAt), desc(exportsTable.id))
    .limit(Math.min(Math.max(opts.limit ?? 50, 1), 500));
  return rows.map(toRecord);
}

/** The stored file, read back a slice at a time. */
export function readExportContent(db: Db, id: string, sizeBytes: number, sliceBytes = SLICE): Readable {
  let offset = 0;
  return new Readable({
    async read() {
      if (offset >= sizeBytes) return this.push(null);
      try {
        const res = await db.execute(
          sql`select substring(content from ${offset + 1} for ${sliceBytes}) as part from exports where id = ${id}`,
        );
        const part = ((res as { rows?: Record<string, unknown>[] }).rows ?? [])[0]?.part;
        const buf = part == null ? Buffer.alloc(0) : Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array);
        if (buf.length === 0) return this.push(null);
        offset += buf.length;
        this.push(buf);
      } catch (e) {
        this.destroy(e as Error);
      }
    },
  });
}

/** Replaces one target's delivery state in a single statement, so concurrent deliveries never overwrite each other. */
export async function recordDelivery(db: Db, id: string, state: DeliveryState): Promise<void> {
  await db.execute(sql`
    update exports set deliveries = coalesce(
      (select jsonb_agg(d) from jsonb_array_elements(deliveries) d where d->>'target' <> ${state.target}), '[]'::jsonb
    ) || jsonb_build_array(${JSON.stringify(state)}::jsonb)
    where id = ${id}`);
}

/** Retention: removes exports past their expiry. Returns how many went. */
export async function purgeExpiredExports(db: Db, now = new Date()): Promise<number> {
  const gone = await db.delete(exportsTable).where(lt(exportsTable.expiresAt, now)).returning({ id: exportsTable.id });
  return gone.length;
}
