// `npx tsx bench/pg-import.ts [reports] [rounds]`: `usage import` on PostgreSQL
// alone, beside the bare unnest and COPY floors of the same run (the engines
// group measures it too, after its transaction shapes). Each round imports into
// a new, freshly migrated database (the first import into a database) and then
// a second file into the same one (a later import). WSB_BIN runs another build;
// WSB_BASE_BIN another build beside this one in each round, with its own floor.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { startPostgres } from '../test/helpers/postgres-server.js'
import { createDatabase, importOn } from './engines.js'
import { round } from './lib.js'
import { batchPg, copyPg, SCHEMA } from './pg-floor.js'

const reports = Number(process.argv[2] ?? 100_000)
const rounds = Number(process.argv[3] ?? 2)
const server = await startPostgres()
const admin = new pg.Client({ connectionString: server.url })
await admin.connect()
const dir = mkdtempSync(join(tmpdir(), 'wsb-pg-import-'))
const floorUrl = await createDatabase(admin, server.url, `wsb_bench_floor_${process.pid}`)
const floorDb = new pg.Client({ connectionString: floorUrl })
await floorDb.connect()
await floorDb.query(SCHEMA)
await floorDb.end()
const builds = [undefined, ...(process.env.WSB_BASE_BIN ? [process.env.WSB_BASE_BIN] : [])]
try {
  for (let r = 0; r < rounds; r++) {
    for (const [b, bin] of builds.entries()) {
      const url = await createDatabase(admin, server.url, `wsb_bench_import_${process.pid}_${r}_${b}`)
      const first = await importOn(url, dir, reports, 100, 100, `i${r}b${b}`, false, bin)
      const later = await importOn(url, dir, reports, 100, 100, `j${r}b${b}`, true, bin)
      const unnest = (await batchPg(floorUrl, reports, 5000)).rowsPerSecond
      const copy = (await copyPg(floorUrl, reports)).rowsPerSecond
      console.log(
        JSON.stringify({ round: r + 1, ...(bin ? { build: bin } : {}), reports, firstPerSecond: Math.round(first), laterPerSecond: Math.round(later), unnestFloor: unnest, copyFloor: copy, firstToCopy: round(first / copy, 2), laterToCopy: round(later / copy, 2), laterToUnnest: round(later / unnest, 2) }),
      )
    }
  }
} finally {
  await admin.end()
  await server.stop()
}
