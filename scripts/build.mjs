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
      const source = readFileSync(args.path, 'utf8')
      if (!/\bimport\(/.test(source)) return undefined
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
  plugins: [routeDynamicImport],
}

rmSync(dist, { recursive: true, force: true })

await build({
  ...common,
  stdin: { contents: "module.exports = require('@oclif/core')", resolveDir: root, sourcefile: 'oclif-entry.js' },
  outfile: join(dist, 'oclif.cjs'),
  // oclif's optional TypeScript support for development.
  external: ['typescript', 'tsx'],
})

// cli/help: the help class oclif loads (package.json oclif.helpClass) for --help.
const entryPoints = { main: join(root, 'src/main.ts'), 'cli/help': join(root, 'src/cli/help.ts') }
for (const file of files(join(root, 'src/commands'))) entryPoints[relative(join(root, 'src'), file).replace(/\.ts$/, '')] = file

await build({
  ...common,
  entryPoints,
  outdir: dist,
  outExtension: { '.js': '.cjs' },
  // @oclif/core: the shared dist/oclif.cjs ("#oclif" in package.json imports);
  // better-sqlite3: a native addon; pdfkit reads its font files from its own
  // package; the Stripe SDK is large and loaded only with a Stripe key; pg is
  // required only when --db names a PostgreSQL URL (the PostgreSQL store is
  // reached by import() and initialised lazily), so SQLite runs never load it.
  external: ['better-sqlite3', 'typescript', 'tsx', 'pg', ...lazyExternals, '#oclif'],
  alias: { '@oclif/core': '#oclif' },
  define: { 'import.meta.url': '__wsbImportMetaUrl' },
  banner: { js: "const __wsbImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
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
