import { randomInt } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// One seed for every property test of the run (test/helpers/property.ts), printed
// at the start (test/helpers/seed-global.ts): WSB_PROPERTY_SEED=<it> replays a failure.
process.env.WSB_PROPERTY_SEED ??= String(randomInt(1, 2 ** 31))

/**
 * Test files that also run on PostgreSQL (the "postgres" project sets WSB_TEST_ENGINE=postgres:
 * test/builders.ts then hands out a fresh PostgreSQL database for each `newDb()`/`workspace()`;
 * test/helpers/cli.ts `wsb()`/`wsbAsync()`/`engineDb()` map a test's SQLite path to a database of its
 * own; test/helpers/engine.ts reads beside wsb on either engine). There, SQLite cannot be reached by
 * accident: a raw .sqlite path given to the CLI or a fixture, `sqliteDb()`, or better-sqlite3 itself
 * throws, naming the test (test/helpers/guard.ts, postgres-setup.ts). Not included, one reason each:
 * - test/core/store.test.ts: SQLite's store itself (pragmas, WAL, busy retries, read-only files): SQLite-only by nature.
 * - test/core/postgres-*.test.ts, test/cli/postgres-{race,crash,lifecycle,rules-race}.test.ts, test/server/postgres-serve.test.ts,
 *   test/helpers/postgres.test.ts: about PostgreSQL itself; they run once, in the sqlite project, on
 *   their own databases (postgres-crash on a server of its own, which it stops and restarts).
 * - (test/core/catch-up.test.ts runs; its EXPLAIN QUERY PLAN test reads SQLite's planner: SQLite-only.)
 * - (test/cli/doctor.test.ts runs; its missing-file test is about a SQLite path: SQLite-only.)
 * - test/cli/crash.test.ts: SIGKILL mid-import into a SQLite file (its PostgreSQL twin is postgres-crash).
 * - test/cli/apply-duplicates.test.ts: refused while the file is read, before any database is touched.
 * - test/cli/no-overwrite-db-files, file-modes: the database's files and their modes (no-overwrite.test.ts runs on both).
 * - test/cli/abuse-db, db-access, integrity, import-db-replaced: SQLite files by nature (not SQLite,
 *   another application's file, permissions and read-only media, bit flips, a replaced inode).
 * - (test/cli/secrets.test.ts runs; its "nothing stored" check reads a SQLite file's bytes, and on
 *   PostgreSQL the rows of every table through engineState.)
 * - test/cli/demo-reapply.test.ts: runs scripts/demo.sh, which builds a SQLite file (the re-apply rules it
 *   checks run on both engines in test/core/apply-round-trip.test.ts).
 * - test/cli/help.test.ts, test/cli/help-wrap.test.ts, test/cli/help-render.test.ts, test/core/redact.test.ts,
 *   test/core/usage-line.test.ts, test/render/invoice-pdf.test.ts, test/render/colour.test.ts,
 *   test/helpers/stripe-fake.test.ts: open no database.
 * - test/cli/startup-budget.test.ts: what a SQLite run loads at start-up (a PostgreSQL URL loads the pg driver by design).
 * - test/core/preview-census.test.ts: not a check (runs only with WSB_PROPERTY_CENSUS=1).
 * - test/docs/examples.test.ts: runs the docs' sh blocks and the help examples on the demo, a SQLite file
 *   (as demo-reapply); test/docs/commands-doc.test.ts: compares docs/commands.md with the manifest, no database.
 */
export const onPostgres = [
  'test/core/accounts.test.ts',
  'test/core/tree-cache.test.ts',
  'test/core/usage-check.test.ts',
  'test/core/billing.test.ts',
  'test/core/invoice-tax.test.ts',
  'test/core/events.test.ts',
  'test/core/orgs.test.ts',
  'test/core/pools.test.ts',
  'test/core/preview.test.ts',
  'test/core/preview-property.test.ts',
  'test/core/pricing.test.ts',
  'test/core/subscriptions.test.ts',
  'test/core/workspaces.test.ts',
  'test/core/usage.test.ts',
  'test/core/usage-property.test.ts',
  'test/core/usage-history.test.ts',
  'test/cli/usage-history.test.ts',
  'test/cli/usage-analytics.test.ts',
  'test/core/lifecycle-property.test.ts',
  'test/core/payments.test.ts',
  'test/core/stripe-provider.test.ts',
  'test/core/payment-outcomes.test.ts',
  'test/core/bank-debits.test.ts',
  'test/core/payment-recovery.test.ts',
  'test/core/stripe-webhooks.test.ts',
  'test/cli/contract.test.ts',
  'test/cli/output-for-people.test.ts',
  'test/cli/interrupts.test.ts',
  'test/cli/events-stream.test.ts',
  'test/cli/lists-stream.test.ts',
  'test/cli/real-terminal.test.ts',
  'test/cli/foreign-references.test.ts',
  'test/cli/output-for-support.test.ts',
  'test/cli/foundation-flow.test.ts',
  'test/cli/usage.test.ts',
  'test/cli/subscriptions.test.ts',
  'test/cli/billing.test.ts',
  'test/cli/apply.test.ts',
  'test/cli/concurrency.test.ts',
  'test/cli/abuse-import.test.ts',
  'test/cli/metering-concurrency.test.ts',
  'test/cli/snapshot.test.ts',
  'test/cli/hardening-small.test.ts',
  'test/cli/prompt.test.ts',
  'test/cli/doctor.test.ts',
  'test/core/doctor.test.ts',
  'test/core/apply.test.ts',
  'test/core/deep-tree.test.ts',
  'test/cli/deep-tree.test.ts',
  'test/cli/abuse.test.ts',
  'test/cli/abuse-names.test.ts',
  'test/cli/payments.test.ts',
  'test/cli/payment-crash.test.ts',
  'test/cli/output-files.test.ts',
  'test/cli/secrets.test.ts',
  'test/core/catch-up.test.ts',
  'test/core/store-later.test.ts',
  'test/core/store-memo.test.ts',
  'test/cli/crash-advance.test.ts',
  'test/cli/apply-crash.test.ts',
  'test/cli/init.test.ts',
  'test/cli/completion.test.ts',
  'test/cli/seller.test.ts',
  'test/core/invoice-status.test.ts',
  'test/core/apply-round-trip.test.ts',
  'test/server/api.test.ts',
  'test/server/auth.test.ts',
  'test/server/load.test.ts',
  'test/server/faults.test.ts',
  'test/server/group-commit.test.ts',
  'test/server/stripe-webhook.test.ts',
  'test/cli/no-overwrite.test.ts',
  'test/cli/bad-text.test.ts',
  'test/cli/card-numbers.test.ts',
  'test/helpers/guard.test.ts',
]

const shared = {
  // One real PostgreSQL server for the run (or WSB_TEST_POSTGRES_URL's); see test/helpers/postgres.ts.
  globalSetup: ['test/helpers/seed-global.ts', 'test/helpers/cache-global.ts', 'test/helpers/postgres-global.ts'],
  env: { WSB_PROPERTY_SEED: process.env.WSB_PROPERTY_SEED as string },
  // CLI tests start real processes (the longest, SIGKILL and race tests, start hundreds):
  // give them room on a loaded machine, where one took 74 s on PostgreSQL against ~30 s quiet.
  // A test that hangs still fails, after three minutes.
  testTimeout: 180_000,
  hookTimeout: 120_000,
  pool: 'forks' as const,
}

// Two test files at a time even on 2 cores (vitest's default there is one): most of a CLI test's
// time is spent waiting for the processes it starts, the fsyncs and the PostgreSQL server, so a
// second file fills that wait. Every file works in temp folders and databases of its own.
const maxWorkers = Math.max(2, availableParallelism() - 1)

export default defineConfig({
  test: {
    maxWorkers,
    projects: [
      { test: { ...shared, name: 'sqlite', include: ['test/**/*.test.ts'] } },
      // WSB_PG_TRY=a.test.ts,b.test.ts runs other files on PostgreSQL (to try one before listing it).
      { test: { ...shared, name: 'postgres', include: process.env.WSB_PG_TRY ? process.env.WSB_PG_TRY.split(',') : onPostgres, env: { ...shared.env, WSB_TEST_ENGINE: 'postgres' }, setupFiles: ['test/helpers/postgres-setup.ts'] } },
    ],
  },
})
