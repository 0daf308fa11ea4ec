'use strict'
// A V8 code cache for wsb's own bundles (Node 22 has module.enableCompileCache;
// Node 20 does not). Each bundle is compiled with the code V8 produced for it
// on an earlier run, which skips most parsing and compiling at start-up.
const fs = require('node:fs')
const path = require('node:path')
const vm = require('node:vm')
const Module = require('node:module')

function install(roots, cacheDir) {
  const pending = []
  const compile = Module.prototype._compile
  Module.prototype._compile = function (content, filename) {
    if (!roots.some((root) => filename.startsWith(root))) return compile.call(this, content, filename)
    const cacheFile = path.join(cacheDir, `${filename.slice(1).replace(/[\\/]/g, '_')}.${content.length}.v8`)
    let cachedData
    try {
      cachedData = fs.readFileSync(cacheFile)
    } catch {}
    // import() inside a bundle goes to Node's loader; the option is flagged experimental on Node 20: keep its warning quiet.
    const emitWarning = process.emitWarning
    process.emitWarning = (warning, ...rest) => (String(warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER') ? undefined : emitWarning.call(process, warning, ...rest))
    let script
    try {
      script = new vm.Script(Module.wrap(content), { filename, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER })
    } finally {
      process.emitWarning = emitWarning
    }
    if (!cachedData || script.cachedDataRejected) pending.push({ script, cacheFile })
    const wrapper = script.runInThisContext({ displayErrors: true })
    const dirname = path.dirname(filename)
    const require = (id) => this.require(id)
    require.resolve = (request, options) => Module._resolveFilename(request, this, false, options)
    require.main = process.mainModule
    require.cache = Module._cache
    return wrapper.call(this.exports, this.exports, require, this, filename, dirname)
  }
  // Caches are written at exit, when they hold the functions this run compiled.
  process.once('exit', () => {
    if (pending.length === 0) return
    try {
      fs.mkdirSync(cacheDir, { recursive: true })
      for (const { script, cacheFile } of pending) {
        const temp = `${cacheFile}.${process.pid}`
        fs.writeFileSync(temp, script.createCachedData())
        fs.renameSync(temp, cacheFile)
      }
    } catch {}
  })
}

module.exports = { install }
