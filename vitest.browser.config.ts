// Browser tests: the real app on an ephemeral port, driven through Debian's Chromium (playwright-core).
// The console is built first when console/dist is missing or older than its sources.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/browser/console-build.setup.ts'],
    pool: 'forks',
    // One Chromium at a time: the machine has two cores.
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
})
