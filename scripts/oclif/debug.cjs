'use strict'
// Stands in for the `debug` package inside dist/oclif.cjs (scripts/build.mjs).
// oclif's logger makes a debug logger on every run, and `debug` loads tty, net
// and the stream modules with it; with DEBUG unset every logger it makes is
// disabled anyway. So the real package is loaded only when DEBUG is set.
function disabled(namespace) {
  const log = () => {}
  log.namespace = namespace
  log.enabled = false
  log.extend = (name, delimiter = ':') => disabled(`${namespace}${delimiter}${name}`)
  return log
}

module.exports = function createDebug(namespace) {
  return process.env.DEBUG ? require('../../node_modules/debug/src/index.js')(namespace) : disabled(namespace)
}
