import { writeFileSync } from 'node:fs';
import { startSimulator } from '@payerguard/sim';
const partners = Number(process.argv[2] ?? 200);
const sim = await startSimulator({ port: Number(process.argv[3] ?? 0), partners, seed: 42 });
writeFileSync(
  '/tmp/pgbench/registry.jsonl',
  sim
    .registry()
    .map((e) => JSON.stringify(e))
    .join('\n') + '\n',
);
writeFileSync('/tmp/pgbench/sim.url', sim.url);
console.log(sim.url, sim.registry().length);
process.on('SIGTERM', async () => {
  console.log(JSON.stringify(sim.stats()).slice(0, 300));
  await sim.close();
  process.exit(0);
});
