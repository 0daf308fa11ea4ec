// The floor's transaction (bench/pg-floor-worker.ts, and the in-process latency
// floor of bench/engines.ts): a report +1 as one bare transaction — lock the pool's
// counter row and the org chain's 3 counter rows in a fixed order, update them,
// insert a ledger row, commit — on the tables of pg-floor.ts's SCHEMA.
import type pg from 'pg'

export const chain = (pool: number) => [`p${pool}-root`, `p${pool}-mid`, `p${pool}-leaf`]

export const LOCK_POOL = 'SELECT used FROM pool_usage WHERE pool_id = $1 AND product = $2 FOR UPDATE'
export const LOCK_ORGS = 'SELECT org_id, level, subtree FROM usage_levels WHERE org_id = ANY($1::text[]) AND product = $2 ORDER BY org_id FOR UPDATE'
export const BUMP_POOL = 'UPDATE pool_usage SET used = used + 1 WHERE pool_id = $1 AND product = $2'
export const BUMP_ORGS = 'UPDATE usage_levels SET subtree = subtree + 1, level = level + (org_id = $3)::int WHERE org_id = ANY($1::text[]) AND product = $2'
export const LEDGER =
  "INSERT INTO usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, level_after, headroom_after, binding_kind, binding_id, key, at) VALUES ($1, $2, $3, 'delta', 1, 1, 'accepted', $4, $5, 'pool', $6, $7, $8)"

/** One floor report through `pg`, with named (prepared) statements. */
export async function pgFloorReport(client: pg.Client, pool: number, key: string): Promise<void> {
  const q = (name: string, text: string, values: unknown[]) => client.query({ name, text, values })
  const orgs = chain(pool)
  await client.query('BEGIN')
  try {
    const [p] = (await q('lock_pool', LOCK_POOL, [`p${pool}`, 'users'])).rows as { used: number }[]
    const levels = (await q('lock_orgs', LOCK_ORGS, [orgs, 'users'])).rows as { level: number }[]
    await q('bump_pool', BUMP_POOL, [`p${pool}`, 'users'])
    await q('bump_orgs', BUMP_ORGS, [orgs, 'users', orgs[2]])
    await q('ledger', LEDGER, [`w${pool}`, orgs[2], 'users', (levels[levels.length - 1]?.level ?? 0) + 1, 1_000_000 - (p?.used ?? 0) - 1, `p${pool}`, key, Date.now()])
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  }
}
