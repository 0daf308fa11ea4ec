// The one base command (STYLE: Salesforce's SfCommand): commands return data;
// this class prints it as JSON (--json) or through the command's renderer, and
// maps every error to the spec's JSON object / one stderr line and exit code.
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { Command, Flags } from '@oclif/core'
import type { Input, ParserOutput } from '@oclif/core/interfaces'
import type * as z from 'zod/mini'
import { type Ctx, contextFor } from '../core/context.js'
import { ExitCode, invalid, isWsbError, WsbError } from '../core/errors.js'
import { earliestDue } from '../core/lifecycle/queue.js'
import { parseInput } from '../core/schemas.js'
import type { Db } from '../core/store/connect.js'
import { earliestDueAtResolve, resolveWorkspace } from '../core/workspaces/resolve.js'
import { paintErr } from '../render/colour.js'
import { fitLines, setWide } from '../render/terminal.js'
import { reportFailure, toFailure } from './failure.js'
import { databaseFiles, type Guarded } from './output-guard.js'
import { closest } from '../core/suggest.js'
import { toJson } from './json.js'
import { isPostgresUrl, parsePostgresUrl } from '../core/store/postgres-url.js'

// oclif's own (unexported) shapes of parsed flags and args.
// biome-ignore lint/suspicious/noExplicitAny: as oclif declares them
type FlagOutput = { [name: string]: any }
// biome-ignore lint/suspicious/noExplicitAny: as oclif declares them
type ArgOutput = { [name: string]: any }

/** No such file (ENOENT); a path through a regular file (ENOTDIR) is left to the opener's DB_UNWRITABLE. */
function missing(path: string): boolean {
  try {
    statSync(path)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
  }
}

export abstract class WsbCommand<T> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    db: Flags.string({
      summary: 'SQLite database file, or a postgres:// URL. Default: $XDG_DATA_HOME/wsb/wsb.sqlite.',
      env: 'WSB_DB',
      helpGroup: 'GLOBAL',
    }),
    wide: Flags.boolean({ summary: 'Show every field in full: on a terminal, each row as one field a line (tables otherwise fit its width).', helpGroup: 'GLOBAL' }),
  }

  private database: Db | undefined

  /**
   * Commands on the hot path (usage record, import, report) use prepared
   * statements only: they start without the query builder and its schema.
   */
  static lean = false

  /**
   * Commands that only read: once due steps have run, everything they read
   * comes from one snapshot (a read transaction), so a report or a verify that
   * spans several tables never mixes states of a concurrent writer.
   */
  static readOnly = false

  /**
   * Commands that create something (workspace create, apply) may create the
   * database file. Every other command refuses a file that does not exist
   * (DB_NOT_FOUND): a mistyped --db must not seed an empty database and go on.
   */
  static createsDatabase = false

  /** Lists and shows: on a terminal every line of their text is fitted to its width (never an export's YAML). */
  static fitsTerminal = false

  abstract override run(): Promise<T>

  /** Text for people; JSON output needs no renderer. */
  protected abstract render(result: T): string

  /** The database file: --db / WSB_DB, or the default in the oclif data directory. */
  protected databasePath(path: string | undefined): string {
    // A PostgreSQL URL's password is registered for redaction (by parsing it) before anything can print it.
    if (path !== undefined && isPostgresUrl(path)) parsePostgresUrl(path)
    // oclif reads an empty WSB_DB as unset: it would silently fall back to the default file.
    if (path === undefined && process.env.WSB_DB === '') throw invalid('the database path (WSB_DB) is empty: unset it or name a file', {}, 'INVALID_INPUT')
    return path ?? join(this.config.dataDir, 'wsb.sqlite')
  }

  /** What no output of this command may write: the database with the files beside it, and the command's `inputs`. */
  protected guardedFiles(db: string | undefined, inputs: readonly Guarded[] = []): Guarded[] {
    return [...databaseFiles(this.databasePath(db)), ...inputs]
  }

  protected async openDatabase(path: string | undefined, options: { quickCheck?: boolean } = {}): Promise<Db> {
    if (!this.database) {
      const file = this.databasePath(path)
      // A PostgreSQL URL: its store is loaded only when named, so SQLite commands start as fast as before.
      if (!isPostgresUrl(file) && file.trim() !== '' && !(this.ctor as typeof WsbCommand).createsDatabase && missing(file))
        throw new WsbError(
          'DB_NOT_FOUND',
          `no database at ${file}: check --db / WSB_DB, or create it with wsb init (wsb workspace create and wsb apply create one too)`,
          ExitCode.notFound,
          { path: file },
        )
      if (isPostgresUrl(file)) this.database = await (await import('../core/store/postgres/db.js')).openPostgresDb(file)
      // The store (better-sqlite3 with it) loads here, not with the command: wsb version and the help open none.
      else this.database = (this.ctor as typeof WsbCommand).lean ? (await import('../core/store/connect.js')).connect(file, options) : (await import('../core/store/open.js')).openDb(file, options)
    }
    return this.database
  }

  /**
   * Flags naming a record (an id or a name): an empty or blank value is a
   * mistake to say so (INVALID_INPUT), not a lookup that reports it NOT_FOUND.
   */
  static readonly refFlags: ReadonlySet<string> = new Set(['account', 'org', 'pool', 'after', 'workspace', 'parent', 'coupon', 'product'])

  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends ArgOutput>(
    options?: Input<F, B, A>,
    argv?: string[],
  ): Promise<ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    for (const [name, value] of Object.entries(parsed.flags as Record<string, unknown>)) {
      if (!WsbCommand.refFlags.has(name)) continue
      const values = Array.isArray(value) ? value : [value]
      if (values.some((one) => typeof one === 'string' && one.trim() === '')) throw invalid(`--${name}: must not be empty`, { flag: name })
    }
    return parsed
  }

  /** Validates one input value at the edge (zod), throwing INVALID_INPUT. */
  protected input<S extends z.ZodMiniType>(schema: S, value: unknown): z.output<S> {
    return parseInput(schema, value)
  }

  /** Work after a successful run, before output (the lifecycle hooks in here). */
  protected async afterRun(): Promise<void> {}

  protected override async _run<R>(): Promise<R> {
    try {
      const result = await super._run<R>()
      await this.database?.endSnapshot()
      if (result === undefined) return result
      try {
        await this.afterRun()
      } catch (error) {
        await this.catch(error as Error)
        return undefined as R
      }
      if (this.jsonEnabled()) process.stdout.write(`${toJson(this.successJson)}\n`)
      else {
        setWide(this.argv.includes('--wide'))
        const text = this.render(result as unknown as T)
        // Lists and shows fit the terminal line by line too (headings, key: value lines, trees).
        if (text) process.stdout.write(`${(this.ctor as typeof WsbCommand).fitsTerminal ? fitLines(text) : text}\n`)
      }
      return result
    } finally {
      this.database?.close()
      this.database = undefined
    }
  }

  private successJson: unknown

  /** Starts the read snapshot of a read-only command (its first read fixes what it sees). */
  protected async beginSnapshot(db: Db): Promise<void> {
    if ((this.ctor as typeof WsbCommand).readOnly) await db.beginSnapshot()
  }

  /** oclif hands the result over here; it is printed once the command's follow-up work succeeded. */
  protected override logJson(json: unknown): void {
    this.successJson = json
  }

  /**
   * Text for people to print on stdout before a failure's one-line error, for
   * commands whose failure is itself a report (doctor's violations). None by default.
   */
  protected renderFailure(_error: WsbError): string | undefined {
    return undefined
  }

  /** oclif's "Nonexistent flag: --jsno" with the closest flag of this command. */
  private withSuggestion(error: Error): Error {
    const typed = /Nonexistent flags?:\s*(--?[\w-]+)/.exec(error.message)?.[1]
    if (!typed) return error
    const ctor = this.ctor as typeof WsbCommand
    const flags = Object.keys({ ...ctor.flags, ...ctor.baseFlags, ...(ctor.enableJsonFlag ? { json: true } : {}) })
    const bare = typed.replace(/^-+/, '')
    // A flag this command does not have is never suggested back as itself (wsb serve has no --json).
    const guess = [closest(bare, flags)].find((g) => g !== bare)
    const help = `\`wsb ${this.id?.replaceAll(':', ' ') ?? ''} --help\``
    return invalid(`unknown flag ${typed}${guess ? `; did you mean --${guess}? See ${help}` : `; see ${help}`}`, { flag: typed, ...(guess ? { suggestion: `--${guess}` } : {}) })
  }

  protected override async catch(error: Error): Promise<void> {
    // oclif warns "did not parse its arguments" (a hint for developers, shown when
    // NODE_ENV is development or test) after any failed parse: the failure is the
    // user's input, already reported below, and stderr must stay one line.
    this.parsed = true
    const failure = toFailure(this.withSuggestion(error))
    process.exitCode = failure.exitCode
    if (failure.code === 'EXIT') return
    if (!this.jsonEnabled() && isWsbError(error)) {
      const text = this.renderFailure(error)
      if (text) process.stdout.write(`${text}\n`)
    }
    // stdout is the database or an input (output-guard.ts): the error goes to stderr only.
    const json = this.jsonEnabled() && !(error as { stdoutUnusable?: boolean }).stdoutUnusable
    reportFailure(failure, json, error, (text) => paintErr().red(text))
  }

}

/** Commands that act inside one workspace (--workspace, or the only one). */
export abstract class WorkspaceCommand<T> extends WsbCommand<T> {
  static override baseFlags = {
    ...WsbCommand.baseFlags,
    workspace: Flags.string({
      char: 'w',
      summary: 'Workspace id or name. Default: the only workspace in the database.',
      env: 'WSB_WORKSPACE',
      helpGroup: 'GLOBAL',
    }),
  }

  private workspaceUsed: { db: Db; id: string } | undefined

  /**
   * The workspace context, after running every lifecycle step that has fallen
   * due (R-WS-4): renewals, trial ends, scheduled changes, payment retries.
   */
  protected async context(flags: { db?: string; workspace?: string }, options: { workspaceOf?: (db: Db) => Promise<string> } = {}): Promise<Ctx> {
    const db = await this.openDatabase(flags.db)
    const ctx = contextFor(db, await this.workspace(db, flags.workspace, options.workspaceOf))
    this.workspaceUsed = { db, id: ctx.workspace.id }
    const current = (await this.catchUpIfDue(ctx)).ctx
    await this.beginSnapshot(db)
    return current
  }

  /**
   * --workspace, or the only one; with several and none given, the one that holds
   * what the command names (`workspaceOf`: an invoice number unique in the database).
   */
  private async workspace(db: Db, ref: string | undefined, workspaceOf?: (db: Db) => Promise<string>) {
    try {
      return await resolveWorkspace(db, ref)
    } catch (error) {
      if (!workspaceOf || !isWsbError(error) || error.code !== 'WORKSPACE_REQUIRED') throw error
      return await resolveWorkspace(db, await workspaceOf(db))
    }
  }

  /**
   * Runs the lifecycle steps due by the workspace's time. Nothing due costs one
   * indexed lookup; the lifecycle code is loaded only when something is due.
   */
  protected async catchUpIfDue(ctx: Ctx): Promise<{ steps: number; ctx: Ctx }> {
    // A database opened read-only shows its state as stored: nothing can be run.
    if (ctx.db.readOnly) return { steps: 0, ctx }
    // Read with the workspace when it was resolved (the same moment), or now.
    const seen = earliestDueAtResolve(ctx.workspace)
    const due = seen === undefined ? await earliestDue(ctx.db, ctx.workspace.id) : seen
    if (due === null || due > ctx.now) return { steps: 0, ctx }
    await import('../core/store/open.js')
    const { catchUp } = await import('../core/lifecycle/run.js')
    return catchUp(ctx)
  }

  /** Steps the command itself made due now (e.g. collecting an invoice it issued) run before output. */
  protected override async afterRun(): Promise<void> {
    if (!this.workspaceUsed) return
    const { db, id } = this.workspaceUsed
    await this.catchUpIfDue(contextFor(db, await resolveWorkspace(db, id)))
  }
}
