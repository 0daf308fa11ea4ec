// Builds dist/ for fast start-up (SPEC quality bar: within 2x of `node -e ''`):
// - dist/oclif.cjs: @oclif/core as one CommonJS file, shared by every command
//   through the package's "#oclif" import (one Command class for all);
// - dist/main.cjs and dist/commands/**/*.cjs: one CommonJS bundle per command,
//   holding only the code that command uses (heavy libraries load lazily);
// - oclif.manifest.json, so finding a command imports nothing else.
// CommonJS because Node 20 can reuse V8's compiled code only for scripts
// (bin/compile-cache.cjs); dynamic import() inside bundles is routed through
// the launcher, since code loaded from the cache cannot import() by itself.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname
const dist = join(root, 'dist')

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : []
  })
}

/** Packages left out of the bundles that our code import()s at run time. */
const lazyExternals = ['pdfkit', 'stripe']

/**
 * Packages oclif import()s that are bundled instead: oclif's Config.load asks
 * wsl-utils for the platform on every run, and importing it as ESM at run time
 * starts Node's ESM loader (~25 ms of every cold start).
 */
const bundledImports = ['wsl-utils']

/** Packages that dist/oclif.cjs takes from scripts/oclif/ instead (see each file). */
const oclifShims = { debug: join(root, 'scripts/oclif/debug.cjs'), 'wsl-utils': join(root, 'scripts/oclif/wsl-utils.mjs') }
const shimOclifPackages = {
  name: 'shim-oclif-packages',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${Object.keys(oclifShims).join('|')})$`) }, (args) =>
      args.importer.startsWith(join(root, 'scripts/oclif')) ? undefined : { path: oclifShims[args.path] },
    )
  },
}

/**
 * Edits to oclif's own files, each for a cost every start-up paid; the build
 * fails when one no longer applies (an oclif upgrade must look at it again).
 * - lib/index.js warns when Node does not satisfy the package's engines,
 *   loading semver and package.json on every run to find out; src/main.ts
 *   makes the same check for wsb's range (>=20) by comparing major versions.
 * - lib/config/plugin.js sorts the commands with localeCompare, whose first
 *   call builds ICU's collator (~5 ms); scripts/oclif/compare-ids.cjs gives
 *   the same order for command ids without it.
 * - lib/config/plugin-loader.js matches every dependency against every plugin
 *   pattern with minimatch (a compiled pattern per call); a pattern without a
 *   glob character, as wsb's plugin names are, matches only its own name.
 */
const oclifEdits = [
  { file: /[\\/]@oclif[\\/]core[\\/]lib[\\/]index\.js$/, from: /^checkNodeVersion\(\);$/m, to: '' },
  {
    file: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/,
    from: '.sort((a, b) => a.id.localeCompare(b.id));',
    to: `.sort((a, b) => require(${JSON.stringify(join(root, 'scripts/oclif/compare-ids.cjs'))})(a.id, b.id));`,
  },
  {
    file: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin-loader\.js$/,
    from: 'patterns.some((w) => (0, minimatch_1.minimatch)(p, w))',
    to: "patterns.some((w) => (/[*?[\\]{}()!\\\\]/.test(w) || w.startsWith('#') ? (0, minimatch_1.minimatch)(p, w) : p === w))",
  },
]
function editOclif(path, source) {
  let edited = source
  for (const edit of oclifEdits) {
    if (!edit.file.test(path)) continue
    const before = edited
    edited = edited.replace(edit.from, edit.to)
    if (edited === before) throw new Error(`scripts/build.mjs: the edit of ${path} no longer applies (${edit.from}); check it against this oclif version`)
  }
  return edited
}

/**
 * oclif's modules (TypeScript's CommonJS output) require every module they
 * might use at their top, so loading @oclif/core evaluated all of it (help,
 * config, plugins, ux, minimatch, semver, tinyglobby, ...) on every run. Each
 * top-level `const x_1 = require("…")` becomes a binding evaluated on first
 * use, `(x_1 ??= require("…"))`, and `exports.X = __importStar(require("…"))`
 * a getter: a command evaluates only the parts of oclif it touches.
 */
export function lazyRequires(source) {
  const declaration = /^(?:const|var) (\w+) = ((?:__importDefault\(|__importStar\()?require\((['"])[^'"]+\3\)\)?);$/
  const reexport = /^exports\.(\w+) = (__importStar\(require\((['"])[^'"]+\3\)\));$/
  const lazy = new Map()
  const declared = new Set()
  const lines = source.split('\n').map((line, index) => {
    const found = declaration.exec(line)
    if (found) {
      lazy.set(found[1], found[2])
      declared.add(index)
      return `let ${found[1]};`
    }
    const star = reexport.exec(line)
    if (star) return `let __lazy_${star[1]}; Object.defineProperty(exports, "${star[1]}", { enumerable: true, get: () => (__lazy_${star[1]} ??= ${star[2]}) });`
    return line
  })
  if (lazy.size === 0) return lines.join('\n')
  const use = new RegExp(`(?<![\\w$.])(${[...lazy.keys()].join('|')})(?![\\w$])`, 'g')
  return lines.map((line, index) => (declared.has(index) ? line : line.replace(use, (name) => `(${name} ??= ${lazy.get(name)})`))).join('\n')
}

/**
 * import(x) → the launcher's importer, when there is one (see bin/run.cjs):
 * every other import() in oclif (it loads ESM plugins), and ours of external
 * packages. Imports of our own modules stay as they are, for esbuild to bundle.
 */
const routeDynamicImport = {
  name: 'route-dynamic-import',
  setup(b) {
    const routed = '(globalThis.__wsbImport ?? ((s) => import(s)))('
    b.onLoad({ filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/ }, (args) => {
      const source = lazyRequires(editOclif(args.path, readFileSync(args.path, 'utf8')))
      return { contents: source.replace(new RegExp(`(?<![\\w.$'"\`])import\\((?!\\)|(['"])(?:${bundledImports.join('|')})\\1\\))`, 'g'), routed), loader: 'js' }
    })
    const ours = new RegExp(`(?<![\\w.$])import\\((['"])(${lazyExternals.join('|')})\\1\\)`, 'g')
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
      if (!ours.test(source)) return undefined
      ours.lastIndex = 0
      return { contents: source.replace(ours, (_, quote, name) => `${routed}${quote}${name}${quote})`), loader: 'ts' }
    })
  },
}

/**
 * Our source maps point into packages as published: drizzle-orm ships maps to
 * TypeScript sources it does not publish ("../src/entity.ts", which resolves to
 * node_modules/src/…), so a package's own sourceMappingURL is not followed.
 */
const packageFilesAsPublished = {
  name: 'package-files-as-published',
  setup(b) {
    // better-sqlite3 bundled: its addon is found from the package, not from the bundle's path.
    b.onLoad({ filter: /[\\/]node_modules[\\/]better-sqlite3[\\/]lib[\\/]database\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
      const from = "require('bindings')('better_sqlite3.node')"
      if (!source.includes(from)) throw new Error(`scripts/build.mjs: ${args.path} no longer loads its addon through bindings; check scripts/sqlite-addon.cjs against it`)
      return { contents: source.replace(from, `require(${JSON.stringify(join(root, 'scripts/sqlite-addon.cjs'))})()`), loader: 'js' }
    })
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
      if (!source.includes('//# sourceMappingURL=')) return undefined
      return { contents: source.replace(/^\/\/# sourceMappingURL=.*$/gm, ''), loader: 'js' }
    })
  },
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [routeDynamicImport, packageFilesAsPublished],
}

rmSync(dist, { recursive: true, force: true })

await build({
  ...common,
  stdin: { contents: "module.exports = require('@oclif/core')", resolveDir: root, sourcefile: 'oclif-entry.js' },
  outfile: join(dist, 'oclif.cjs'),
  plugins: [shimOclifPackages, routeDynamicImport, packageFilesAsPublished],
  // oclif's optional TypeScript support for development.
  external: ['typescript', 'tsx'],
})

// dist/pg.cjs: the PostgreSQL driver as one CommonJS file, loaded (through the
// package's "#pg" import) only when --db names a PostgreSQL URL. One file the
// code cache covers instead of ~40 modules parsed and compiled on every start.
// pg asks as it loads whether it runs in a Cloudflare Worker; on Node 20 (no
// `navigator`) it finds out by making a fetch Response, which loads Node's
// undici (~25 ms of every PostgreSQL command). wsb runs on Node only.
const pgNodeOnly = {
  name: 'pg-node-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
      const from = 'if (isCloudflareRuntime()) {'
      if (!source.includes(from)) throw new Error(`scripts/build.mjs: ${args.path} no longer checks isCloudflareRuntime() as expected; check pg-node-only against it`)
      return { contents: source.replace(from, 'if (false) {'), loader: 'js' }
    })
  },
}
await build({
  ...common,
  stdin: { contents: "module.exports = require('pg')", resolveDir: root, sourcefile: 'pg-entry.js' },
  outfile: join(dist, 'pg.cjs'),
  plugins: [pgNodeOnly, ...common.plugins],
  // Optional parts pg reaches only on request: the libpq binding and Cloudflare's sockets.
  external: ['pg-native', 'pg-cloudflare'],
})

// cli/help: the help class oclif loads (package.json oclif.helpClass) for --help.
const entryPoints = { main: join(root, 'src/main.ts'), 'cli/help': join(root, 'src/cli/help.ts') }
for (const file of files(join(root, 'src/commands'))) entryPoints[relative(join(root, 'src'), file).replace(/\.ts$/, '')] = file
// The SQLite writer thread of `wsb serve` (src/server/writer.ts starts it from this file).
entryPoints['server/writer-worker'] = join(root, 'src/server/writer-worker.ts')

await build({
  ...common,
  entryPoints,
  outdir: dist,
  outExtension: { '.js': '.cjs' },
  // @oclif/core: the shared dist/oclif.cjs ("#oclif" in package.json imports);
  // better-sqlite3's JavaScript is bundled, its native addon found by
  // scripts/sqlite-addon.cjs, so bindings, its own finder, stays outside;
  // pdfkit reads its font files from its own package; the Stripe SDK is large
  // and loaded only with a Stripe key; pg (dist/pg.cjs, "#pg") is required only
  // when --db names a PostgreSQL URL (the PostgreSQL store is reached by
  // import() and initialised lazily), so SQLite runs never load it.
  external: ['bindings', 'better-sqlite3/package.json', 'typescript', 'tsx', ...lazyExternals, '#oclif', '#pg'],
  alias: { '@oclif/core': '#oclif', pg: '#pg' },
  // import.meta.url as a getter: made when asked for, not as each bundle loads.
  define: { 'import.meta': '__wsbImportMeta' },
  banner: { js: "const __wsbImportMeta = { get url() { return require('node:url').pathToFileURL(__filename).href } };" },
})

// dist/pdfkit.cjs: pdfkit and fontkit as one CommonJS bundle ("#pdfkit"), which
// `invoice pdf` requires when it draws (render/pdf-engine.ts): a script, so the V8
// code cache covers it, where import('pdfkit') went through Node's ESM loader. One
// fontkit for both (the font coverage check and pdfkit's embedding). What loading
// it did that wsb never needs is swapped out (scripts/pdf-shims.cjs): brotli (WOFF2),
// AES (encryption), and tiny-inflate for native zlib.
await build({
  ...common,
  stdin: { contents: "module.exports = { PDFDocument: require('pdfkit'), fontkit: require('fontkit') }", resolveDir: root, sourcefile: 'pdfkit-entry.js' },
  outfile: join(dist, 'pdfkit.cjs'),
  alias: {
    'brotli/decompress.js': join(root, 'scripts/pdf-shim-brotli.cjs'),
    '@noble/ciphers/aes': join(root, 'scripts/pdf-shim-aes.cjs'),
    'tiny-inflate': join(root, 'scripts/pdf-shim-inflate.cjs'),
  },
})

rmSync(join(root, 'oclif.manifest.json'), { force: true })
execFileSync(join(root, 'node_modules/.bin/oclif'), ['manifest'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true' },
})
