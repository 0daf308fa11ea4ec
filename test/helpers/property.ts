// Settings of the property tests (fast-check): one seed for the whole run, chosen
// in vitest.config.ts (or given as WSB_PROPERTY_SEED) and printed once at the
// start (seed-global.ts), so any failure in CI's output replays with
// `WSB_PROPERTY_SEED=<seed> npx vitest run <file>`.
import { onPostgresProject } from './guard.js'

export const propertySeed = Number(process.env.WSB_PROPERTY_SEED)
if (!Number.isSafeInteger(propertySeed)) throw new Error(`WSB_PROPERTY_SEED must be an integer, got "${process.env.WSB_PROPERTY_SEED}" (vitest.config.ts sets one)`)

/**
 * fast-check options: the run's seed and a number of cases, `sqlite` on SQLite
 * and `postgres` on PostgreSQL (each case costs round trips to the server there;
 * the caller says why its numbers suffice). WSB_PROPERTY_RUNS overrides both.
 */
export function propertyOptions(runs: { sqlite: number; postgres: number }): { seed: number; numRuns: number } {
  const override = process.env.WSB_PROPERTY_RUNS
  return { seed: propertySeed, numRuns: override ? Number(override) : onPostgresProject ? runs.postgres : runs.sqlite }
}
