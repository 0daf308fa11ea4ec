// One process of the PostgreSQL floor benchmark (bench/pg-floor.ts): with one
// driver and one connection, from a shared start until a shared end, reports +1
// as one bare transaction each — lock the pool's counter row and the org chain's
// 3 counter rows in a fixed order (SELECT … FOR UPDATE), update them, insert a
// ledger row, commit. No wsb code: this is the floor wsb's own path is held to.
import pg from 'pg'
import postgres from 'postgres'
import { BUMP_ORGS, BUMP_POOL, chain, LEDGER, LOCK_ORGS, LOCK_POOL, pgFloorReport } from './pg-floor-statements.js'
import { awaitWindow } from './together.js'

const [driver = '', url = '', poolList = '', tag = 'p'] = process.argv.slice(2)
const pools = poolList.split(',').map(Number)
type Report = (pool: number, key: string) => Promise<void>

async function withPg(): Promise<{ report: Report; close: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return { report: (pool, key) => pgFloorReport(client, pool, key), close: () => client.end() }
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
