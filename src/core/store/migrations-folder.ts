// Where an engine's drizzle-kit migrations are (migrations/sqlite/,
// migrations/postgres/), found from this module's own location so that both
// the source tree and the installed bundles find them; and the newest one.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export type Engine = 'sqlite' | 'postgres'

type Journal = { entries: { idx: number; when: number; tag: string }[] }

const folders = new Map<Engine, string>()

export function migrationsFolderOf(engine: Engine): string {
  const cached = folders.get(engine)
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'migrations', engine)
    if (existsSync(join(candidate, 'meta', '_journal.json'))) {
      folders.set(engine, candidate)
      return candidate
    }
    const up = dirname(dir)
    if (up === dir) throw new Error(`wsb is installed without its migrations/${engine}/ folder`)
    dir = up
  }
}

/** The newest migration in a folder (its journal's last `when`). */
export function newestMigration(folder: string): number {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal
  return journal.entries.at(-1)?.when ?? 0
}
