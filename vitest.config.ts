import { defineConfig } from 'vitest/config';

// One Samba DC per machine: the integration and e2e files share it (test/support/global-setup.ts starts
// it once), and files that talk to it run one at a time so per-OU isolation stays simple.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
