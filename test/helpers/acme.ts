// The small workspace the event-stream, interrupt and real-terminal tests start
// from: Acme (single pool), one org Sales, one account with 100 users, made by
// `wsb apply` into a fresh temp database.
import { wsb } from './cli.js'
import { tempDbPath } from './temp.js'

export const ACME = `version: 1
workspace: { name: Acme, mode: single }
organizations: [ { name: Sales } ]
accounts: [ { name: Acme Inc, currency: USD, subscriptions: [ { label: main, items: { users: 100 } } ] } ]
`

/** A new database holding Acme: its path (the CLI helpers point it at the test's engine). */
export function acmeDb(): string {
  const db = tempDbPath()
  const applied = wsb(['apply', '-f', '-'], { db, input: ACME })
  if (applied.code !== 0) throw new Error(`apply of the Acme workspace failed: ${applied.stderr}`)
  return db
}
