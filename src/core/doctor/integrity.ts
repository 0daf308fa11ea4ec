// The file itself, before any rule of SPEC.md: SQLite's own integrity_check
// (every page, every index against its table). It reads the whole file, about
// 0.9 s for 185 MB on a 2-core machine, so above INTEGRITY_FULL_MAX_BYTES doctor
// runs quick_check instead (0.2 s for the same file): the same page checks
// without comparing indexes to their tables.
import { statSync } from 'node:fs'
import { type Check, defineCheck } from './check.js'

export const INTEGRITY_FULL_MAX_BYTES = 256 * 1024 * 1024
/** Enough problems to tell a damaged page from a damaged file; SQLite stops there. */
const MAX_PROBLEMS = 100

/** SQLite's result codes for a damaged file. */
export const isCorruption = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
}

const fileSize = (path: string): number => {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

export const databaseIntegrity: Check = defineCheck(
  'database-integrity',
  'storage',
  `the file passes SQLite's integrity_check (quick_check above ${INTEGRITY_FULL_MAX_BYTES / 1024 / 1024} MiB)`,
  async (scope) => {
    const pragma = fileSize(scope.db.path) > INTEGRITY_FULL_MAX_BYTES ? 'quick_check' : 'integrity_check'
    try {
      const problems = await scope.db.checkIntegrity(pragma === 'integrity_check', MAX_PROBLEMS)
      return problems.map((message) => ({ ids: {}, message: `${pragma}: ${message}` }))
    } catch (error) {
      if (!isCorruption(error)) throw error
      return [{ ids: {}, message: `${pragma}: ${(error as Error).message}` }]
    }
  },
)
