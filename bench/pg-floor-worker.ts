// One process of the PostgreSQL floor benchmark (bench/pg-floor.ts): with one
// driver and one connection, from a shared start until a shared end, reports +1
// as one bare transaction each — lock the pool's counter row and the org chain's
// 3 counter rows in a fixed order (SELECT … FOR UPDATE), update them, insert a
// ledger row, commit. No wsb code: this is the floor wsb's own path is held to.
import pg from 'pg'
import postgres from 'postgres'
import { awaitWindow } from './together.js'

const [driver = '', url = '', poolList = '', tag = 'p'] = process.argv.slice(2)
const pools = poolList.split(',').map(Number)
const chain = (pool: number) => [`p${pool}-root`, `p${pool}-mid`, `p${pool}-leaf`]

const LOCK_POOL = 'SELECT used FROM pool_usage WHERE pool_id = $1 AND product = $2 FOR UPDATE'
const LOCK_ORGS = 'SELECT org_id, level, subtree FROM usage_levels WHERE org_id = ANY($1::text[]) AND product = $2 ORDER BY org_id FOR UPDATE'
const BUMP_POOL = 'UPDATE pool_usage SET used = used + 1 WHERE pool_id = $1 AND product = $2'
const BUMP_ORGS = 'UPDATE usage_levels SET subtree = subtree + 1, level = level + (org_id = $3)::int WHERE org_id = ANY($1::text[]) AND product = $2'
const LEDGER =
  "INSERT INTO usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, level_after, headroom_after, binding_kind, binding_id, key, at) VALUES ($1, $2, $3, 'delta', 1, 1, 'accepted', $4, $5, 'pool', $6, $7, $8)"

type Report = (pool: number, key: string) => Promise<void>

async function withPg(): Promise<{ report: Report; close: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const q = (name: string, text: string, values: unknown[]) => client.query({ name, text, values })
  const report: Report = async (pool, key) => {
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
  return { report, close: () => client.end() }
}

async function withPostgres(): Promise<{ report: Report; close: () => Promise<void> }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  const report: Report = async (pool, key) => {
    const orgs = chain(pool)
    await sql.begin(async (tx) => {
      const [p] = await tx.unsafe(LOCK_POOL, [`p${pool}`, 'users'], { prepare: true })
      const levels = await tx.unsafe(LOCK_ORGS, [orgs, 'users'], { prepare: true })
      await tx.unsafe(BUMP_POOL, [`p${pool}`, 'users'], { prepare: true })
      await tx.unsafe(BUMP_ORGS, [orgs, 'users', orgs[2] as string], { prepare: true })
      const level = Number(levels[levels.length - 1]?.level ?? 0)
      await tx.unsafe(LEDGER, [`w${pool}`, orgs[2] as string, 'users', level + 1, 1_000_000 - Number(p?.used ?? 0) - 1, `p${pool}`, key, Date.now()], { prepare: true })
    })
  }
  return { report, close: () => sql.end() }
}

const { report, close } = driver === 'pg' ? await withPg() : await withPostgres()
const { endAt } = await awaitWindow()
const started = Date.now()
const cpu = process.cpuUsage()
let commits = 0
const errors: string[] = []
for (let i = 0; Date.now() < endAt; i++) {
  try {
    await report(pools[i % pools.length] as number, `${tag}-${i}`)
    commits++
  } catch (error) {
    if (errors.length < 5) errors.push((error as Error).message)
  }
}
const ms = Date.now() - started
// The driver's own cost on the client, which a busy disk does not blur as it blurs wall time.
const used = process.cpuUsage(cpu)
await close()
process.stdout.write(JSON.stringify({ commits, ms, cpuMs: (used.user + used.system) / 1000, errors }))
