import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Amazon's DynamoDB Local (CI's second pass) is slower than dynalite: the same tests get longer.
    testTimeout: process.env.LEADGATE_DYNAMODB === 'dynamodb-local' ? 60_000 : 30_000,
    hookTimeout: 60_000,
    // A poll waits on real parts (a browser, the emulators, the runtime's threads); vitest's 1 s
    // default failed a browser test's field error on a loaded 2-core machine.
    expect: { poll: { timeout: 10_000 } },
    // Integration files each start their own emulators on free ports; two at a time fit 2 cores.
    maxWorkers: 2,
    // fauxqs uses node:sqlite, which Node flags as experimental on every start.
    execArgv: ['--disable-warning=ExperimentalWarning'],
    env: { POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
