import { Flags } from '@oclif/core'
import { WsbCommand } from '../cli/base-command.js'
import { wholeNumber } from '../core/schemas.js'
import { engineOf } from '../core/store/engine.js'
import { parsePostgresUrl } from '../core/store/postgres-url.js'
import { DEFAULT_MAX_BATCH, DEFAULT_MAX_QUEUE } from '../core/usage/group-commit.js'
import { parseListen } from '../server/listen.js'
import { type LogFormat, logger } from '../server/log.js'
import { startServer } from '../server/server.js'

export default class Serve extends WsbCommand<undefined> {
  static override enableJsonFlag = false
  static override summary = 'Serve the workspace API: product services report usage over HTTP, decided in real time.'
  static override description = `Reports (POST /v1/usage, /v1/usage/batch) are decided exactly as "usage record" decides them and
answered only after their transaction has committed; reports arriving together share one commit.
Requests carry a workspace API key (wsb apikey create). SIGTERM or SIGINT drains: what is queued is
committed and answered, then the server exits 0. See docs/api.md for routes, fields and errors.`
  static override examples = [
    '<%= config.bin %> serve --db /var/lib/wsb/wsb.sqlite',
    '<%= config.bin %> serve --db "postgres://wsb@db.internal/wsb" --listen 0.0.0.0:8787 --log-format json',
  ]
  static override flags = {
    listen: Flags.string({ summary: 'Address to listen on: HOST:PORT (port 0 picks a free one).', default: '127.0.0.1:8787', helpValue: 'HOST:PORT' }),
    'log-format': Flags.string({ summary: 'Log lines on stdout as text or JSON.', options: ['text', 'json'], default: 'text' }),
    'request-timeout': Flags.string({ summary: 'Seconds a client has to send a whole request; slower ones get 408. Default 30.', helpValue: 'SECONDS' }),
    'max-queue': Flags.string({ summary: `Reports waiting for a commit before requests get 429. Default ${DEFAULT_MAX_QUEUE}.`, helpValue: 'N' }),
    'max-batch': Flags.string({ summary: `Most reports in one transaction. Default ${DEFAULT_MAX_BATCH}.`, helpValue: 'N' }),
  }

  async run(): Promise<undefined> {
    const { flags } = await this.parse(Serve)
    const { host, port } = parseListen(flags.listen)
    const positive = (flag: string, value: string | undefined) => (value === undefined ? undefined : Math.max(1, wholeNumber(`--${flag}`, value)))
    const timeout = positive('request-timeout', flags['request-timeout'])
    const target = this.databasePath(flags.db)
    const engine = engineOf(target)
    const writer = await this.openDatabase(flags.db)
    const server = await startServer({
      host,
      port,
      target,
      engine,
      display: engine === 'postgres' ? parsePostgresUrl(target).display : target,
      writer,
      log: logger(flags['log-format'] as LogFormat),
      version: this.config.version,
      requestTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
      maxQueue: positive('max-queue', flags['max-queue']),
      maxBatch: positive('max-batch', flags['max-batch']),
    })
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'))
      process.once('SIGINT', () => resolve('SIGINT'))
    })
    await server.stop(signal)
    return undefined
  }

  protected render(): string {
    return ''
  }
}
