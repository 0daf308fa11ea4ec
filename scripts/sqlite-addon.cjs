'use strict'
// better-sqlite3's native addon, for the package's JavaScript bundled into
// dist/ (scripts/build.mjs): the package's build/Release, else wherever
// bindings (the package's own finder) finds it with the package as its root.
// Bundled, the package cannot let bindings guess its root from the caller's
// file, and resolving and compiling its files from node_modules plus
// bindings' search cost each command that opens a database ~9 ms of CPU.
const fs = require('node:fs')
const path = require('node:path')

module.exports = function addon() {
  const root = path.dirname(require.resolve('better-sqlite3/package.json'))
  const built = path.join(root, 'build', 'Release', 'better_sqlite3.node')
  if (fs.existsSync(built)) return require(built)
  return require(require('bindings')({ bindings: 'better_sqlite3.node', module_root: root, path: true }))
}
