// What one run of the built CLI loads and runs (issue 24, start-up): the files
// Node loads (wsb's bundles in dist/, package files, native addons), the Node
// built-in modules wsb's code and its packages require, and, inside the
// bundles, which of wsb's source modules and which bundled packages ran any
// code. Read from V8's coverage of the run (NODE_V8_COVERAGE) mapped through
// the bundles' source maps, and from a preload that notes built-in requires.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cleanEnv, WSB } from './cli.js'
import { tempDir } from './temp.js'

export type Loaded = {
  /** wsb's bundles that ran (dist/…). */
  bundles: string[]
  /** Packages with code that ran: bundled into dist/ or loaded from node_modules. */
  packages: string[]
  /** wsb's own source modules (src/…) with code that ran. */
  modules: string[]
  /** The files of @oclif/core with code that ran (dist/oclif.cjs evaluates each on first use). */
  oclif: string[]
  /** Node built-in modules required by wsb or its packages. */
  builtins: string[]
}

const root = fileURLToPath(new URL('../..', import.meta.url))

/** Notes each built-in module required through the CommonJS loader (all of wsb's code and packages run as CommonJS). */
const PRELOAD = `
const Module = require('node:module')
const builtins = new Set()
const load = Module._load
Module._load = function (request, ...rest) {
  if (Module.isBuiltin(request)) builtins.add(request.replace(/^node:/, ''))
  return load.call(this, request, ...rest)
}
process.on('exit', () => require('node:fs').writeFileSync(process.env.WSB_TEST_BUILTINS, JSON.stringify([...builtins])))
`

type Coverage = { result: { url: string; functions: { functionName: string; ranges: { startOffset: number; count: number }[] }[] }[] }

/** The package a node_modules path belongs to (@scope/name or name), else undefined. */
function packageOf(path: string): string | undefined {
  const parts = path.split(/[\\/]/)
  const at = parts.lastIndexOf('node_modules')
  if (at === -1) return undefined
  return parts[at + 1]?.startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1]
}

/** Line and column (zero-based) of each offset in `text`. */
function positions(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return (offset) => {
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if ((starts[mid] as number) <= offset) low = mid
      else high = mid - 1
    }
    return { line: low, column: offset - (starts[low] as number) }
  }
}

/** Runs `wsb args` and lists what it loaded. The run's code cache is off, so V8 compiles (and counts) everything it runs. */
export function loadedBy(args: string[], env: Record<string, string | undefined> = {}): Loaded & { stdout: string; stderr: string; code: number | null } {
  const dir = tempDir()
  const coverage = join(dir, 'coverage')
  const preload = join(dir, 'preload.cjs')
  const builtinsFile = join(dir, 'builtins.json')
  writeFileSync(preload, PRELOAD)
  const out = spawnSync(process.execPath, ['--require', preload, WSB, ...args], {
    env: cleanEnv({ ...env, NODE_V8_COVERAGE: coverage, WSB_NO_CODE_CACHE: '1', WSB_TEST_BUILTINS: builtinsFile }),
    input: '',
    encoding: 'utf8',
    timeout: 60_000,
  })
  const bundles = new Set<string>()
  const packages = new Set<string>()
  const modules = new Set<string>()
  const oclif = new Set<string>()
  for (const file of readdirSync(coverage)) {
    const { result } = JSON.parse(readFileSync(join(coverage, file), 'utf8')) as Coverage
    for (const script of result) {
      if (!script.url.startsWith('file:')) continue
      const path = fileURLToPath(script.url)
      if (path === preload) continue
      const ran = script.functions.filter((fn) => (fn.ranges[0]?.count ?? 0) > 0)
      if (ran.length === 0) continue
      const inPackage = packageOf(relative(root, path))
      if (inPackage !== undefined) {
        packages.add(inPackage)
        continue
      }
      const name = relative(root, path)
      if (!name.startsWith('dist/')) continue
      bundles.add(name)
      // Inside a bundle: where each function that ran came from (the bundle's own top level and esbuild's helpers map to no source).
      const text = readFileSync(path, 'utf8')
      const at = positions(text)
      const map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')))
      const mapDir = join(path, '..')
      for (const fn of ran) {
        const start = fn.ranges[0]?.startOffset ?? 0
        if (start === 0) continue
        const { line, column } = at(start)
        const entry = map.findEntry(line, column) as { originalSource?: string }
        if (!entry.originalSource) continue
        const source = relative(root, entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : join(mapDir, entry.originalSource))
        const bundled = packageOf(source)
        if (bundled === '@oclif/core') oclif.add(source.slice(source.lastIndexOf('@oclif/core/')))
        if (bundled !== undefined) packages.add(bundled)
        else if (source.startsWith('src/')) modules.add(source)
      }
    }
  }
  let builtins: string[] = []
  try {
    builtins = JSON.parse(readFileSync(builtinsFile, 'utf8'))
  } catch {
    // The run ended before its exit handler (a crash): no list.
  }
  const sorted = (set: Iterable<string>) => [...set].sort()
  return { bundles: sorted(bundles), packages: sorted(packages), modules: sorted(modules), oclif: sorted(oclif), builtins: sorted(builtins), stdout: out.stdout, stderr: out.stderr, code: out.status }
}
