#!/usr/bin/env node
'use strict'
// Starts wsb from the bundles in dist/ (npm run build), with V8's code cache.
const path = require('node:path')
const { pathToFileURL } = require('node:url')

// Code restored from a code cache cannot import() on its own; bundles call this.
globalThis.__wsbImport = (specifier) => import(specifier)
if (!process.env.WSB_NO_CODE_CACHE) require('./compile-cache.cjs').install(path.join(__dirname, '..', 'dist'))
require('../dist/main.cjs').main(pathToFileURL(__filename).href)
