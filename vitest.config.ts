import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real PostgreSQL server for the run (or WSB_TEST_POSTGRES_URL's); see test/helpers/postgres.ts.
    globalSetup: ['test/helpers/postgres-global.ts'],
    // CLI tests start real processes; give them room on a loaded CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
