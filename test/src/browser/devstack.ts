// Dev aid (not a test): starts the product on a fixed port for looking at the dashboard by hand.
import { startStack } from '../harness/stack.js';

const stack = await startStack({
  partners: Number(process.env.PARTNERS ?? 24),
  seed: 7,
  port: Number(process.env.PORT ?? 8799),
  dataDir: 'memory://',
  waitForFirstRun: true,
});
console.log(`READY ${stack.url}`);
const stop = async () => {
  await stack.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
