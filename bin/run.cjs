#!/usr/bin/env node
'use strict'
// Starts wsb from the bundles in dist/ (npm run build), with V8's code cache.
const path = require('node:path')
const { pathToFileURL } = require('node:url')

// oclif and its dependencies ask os.homedir() as they load, which throws when
// HOME is unset and the uid has no password entry: say so under the contract.
try {
  require('node:os').homedir()
} catch {
  const message = `no home directory: HOME is unset and uid ${process.getuid?.()} has no entry in the password database; set HOME`
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: 'NO_HOME', message, details: {} } }, null, 2)}\n`)
  else process.stderr.write(`Error: ${message} [NO_HOME]\n`)
  process.exit(2)
}

// Code restored from a code cache cannot import() on its own; bundles call this.
globalThis.__wsbImport = (specifier) => import(specifier)
// The bundles require oclif as "#oclif" (package.json "imports"), which Node
// resolves through its ESM resolver, reading package scopes, at each require;
// from here it is always the one file.
const Module = require('node:module')
const oclif = path.join(__dirname, '..', 'dist', 'oclif.cjs')
const resolveFilename = Module._resolveFilename
Module._resolveFilename = function resolveOclif(request, ...rest) {
  return request === '#oclif' ? oclif : resolveFilename.call(this, request, ...rest)
}
if (!process.env.WSB_NO_CODE_CACHE) require('./compile-cache.cjs').install(path.join(__dirname, '..', 'dist'))
require('../dist/main.cjs').main(pathToFileURL(__filename).href)
