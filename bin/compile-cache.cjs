'use strict'
// A V8 code cache for wsb's own bundles in dist/: Node 22 has
// module.enableCompileCache, Node 20 does not. Each bundle is compiled with the
// code V8 produced for it on an earlier run, which skips most parsing and
// compiling at start-up. V8 checks the data against the source and ignores a
// stale or damaged cache, so the worst case is a normal, slower start.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const vm = require('node:vm')
const Module = require('node:module')

function cacheDirectory(dist) {
  const inPackage = path.join(dist, '.v8-cache')
  try {
    fs.mkdirSync(inPackage, { recursive: true })
    fs.accessSync(inPackage, fs.constants.W_OK)
    return inPackage
  } catch {
    // An installed, read-only package: a directory only this user writes.
    try {
      return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'wsb', 'v8')
    } catch {
      return undefined // no home at all (a uid without a password entry, HOME unset): no cache
    }
  }
}

function install(dist) {
  const directory = cacheDirectory(dist)
  if (directory === undefined) return
  const fresh = []
  const compile = Module.prototype._compile
  Module.prototype._compile = function compileWithCache(content, filename) {
    if (!filename.startsWith(dist) || !filename.endsWith('.cjs')) return compile.call(this, content, filename)
    const cacheFile = path.join(directory, `${path.relative(dist, filename).replace(/[\\/]/g, '__')}.${content.length}.v8`)
    let cachedData
    try {
      cachedData = fs.readFileSync(cacheFile)
    } catch {}
    const script = new vm.Script(Module.wrap(content), { filename, cachedData })
    if (!cachedData || script.cachedDataRejected) fresh.push({ script, cacheFile })
    const require = (id) => this.require(id)
    require.resolve = (request, options) => Module._resolveFilename(request, this, false, options)
    require.main = process.mainModule
    require.cache = Module._cache
    return script.runInThisContext({ displayErrors: true }).call(this.exports, this.exports, require, this, filename, path.dirname(filename))
  }
  // Written at exit, so the cache holds every function this run compiled.
  process.once('exit', () => {
    if (fresh.length === 0) return
    try {
      fs.mkdirSync(directory, { recursive: true, mode: 0o700 })
      for (const { script, cacheFile } of fresh) {
        const temporary = `${cacheFile}.${process.pid}`
        fs.writeFileSync(temporary, script.createCachedData())
        fs.renameSync(temporary, cacheFile)
      }
    } catch {
      // A cache that cannot be written only costs speed.
    }
  })
}

module.exports = { install }
