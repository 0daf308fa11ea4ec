import { WsbCommand } from '../cli/base-command.js'
import { type InitResult, initDatabase } from '../core/store/init.js'
import { renderInit } from '../render/init.js'

export default class Init extends WsbCommand<InitResult> {
  static override createsDatabase = true
  static override summary = 'Create the database (--db, WSB_DB or the default file) and nothing else.'
  static override description = `Creates the SQLite file (and its folder) with wsb's schema, or wsb's schema in an existing
PostgreSQL database. On a database that already exists it changes nothing but bringing an older
schema up to date, and says so; running it again is harmless. Other commands that only read refuse
a database that does not exist (DB_NOT_FOUND).`
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --db ./billing.sqlite',
    '<%= config.bin %> init --db postgres://wsb@db.internal/billing --json',
  ]

  async run(): Promise<InitResult> {
    const { flags } = await this.parse(Init)
    return initDatabase(this.databasePath(flags.db))
  }

  protected render(result: InitResult): string {
    return renderInit(result)
  }
}
