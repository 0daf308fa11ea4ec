// A product key that names nothing: NOT_FOUND with the workspace's keys and the
// ones it may have meant (`user` → "users"). Plain SQL, so the lean metering
// commands can say it without loading the query builder.
import type { WsbError } from '../errors.js'
import type { Db } from '../store/db.js'
import { notFoundNear } from '../suggest.js'

export async function unknownProduct(db: Db, workspaceId: string, key: string): Promise<WsbError> {
  const known = ((await db.all('SELECT key FROM products WHERE workspace_id = ? ORDER BY key', workspaceId)) as { key: string }[]).map((row) => row.key)
  return notFoundNear('product', key, known, { known })
}
