import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig, openDatabase } from '@payerguard/core';
import { QUEUES } from '@payerguard/core/queue/names';
import {
  getRunProgress,
  isFinished,
  listRunPayers,
  type RunProgress,
  startRun,
  waitForRun,
} from '@payerguard/core/queue/runs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { ensureRedis } from '../redis.js';
import { UsageError } from '../usage.js';

const USAGE = 'usage: payerguard collect [--wait] [--json] [--partner ID ...] [--timeout SECONDS] [--queue-prefix P]';

interface Summary {
  runId: string;
  status: string;
  total: number;
  collected: number;
  failed: number;
  failures: { partnerId: string; payerAccountId: string; errorCode: string | null }[];
}

/**
 * `payerguard collect`: starts a collection run. With DATABASE_URL the run is enqueued for `payerguard worker`
 * processes; without it (embedded PGlite, which lives in this process) the workers run here, so this command always
 * waits. --wait prints progress to stderr; --json prints exactly one JSON object on stdout.
 */
export async function run(argv: string[]): Promise<number | undefined> {
  let values: { wait?: boolean; json?: boolean; partner?: string[]; timeout?: string; 'queue-prefix'?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        wait: { type: 'boolean' },
        json: { type: 'boolean' },
        partner: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        'queue-prefix': { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (values['queue-prefix'] !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(values['queue-prefix']))
    throw new UsageError('--queue-prefix: 1-64 letters, digits, "_" or "-"');
  const timeoutS = values.timeout === undefined ? 3600 : Number(values.timeout);
  if (!Number.isInteger(timeoutS) || timeoutS < 1) throw new UsageError('--timeout must be a whole number of seconds');
  for (const p of values.partner ?? [])
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(p)) throw new UsageError(`--partner "${p}" is not a partner id`);

  const config = loadConfig();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const inProcess = !config.databaseUrl;
  const wait = inProcess || values.wait === true;
  // Progress and logs go to stderr; stdout carries only the result (one JSON object with --json).
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 'payerguard', pino.destination(2));
  const progress = (s: string) => {
    if (values.wait || !values.json) process.stderr.write(`${s}\n`);
  };

  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const cleanups: (() => Promise<unknown>)[] = [() => database.close()];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    await database.migrate();
    const redis = inProcess
      ? await ensureRedis(config.redisUrl)
      : { url: config.redisUrl, stop: () => {}, started: false };
    cleanups.push(async () => redis.stop());
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null, lazyConnect: true });
    connection.on('error', () => {});
    await connection.connect().catch((e: Error) => {
      throw new Error(`REDIS_URL: cannot connect to ${redis.url} (${e.message})`);
    });
    cleanups.push(async () => connection.quit());

    // In-process runs get a private queue prefix: a `payerguard worker` on the same Redis must never take jobs whose
    // rows live in this process's PGlite.
    const prefix = inProcess
      ? `payerguard-local-${process.pid}-${randomBytes(3).toString('hex')}`
      : values['queue-prefix'];
    if (inProcess) {
      const { startWorkers } = await import('@payerguard/workers');
      const workers = await startWorkers({
        db: database.db,
        config: { ...config, redisUrl: redis.url },
        logger,
        prefix,
      });
      cleanups.push(async () => {
        await workers.close();
        // The private queues are of no use to anyone once this process ends.
        for (const name of [QUEUES.runs, QUEUES.payers]) {
          const q = new Queue(name, { connection, prefix });
          await q.obliterate({ force: true }).catch(() => {});
          await q.close();
        }
      });
    }
    const onSignal = () => {
      progress('interrupted: stopping');
      void cleanup().then(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);

    const { runId, total } = await startRun(
      { db: database.db, connection, ...(prefix ? { prefix } : {}) },
      { trigger: 'cli', requestedBy: 'cli', ...(values.partner?.length ? { partnerIds: values.partner } : {}) },
    );
    if (total === 0)
      progress(`run ${runId}: no payers to collect (import some with "payerguard partners import FILE")`);
    else progress(`run ${runId}: collecting ${total} payers${inProcess ? ' in this process (PGlite)' : ''}`);

    let last = '';
    const p: RunProgress | null = wait
      ? await waitForRun(database.db, runId, {
          timeoutMs: timeoutS * 1000,
          intervalMs: 500,
          onProgress: (q) => {
            const line = `run ${runId}: ${q.done}/${q.total} done (${q.collected} collected, ${q.failed} failed, ${q.running} running)`;
            if (line !== last && values.wait) progress(line);
            last = line;
          },
        })
      : await getRunProgress(database.db, runId);
    if (!p) throw new Error(`run ${runId} disappeared from the database`);
    const failures = (await listRunPayers(database.db, runId))
      .filter((r) => r.status === 'failed')
      .map((r) => ({ partnerId: r.partnerId, payerAccountId: r.payerAccountId, errorCode: r.errorCode }));
    const summary: Summary = {
      runId,
      status: p.status,
      total: p.total,
      collected: p.collected,
      failed: p.failed,
      failures,
    };
    if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      process.stdout.write(
        `run ${runId}: ${p.status}; ${p.collected} of ${p.total} payers collected, ${p.failed} failed\n`,
      );
      for (const f of failures)
        process.stdout.write(`  failed  ${f.partnerId}  ${f.payerAccountId}  ${f.errorCode ?? ''}\n`);
      if (p.error) process.stdout.write(`  note: ${p.error}\n`);
      if (p.recoveryNote) process.stdout.write(`  recovered: ${p.recoveryNote.replace(/\n/g, '\n             ')}\n`);
    }
    process.off('SIGINT', onSignal);
    if (wait && p.status !== 'completed') {
      progress(
        p.status === 'interrupted'
          ? `run ${runId} was interrupted (${p.error ?? 'no reason recorded'}); start a new run with "payerguard collect"`
          : isFinished(p)
            ? `run ${runId} ended ${p.status}`
            : `run ${runId} did not complete within ${timeoutS} s (status ${p.status})`,
      );
      return 1;
    }
    return 0;
  } finally {
    await cleanup();
  }
}
