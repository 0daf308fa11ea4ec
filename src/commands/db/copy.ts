import { existsSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { WsbCommand } from '../../cli/base-command.js'
import { progressBar } from '../../cli/progress.js'
import { type DbCopyResult, copyDatabase } from '../../core/db/copy.js'
import { invalid, notFound } from '../../core/errors.js'
import { wholeNumber } from '../../core/schemas.js'
import { isPostgresUrl, parsePostgresUrl } from '../../core/store/postgres-url.js'
import { renderDbCopy } from '../../render/db.js'

export default class DbCopy extends WsbCommand<DbCopyResult> {
  static override summary = 'Copy the whole SQLite database into an empty PostgreSQL database, then check the copy.'
  static override description = `Copies every workspace with its full history (ledger, invoices, payment attempts, events, notifications) from the --db file into the PostgreSQL database at --to, in one transaction: a failure leaves the target empty. The file is read in one snapshot, so other processes may keep writing it meanwhile (their later writes are not copied). An empty target is migrated first; a target that holds any wsb data is refused (DB_NOT_EMPTY), one of another application too (DB_NOT_WSB). The copy is then checked: row counts equal to the file's, doctor and usage verify clean on the target.`
  static override examples = [
    "<%= config.bin %> db copy --to 'postgresql://wsb:secret@db.internal:5432/wsb'",
    "<%= config.bin %> db copy --db ./wsb.sqlite --to 'postgresql://wsb@db.internal/wsb?sslmode=verify-full' --json",
  ]
  static override flags = {
    to: Flags.string({ summary: 'The PostgreSQL database to copy into (postgres:// URL); it must be empty.', helpValue: 'URL', required: true }),
    'batch-size': Flags.string({ summary: 'Rows between progress updates and Ctrl-C checks. Default 5000.', helpValue: 'N' }),
  }

  async run(): Promise<DbCopyResult> {
    const { flags } = await this.parse(DbCopy)
    // Parsing registers the target's password for redaction before anything can print it.
    if (!isPostgresUrl(flags.to)) throw invalid(`--to must be a postgres:// or postgresql:// URL (db copy copies a SQLite file into PostgreSQL): ${flags.to}`, { to: flags.to })
    parsePostgresUrl(flags.to)
    const batchRows = flags['batch-size'] === undefined ? undefined : wholeNumber('--batch-size', flags['batch-size'])
    if (batchRows === 0) throw invalid('--batch-size: expected at least 1 row')
    const path = this.databasePath(flags.db)
    if (isPostgresUrl(path))
      throw invalid(`db copy reads a SQLite file, and --db names a PostgreSQL database (${parsePostgresUrl(path).display}); copy between PostgreSQL databases with pg_dump and pg_restore`, {})
    // Opening a missing file would create an empty one and copy nothing: a typo must not pass.
    if (!existsSync(path)) throw notFound('database', path)
    const source = await this.openDatabase(path)
    const progress = await progressBar({ json: this.jsonEnabled(), unit: 'rows' })
    // Ctrl-C: the copy stops after the batch being written and rolls back (or, once committed, its checks stop);
    // the error says which, and the bar's stop gives the terminal its line wrap back.
    const stop = new AbortController()
    const interrupt = () => stop.abort()
    process.once('SIGINT', interrupt)
    try {
      return await copyDatabase(source, flags.to, { batchRows, stop: stop.signal, progress: (table, done, total) => progress.update(done, `${table}: ${done} of ${total} rows`) })
    } finally {
      process.off('SIGINT', interrupt)
      progress.stop()
    }
  }

  protected render(result: DbCopyResult): string {
    return renderDbCopy(result)
  }
}
