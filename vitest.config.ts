import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      '{core,sim,workers,server,cli,test}/src/**/*.test.ts',
      'test/faults/**/*.test.ts',
      'test/security/**/*.test.ts',
    ],
    // Integration tests share one Redis and one Postgres; keep file-level parallelism modest on 2 cores.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
