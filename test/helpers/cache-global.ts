// vitest globalSetup: one cache folder for the run ($XDG_CACHE_HOME: the PDF
// font subsets of render/pdf-embedding.ts, the V8 code cache of a read-only
// package), shared by every test and every process they start, removed at the
// end, so no test writes into the real ~/.cache.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'wsb-test-cache-'))
  process.env.XDG_CACHE_HOME = dir
  return () => rmSync(dir, { recursive: true, force: true })
}
