// Issue 15: Ctrl-C is an answer, not a crash. During usage import the batch
// being written commits, then the run stops, says what was committed and the
// line to resume from, and exits 130; at the mode prompt it says "canceled".
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, constants, existsSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cleanEnv, engineDb, WSB, wsb } from '../helpers/cli.js'
import { acmeDb } from '../helpers/acme.js'
import { tempDbPath, tempDir } from '../helpers/temp.js'
import { hasTmux, noTmux, Tmux } from '../helpers/tmux.js'

const hasScript = spawnSync('script', ['--version']).status === 0
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until the 3 reports k1..k3 (1 + 2 + 3 users) are committed: the import has written its partial batch. */
async function committedSix(db: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (wsb(['usage', 'report', '--by', 'product', '--json'], { db }).json().products?.[0]?.used === 6) return
    await sleep(100)
  }
  throw new Error('the 3 reports were not committed within 20 s')
}

/** Opens a FIFO for writing once its reader (the command in the pane) has opened it. */
async function fifoWriter(path: string): Promise<number> {
  for (let i = 0; i < 300; i++) {
    try {
      return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error
      await sleep(100)
    }
  }
  throw new Error(`nothing opened ${path} for reading within 30 s`)
}

describe('interrupts (issue 15)', () => {
  it('SIGINT during usage import from a stream: the 3 committed lines stay, the summary names line 4 to resume from with the same --db and --workspace, exit 130', async () => {
    const db = acmeDb()
    const child = spawn(process.execPath, [WSB, 'usage', 'import', '-'], { env: cleanEnv({ WSB_DB: engineDb(db) }), stdio: ['pipe', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    for (const n of [1, 2, 3]) child.stdin.write(`{"org":"Sales","product":"users","delta":${n},"key":"k${n}"}\n`)
    // The input pauses, so the partial batch commits; wait until the report shows it (3 users: 1 + 2 + 3 = 6).
    await committedSix(db)
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(stderr).toContain('interrupted: 3 lines committed (3 accepted')
    expect(stderr).toContain('resume from line 4')
    expect(stderr).toContain('[INTERRUPTED]')
    expect(wsb(['usage', 'report', '--by', 'product', '--json'], { db }).json().products[0]).toMatchObject({ product: 'users', used: 6 })
    // Issue 25: the resume line names the same database and workspace (here both came from the
    // environment), so pasted into another shell, elsewhere, it imports where the run stopped.
    const workspace = wsb(['workspace', 'list', '--json'], { db }).json().workspaces[0].id
    const resume = /feed the input from line 4 on to wsb (usage import - --workspace (\S+) --db (\S+))/.exec(stderr)
    expect(resume?.[2]).toBe(workspace)
    expect(resume?.[3]).toMatch(engineDb(db).startsWith('postgres') ? /^("\$WSB_DB"|'?postgres)/ : new RegExp(`^${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`))
    const rest = [4, 5, 6].map((n) => `{"org":"Sales","product":"users","delta":${n},"key":"k${n}"}\n`).join('')
    const pasted = spawnSync('bash', ['-c', `${process.execPath} ${WSB} ${resume?.[1]}`], {
      cwd: tempDir(),
      // A paste names the database itself; only a PostgreSQL URL with a password is read from $WSB_DB, where it came from.
      env: cleanEnv(resume?.[3] === '"$WSB_DB"' ? { WSB_DB: engineDb(db) } : {}),
      input: rest,
      encoding: 'utf8',
    })
    expect(pasted.stderr).toBe('')
    expect(pasted.status).toBe(0)
    expect(wsb(['usage', 'report', '--by', 'product', '--json'], { db }).json().products[0]).toMatchObject({ product: 'users', used: 21 })
  })

  it.runIf(hasTmux)(`Ctrl-C typed into a real terminal (tmux) during usage import: the 3 committed lines stay, the summary names line 4 to resume from, exit 130, line wrap back on${noTmux}`, async () => {
    const db = acmeDb()
    // Reports come through a FIFO the test writes (usage import reads a pipe, not a
    // terminal); stderr is the pane, where the progress bar turns line wrap off.
    const fifo = join(tempDir(), 'reports.fifo')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    const tmux = new Tmux()
    let feed: number | undefined
    try {
      const pane = tmux.start([process.execPath, WSB, 'usage', 'import', '-'], { WSB_DB: engineDb(db) }, fifo)
      feed = await fifoWriter(fifo)
      for (const n of [1, 2, 3]) writeSync(feed, `{"org":"Sales","product":"users","delta":${n},"key":"k${n}"}\n`)
      await committedSix(db)
      expect(tmux.format(pane, '#{wrap_flag}')).toBe('0')
      tmux.sendKeys(pane, 'C-c')
      expect(await tmux.exited(pane)).toBe(130)
      const screen = tmux.capture(pane, true).join('\n')
      expect(screen).toContain('interrupted: 3 lines committed (3 accepted')
      expect(screen).toContain('resume from line 4')
      expect(screen).not.toContain('UNEXPECTED')
      expect(tmux.format(pane, '#{wrap_flag}')).toBe('1')
      expect(wsb(['usage', 'report', '--by', 'product', '--json'], { db }).json().products[0]).toMatchObject({ product: 'users', used: 6 })
    } finally {
      if (feed !== undefined) closeSync(feed)
      tmux.kill()
    }
  })

  it.runIf(hasScript)('Ctrl-C at the mode prompt of workspace create (in a pty): "canceled", exit 130, no unexpected error, nothing created', () => {
    const db = tempDbPath()
    const keys = `sleep 2; printf '\\003'; sleep 2`
    const command = `${process.execPath} ${WSB} workspace create Prompted; echo "exit=$?"`
    const out = spawnSync('bash', ['-c', `(${keys}) | script -qfec '${command}' /dev/null`], {
      env: cleanEnv({ WSB_DB: engineDb(db), TERM: 'xterm' }),
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(out.stdout).toContain('canceled')
    expect(out.stdout).toContain('exit=130')
    expect(out.stdout).not.toContain('UNEXPECTED')
    // Nothing created: no workspace (PostgreSQL), or no database file at all (SQLite: DB_NOT_FOUND).
    const listed = wsb(['workspace', 'list', '--json'], { db })
    if (process.env.WSB_TEST_ENGINE === 'postgres') expect([listed.code, listed.json().workspaces]).toEqual([0, []])
    else expect([listed.code, listed.json().error.code]).toEqual([3, 'DB_NOT_FOUND'])
  })
})

describe('small things people expect (issue 15)', () => {
  it('did-you-mean for a mistyped command and flag (exit 2)', () => {
    const command = wsb(['invoce', 'list'])
    expect(command.code).toBe(2)
    expect(command.stderr).toContain('did you mean "invoice list"?')
    const flag = wsb(['workspace', 'list', '--jsno'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain('did you mean --json?')
  })

  it('wsb version prints the package version; apply speaks in the past tense after applying, of the future in a dry run', () => {
    expect(wsb(['version', '--json']).json()).toMatchObject({ version: '0.1.0', node: process.version })
    const db = tempDbPath()
    const file = 'version: 1\nworkspace: { name: Tense, mode: single }\norganizations: [ { name: A }, { name: B } ]\n'
    expect(wsb(['apply', '-f', '-', '--dry-run'], { db, input: file }).stdout).toContain('3 to create, 0 to update')
    expect(wsb(['apply', '-f', '-'], { db, input: file }).stdout).toContain('3 created, 0 updated, 0 unchanged.')
  })

  it('-o - writes export and invoice pdf to stdout, and no file named "-"', () => {
    const db = tempDbPath()
    const file = `version: 1
workspace: { name: Acme, mode: single }
accounts: [ { name: Acme Inc, currency: USD, paymentMethods: [ pm_card_visa ], subscriptions: [ { label: main, items: { users: 5 }, trial: false } ] } ]
`
    expect(wsb(['apply', '-f', '-'], { db, input: file }).code).toBe(0)
    const exported = wsb(['export', '-o', '-'], { db })
    expect(exported.stdout).toContain('name: Acme')
    expect(existsSync('-')).toBe(false)
    const invoices = wsb(['invoice', 'list', '--json'], { db }).json().invoices
    expect(invoices.length).toBeGreaterThan(0)
    {
      const pdf = spawnSync(process.execPath, [WSB, 'invoice', 'pdf', invoices[0].id, '-o', '-'], { env: cleanEnv({ WSB_DB: engineDb(db) }) })
      expect(pdf.status).toBe(0)
      expect(pdf.stdout.subarray(0, 5).toString()).toBe('%PDF-')
    }
  })
})
