// The drizzle query builder over the schema. Loading this module makes `db.orm`
// available on every connection; commands that use it load it (store/open.ts).
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { registerOrm } from './db.js'
import * as schema from './schema/index.js'

registerOrm((sqlite) => drizzle(sqlite, { schema }))
