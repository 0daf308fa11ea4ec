// Builds dist/: one ESM bundle per command plus shared chunks (esbuild code
// splitting), so each command loads only the code it uses; then the oclif
// manifest, so no command file is imported to list or find commands.
import { execFileSync } from 'node:child_process'
import { readdirSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : []
  })
}

const entryPoints = { main: join(root, 'src/main.ts') }
for (const file of files(join(root, 'src/commands'))) {
  entryPoints[relative(join(root, 'src'), file).replace(/\.ts$/, '')] = file
}

rmSync(join(root, 'dist'), { recursive: true, force: true })
await build({
  entryPoints,
  outdir: join(root, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // Native addon; oclif's optional TypeScript support for development; pdfkit
  // reads its font files from its own package at run time; the Stripe SDK is
  // large and loaded only when a Stripe key is set.
  external: ['better-sqlite3', 'typescript', 'tsx', 'pdfkit', 'stripe'],
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS dependencies expect require/__filename/__dirname.
  banner: {
    js: [
      "import { createRequire as __wsbRequire } from 'node:module';",
      "import { fileURLToPath as __wsbPath } from 'node:url';",
      'const require = __wsbRequire(import.meta.url);',
      'const __filename = __wsbPath(import.meta.url);',
      "const __dirname = __filename.replace(/[\\\\/][^\\\\/]*$/, '');",
    ].join(' '),
  },
})

rmSync(join(root, 'oclif.manifest.json'), { force: true })
execFileSync(join(root, 'node_modules/.bin/oclif'), ['manifest'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true' },
})
