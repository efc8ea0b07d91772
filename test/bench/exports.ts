/**
 * Export benchmark: seeds N partners (default 10,000; EXPORT_BENCH_PARTNERS) with two scored snapshots each, findings
 * and evidence into an in-memory PGlite (bulk unnest inserts), then writes each export format to a byte-counting sink
 * and prints one JSON line per format. Memory is sampled every 50 ms and every 32 output chunks while a format is written: flat memory shows as a
 * small rssGrowthMb and an RSS at the half-way point about equal to the RSS at the end.
 */
import { Writable } from 'node:stream';
import { openDatabase } from '@payerguard/core';
import { EXPORT_FORMATS, writeExport } from '@payerguard/core/exports/index';
import { seedExportFixture } from '@payerguard/core/testing/export-seed';

const partners = Number(process.env.EXPORT_BENCH_PARTNERS ?? 10_000);
const formats = (process.env.EXPORT_BENCH_FORMATS?.split(',') ?? [
  ...EXPORT_FORMATS,
]) as (typeof EXPORT_FORMATS)[number][];
const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
const gc = (globalThis as { gc?: () => void }).gc;

const database = await openDatabase({ dataDir: 'memory://' });
await database.migrate();
const t0 = performance.now();
await seedExportFixture(database.db, { partners, snapshots: 2, withEvidence: true });
process.stdout.write(
  `${JSON.stringify({ bench: 'export-seed', partners, snapshots: partners * 2, findings: partners * 10, seconds: Math.round(performance.now() - t0) / 1000 })}\n`,
);

for (const format of formats) {
  gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const base = process.memoryUsage().rss;
  const baseHeap = process.memoryUsage().heapUsed;
  const samples: number[] = [];
  const heap: number[] = [];
  const sample = () => {
    const m = process.memoryUsage();
    samples.push(m.rss);
    heap.push(m.heapUsed);
  };
  // Sampled from the output path too: a busy export can starve the timer for seconds.
  const timer = setInterval(sample, 50);
  let writes = 0;
  const sink = new Writable({
    write(_c, _e, cb) {
      if (++writes % 32 === 0) sample();
      cb();
    },
  });
  const start = performance.now();
  const r = await writeExport(database.db, { format, scope: {} }, sink);
  const seconds = (performance.now() - start) / 1000;
  clearInterval(timer);
  sample();
  const peak = Math.max(...samples);
  process.stdout.write(
    `${JSON.stringify({
      bench: `export-${format}`,
      partners: r.partners,
      rows: r.rows,
      bytes: r.bytes,
      seconds: Math.round(seconds * 100) / 100,
      peakRssMb: mb(peak),
      rssGrowthMb: mb(peak - base),
      rssAtHalfMb: mb(samples[Math.floor(samples.length / 2)] ?? peak),
      rssAtEndMb: mb(samples[samples.length - 1] ?? peak),
      samples: samples.length,
      // JS heap: what the export itself holds (RSS also carries PGlite's WASM heap, which grows and never shrinks).
      heapGrowthMb: mb(Math.max(...heap) - baseHeap),
      heapAtHalfMb: mb(heap[Math.floor(heap.length / 2)] ?? 0),
      heapAtEndMb: mb(heap[heap.length - 1] ?? 0),
    })}\n`,
  );
}
await database.close();
