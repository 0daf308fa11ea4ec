// `npx tsx bench/pg-copy.ts [reports] [rounds]`: `wsb db copy` of a SQLite file
// (100 × 100 orgs and `reports` imported reports) into an empty PostgreSQL
// database, beside the bare COPY floor measured just before it in each round
// (the engines group measures it too). WSB_BASE_BIN: another build's bin/run.cjs,
// measured in each round beside this one.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchServer, createDatabase, dbCopyRate } from './engines.js'
import { round } from './lib.js'
import { writeReports } from './metering.js'
import { copyPg, SCHEMA } from './pg-floor.js'
import pg from 'pg'

const reports = Number(process.argv[2] ?? 100_000)
const rounds = Number(process.argv[3] ?? 3)
const { base, admin, stop } = await benchServer()
const dir = mkdtempSync(join(tmpdir(), 'wsb-pg-copy-'))
writeReports(join(dir, `pg-reports-i-${reports}.ndjson`), reports, 100, 100, 'i')
const floorUrl = await createDatabase(admin, base, `wsb_bench_floor_${process.pid}`)
const floorDb = new pg.Client({ connectionString: floorUrl })
await floorDb.connect()
await floorDb.query(SCHEMA)
await floorDb.end()
try {
  for (let r = 0; r < rounds; r++) {
    const copy = (await copyPg(floorUrl, reports)).rowsPerSecond
    const copied = await dbCopyRate(dir, admin, base, reports)
    console.log(JSON.stringify({ round: r + 1, ...copied, copyFloor: copy, ratioToCopy: round(copied.rowsPerSecond / copy, 2) }))
    const other = process.env.WSB_BASE_BIN
    if (other) {
      const copied = await dbCopyRate(dir, admin, base, reports, other)
      const floor = (await copyPg(floorUrl, reports)).rowsPerSecond
      console.log(JSON.stringify({ round: r + 1, base: true, ...copied, copyFloor: floor, ratioToCopy: round(copied.rowsPerSecond / floor, 2) }))
    }
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS wsb_bench_floor_${process.pid} WITH (FORCE)`)
  await admin.query(`DROP DATABASE IF EXISTS wsb_bench_copy_${process.pid} WITH (FORCE)`)
  await stop()
}
