// A process that opens a PostgreSQL database the way wsb does, for the
// concurrency tests: it connects once the parent writes "go" on stdin, so
// several processes race for one new database, and prints what opening did.
import { openPostgres } from '../../src/core/store/postgres/open.js'

const url = process.argv[2] as string
process.stdout.write('ready\n')
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()))
try {
  const handle = await openPostgres(url)
  process.stdout.write(`${JSON.stringify({ ok: true, ...handle.migration })}\n`)
  await handle.close()
} catch (error) {
  const e = error as { code?: string; message?: string }
  process.stdout.write(`${JSON.stringify({ ok: false, code: e.code, message: e.message })}\n`)
  process.exitCode = 1
}
process.stdin.destroy()
