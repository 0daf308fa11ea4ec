// What `wsb init` did, in one or two lines.
import type { InitResult } from '../core/store/init.js'

const engineName = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const

export function renderInit(result: InitResult): string {
  const where = `${engineName[result.engine]} database ${result.database}`
  const next = 'Next: wsb workspace create NAME --mode single|assigned|pooled'
  // A PostgreSQL database is never created by wsb: it exists (CREATE DATABASE) and wsb makes its schema in it.
  if (result.created && result.engine === 'postgres') return `Made wsb's schema in the existing ${where} (${result.migrations} migrations).\n${next}`
  if (result.created) return `Created the ${where} (${result.migrations} migrations).\n${next}`
  if (result.migrationsApplied > 0)
    return `The ${where} already exists; brought its schema up to date (${result.migrationsApplied} migrations applied).`
  return `The ${where} already exists and is up to date; nothing changed.`
}
