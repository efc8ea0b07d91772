/**
 * IAM policy analysis alone, single thread, on the simulator estate's payers: the evidence is collected once through
 * the production collectors (simulator in its own process, no added latency), then every payer is analysed in turn
 * (analyzePayer, what the boundary controls read) as one evaluation thread would see them. Prints
 *   {"bench":"policy-analysis", partners, payers, principals, msPerPayer, simulationsPerPayer, ...}
 * with `mode` "full" (every request simulated in full, cross-payer decisions keyed by principal: the way analysis
 * worked before core/src/policy/decision-memo.ts) and "fast" (its shortcuts), each in a fresh state as a new
 * evaluation thread starts, and fails when any payer's analysis (principals, open paths, deciding statements, the
 * fenced admin's paths) differs between the two. The memo counters are per payer: boundaryDenied (requests decided by
 * the boundary verdict alone), boundaryAnalyses and fullSimulations (what ran), and the memo entries added.
 * BENCH_PARTNERS (default 200); BENCH_EVIDENCE_FILE keeps the collected evidence there and reuses it when present;
 * BENCH_ANALYSIS_OUT writes each payer's analysis digest (to compare two versions of the code).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createLogger, type PayerEvidence } from '@payerguard/core';
import { analyzePayer, type PayerAnalysis } from '@payerguard/core/policy/analyze';
import { memoStats } from '@payerguard/core/policy/decision-memo';
import { resetPolicyMemo, setPolicyShortcuts } from '@payerguard/core/policy/engine';
import { defaultSettings } from '@payerguard/core/settings';
import { collectPayer } from '@payerguard/workers/collect-payer';
import { r2, startSimProcess } from './_processes.js';

const partners = Number(process.env.BENCH_PARTNERS ?? 200);
const seed = 7;
const evidenceFile = process.env.BENCH_EVIDENCE_FILE;
const settings = defaultSettings();

async function collectEstate(): Promise<PayerEvidence[]> {
  if (evidenceFile && existsSync(evidenceFile)) {
    const kept = JSON.parse(readFileSync(evidenceFile, 'utf8')) as { partners: number; evidence: PayerEvidence[] };
    if (kept.partners === partners) return kept.evidence;
  }
  const sim = await startSimProcess({ partners, seed, latencyMs: 0 });
  try {
    const logger = createLogger('silent');
    const hubCredentials = { accessKeyId: 'AKIABENCHHUB00000001', secretAccessKey: 'bench-hub-secret' };
    const out: PayerEvidence[] = [];
    const queue = [...sim.registry];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let t = queue.shift(); t; t = queue.shift())
          out.push(
            await collectPayer(t, settings, {
              endpoint: sim.url,
              region: 'us-east-1',
              logger,
              hubCredentials,
              now: new Date('2026-11-20T12:00:00Z'),
            }),
          );
      }),
    );
    out.sort((a, b) => a.payerAccountId.localeCompare(b.payerAccountId));
    if (evidenceFile) writeFileSync(evidenceFile, JSON.stringify({ partners, evidence: out }));
    return out;
  } finally {
    await sim.close();
  }
}

/** What the drill-down and the controls show of an analysis: everything but the timing figures. */
const shown = (a: PayerAnalysis) => JSON.stringify({ ...a, stats: { ...a.stats, simulations: 0, durationMs: 0 } });

function run(mode: 'full' | 'fast', payers: PayerEvidence[]) {
  setPolicyShortcuts(mode === 'fast');
  resetPolicyMemo();
  global.gc?.();
  const digests: Record<string, string> = {};
  let simulations = 0;
  let principals = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const e of payers) {
    if (e.iam?.authorizationDetails?.status !== 'ok') continue;
    const a = analyzePayer(e, settings);
    simulations += a.stats.simulations;
    principals += a.stats.principals;
    digests[e.payerAccountId] = createHash('sha256').update(shown(a)).digest('hex').slice(0, 20);
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const n = Object.keys(digests).length;
  return {
    digests,
    line: {
      bench: 'policy-analysis',
      mode,
      partners,
      payers: n,
      principals,
      msPerPayer: r2(ms / n),
      cpuMsPerPayer: r2((cpu.user + cpu.system) / 1000 / n),
      simulationsPerPayer: r2(simulations / n),
      heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1024 / 1024),
      ...Object.fromEntries(Object.entries(memoStats()).map(([k, v]) => [k, n ? r2(v / n) : 0])),
    },
  };
}

const payers = await collectEstate();
// JIT warm-up on a few payers, so neither mode pays for compiling the other's code.
run('full', payers.slice(0, 10));
run('fast', payers.slice(0, 10));
// BENCH_POLICY_FAST_ONLY=1 skips the full analysis (for profiling the fast one).
const full = process.env.BENCH_POLICY_FAST_ONLY ? run('fast', []) : run('full', payers);
const fast = run('fast', payers);
const differing = Object.keys(full.digests).filter((p) => full.digests[p] !== fast.digests[p]);
console.log(JSON.stringify(full.line));
console.log(
  JSON.stringify({
    ...fast.line,
    speedup: r2(full.line.msPerPayer / fast.line.msPerPayer),
    analysesCompared: Object.keys(full.digests).length,
    analysesDiffering: differing.length,
    ...(differing.length ? { differingPayers: differing.slice(0, 10) } : {}),
  }),
);
if (process.env.BENCH_ANALYSIS_OUT) writeFileSync(process.env.BENCH_ANALYSIS_OUT, JSON.stringify(fast.digests));
if (differing.length) {
  console.error('policy-analysis: the fast analysis differs from the full one (see differingPayers)');
  process.exitCode = 1;
}
