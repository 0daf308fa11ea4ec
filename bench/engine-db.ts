// Opening either engine for the benchmarks, as the CLI does: a postgres:// URL
// opens the PostgreSQL store, anything else the SQLite file.
import type { Db } from '../src/core/store/db.js'
import { openDb } from '../src/core/store/open.js'
import { openPostgresDb } from '../src/core/store/postgres/db.js'
import { isPostgresUrl } from '../src/core/store/postgres-url.js'

export async function openEngine(target: string): Promise<Db> {
  return isPostgresUrl(target) ? await openPostgresDb(target) : openDb(target)
}

export const engineOf = (target: string): 'postgres' | 'sqlite' => (isPostgresUrl(target) ? 'postgres' : 'sqlite')
