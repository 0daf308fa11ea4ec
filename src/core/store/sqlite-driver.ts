// better-sqlite3 opened with its native addon named up front. The bundles carry
// the package's JavaScript (read from V8's code cache like the rest of wsb);
// resolving and compiling its ten files from node_modules, and `bindings`
// searching for the addon, cost every command that opens a database ~5 ms.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'

let addon: string | undefined

/** Where the package builds its addon, else wherever bindings (the package's own finder) finds it. */
function nativeBinding(): string {
  if (addon !== undefined) return addon
  const require = createRequire(import.meta.url)
  const root = dirname(require.resolve('better-sqlite3/package.json'))
  const built = join(root, 'build', 'Release', 'better_sqlite3.node')
  if (existsSync(built)) return (addon = built)
  const find = require('bindings') as (options: { bindings: string; module_root: string; path: true }) => string
  return (addon = find({ bindings: 'better_sqlite3.node', module_root: root, path: true }))
}

/** `new Database(file, options)` with the addon found once per process. */
export function openSqlite(file: string | Buffer, options: Database.Options = {}): Database.Database {
  return new Database(file, { ...options, nativeBinding: nativeBinding() })
}
