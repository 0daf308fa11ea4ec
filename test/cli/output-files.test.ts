// Output files and stdout under failure: -o files are replaced whole or not at
// all (a temporary file, fsync, rename), paths that are not regular files are
// refused up front without blocking, a --results file that fills the disk stops
// the import with the normal error object, and a failing stdout is one line on
// stderr (a closed pipe: nothing at all). The full disk is a real one: a tiny
// tmpfs mounted in a user namespace (unshare), skipped where that is not allowed.
import { spawnSync } from 'node:child_process'
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectFailure } from '../helpers/abuse.js'
import { abuseFixture } from '../helpers/abuse-setup.js'
import { cleanEnv, type CliResult, engineDb, WSB, wsb } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

const canMountTmpfs = (() => {
  const dir = tempDir()
  return spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=8k tmpfs ${dir}`]).status === 0
})()

/**
 * Runs `script` (sh) in a mount namespace where `disk` is a new 8 KiB tmpfs
 * holding `files`, filled up to the last byte before the script runs.
 * $WSB runs the CLI. What the script leaves is copied to `keep` for the test.
 */
function onFullDisk(db: string, files: Record<string, string>, script: string): { code: number; stdout: string; stderr: string; kept: string } {
  const disk = tempDir()
  const kept = tempDir()
  const setup = Object.entries(files)
    .map(([name, content]) => `printf '%s' '${content}' > ${disk}/${name}`)
    .join(' && ')
  const whole = [
    `mount -t tmpfs -o size=8k tmpfs ${disk}`,
    setup || 'true',
    `(dd if=/dev/zero of=${disk}/filler bs=512 2>/dev/null || true)`,
    `${script}; code=$?`,
    `rm -f ${disk}/filler; cp -a ${disk}/. ${kept}/; exit $code`,
  ].join(' && ')
  const out = spawnSync('unshare', ['-rm', 'sh', '-c', whole], {
    env: cleanEnv({ WSB_DB: engineDb(db), WSB: `${process.execPath} ${WSB}`, DISK: disk }),
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { code: out.status ?? -1, stdout: out.stdout, stderr: out.stderr, kept }
}

const asResult = (out: { code: number; stdout: string; stderr: string }): CliResult => ({ ...out, json: () => JSON.parse(out.stdout) })

/** Runs wsb with stdout on a file descriptor (e.g. /dev/full). */
function wsbTo(fd: number, args: string[], db: string): CliResult {
  const out = spawnSync(process.execPath, [WSB, ...args], { env: cleanEnv({ WSB_DB: engineDb(db) }), stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 60_000 })
  return { code: out.status ?? -1, stdout: '', stderr: String(out.stderr), json: () => undefined }
}

describe('output files (-o): whole or not at all', () => {
  it.skipIf(!canMountTmpfs)('export -o and invoice pdf -o on a full disk: OUTPUT_IO (exit 1), the old file untouched, no new or temporary file', () => {
    const f = abuseFixture()
    const out = onFullDisk(
      f.db,
      { 'prev.yaml': 'old export\n', 'old.pdf': 'old pdf\n' },
      `$WSB export -o $DISK/prev.yaml --json > $DISK/../export.json; echo "export=$?"; $WSB invoice pdf ${f.invoiceId} -o $DISK/old.pdf; echo "pdf=$?"; $WSB invoice pdf ${f.invoiceId} -o $DISK/new.pdf; echo "new=$?"`,
    )
    expect(out.stdout, out.stderr).toContain('export=1')
    expect(out.stdout).toContain('pdf=1')
    expect(out.stdout).toContain('new=1')
    expect(readFileSync(join(out.kept, 'prev.yaml'), 'utf8')).toBe('old export\n')
    expect(readFileSync(join(out.kept, 'old.pdf'), 'utf8')).toBe('old pdf\n')
    expect(readdirSync(out.kept).sort()).toEqual(['old.pdf', 'prev.yaml'])
    const lines = out.stderr.trim().split('\n')
    expect(lines).toHaveLength(2)
    for (const line of lines) expect(line).toMatch(/^Error: cannot write .*(old|new)\.pdf: ENOSPC.* \[OUTPUT_IO\]$/)
  })

  it('a folder, a path ending in /, a FIFO or a device as -o: OUTPUT_UNWRITABLE (exit 2) at once, nothing written or created', () => {
    const f = abuseFixture()
    const dir = tempDir()
    const fifo = join(dir, 'pipe')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    const cases: [string[], string][] = [
      [['export', '-o', `${join(dir, 'new-folder')}/`], 'names a folder'],
      [['export', '-o', dir], 'it is a folder'],
      [['export', '-o', fifo], 'not a regular file'],
      [['export', '-o', '/dev/null'], 'not a regular file'],
      [['invoice', 'pdf', f.invoiceId, '-o', fifo], 'not a regular file'],
      [['invoice', 'pdf', f.invoiceId, '-o', `${join(dir, 'x')}/`], 'names a folder'],
    ]
    // The FIFO has no reader: opening it to write would block for ever, so an answer at all (exit 2,
    // not the helper's kill after 60 s, exit -1) shows the command never opened it.
    for (const [args, why] of cases) {
      const json = expectFailure(wsb([...args, '--json'], { db: f.db }), { exit: 2, code: 'OUTPUT_UNWRITABLE' }, args.join(' '))
      expect(json.message).toContain(why)
      expectFailure(wsb(args, { db: f.db }), { exit: 2, code: 'OUTPUT_UNWRITABLE' }, args.join(' '))
    }
    expect(readdirSync(dir)).toEqual(['pipe'])
    expect(lstatSync(fifo).isFIFO()).toBe(true)
  })

  it('export -o over an existing file keeps its permissions, follows a symbolic link, and leaves no temporary file', () => {
    const f = abuseFixture()
    const dir = tempDir()
    const file = join(dir, 'state.yaml')
    writeFileSync(file, 'old\n')
    chmodSync(file, 0o600)
    const out = wsb(['export', '-o', file], { db: f.db })
    expect(out.code, out.stderr).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(wsb(['export'], { db: f.db }).stdout)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const link = join(dir, 'latest.yaml')
    symlinkSync(file, link)
    writeFileSync(file, 'old again\n')
    expect(wsb(['export', '-o', link], { db: f.db }).code).toBe(0)
    expect(readlinkSync(link)).toBe(file)
    expect(readFileSync(file, 'utf8')).toMatch(/^version: 1\n/)
    expect(readdirSync(dir).sort()).toEqual(['latest.yaml', 'state.yaml'])
  })
})

describe('usage import --results on a full disk', () => {
  const reports = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ org: 'Sales', product: 'users', delta: 1, key: `r-${i + 1}` })).join('\n')

  it('R-USE-6 --results /dev/full: stops after the first batch, the JSON error object on stdout says how many lines were committed, exit 1', () => {
    const f = abuseFixture()
    const input = join(tempDir(), 'in.ndjson')
    writeFileSync(input, `${reports(50)}\n`)
    const json = expectFailure(wsb(['usage', 'import', input, '--results', '/dev/full', '--batch-size', '10', '--json'], { db: f.db }), {
      exit: 1,
      code: 'OUTPUT_IO',
      details: { file: '/dev/full', reason: 'ENOSPC', linesCommitted: 10, resultsWritten: 0, accepted: 10, lines: 10 },
    })
    expect(json.message).toMatch(/stopped after 10 committed lines \(0 results written\)/)
    expectFailure(wsb(['usage', 'import', input, '--results', '/dev/full', '--batch-size', '10'], { db: f.db }), { exit: 1, code: 'OUTPUT_IO' })
    // Exactly the committed batch was applied (the second run replayed it, and stopped again).
    const again = wsb(['usage', 'import', input, '--json'], { db: f.db })
    expect(again.code, again.stderr).toBe(0)
    expect(again.json()).toMatchObject({ lines: 50, replayed: 10, accepted: 40 })
  })

  it.skipIf(!canMountTmpfs)('R-USE-6 a --results file that fills a real disk holds whole lines, one per committed line before the failure', () => {
    const f = abuseFixture()
    const input = join(tempDir(), 'in.ndjson')
    writeFileSync(input, `${reports(90)}\n`)
    const out = onFullDisk(f.db, { 'acks.ndjson': '' }, `rm -f $DISK/filler && dd if=/dev/zero of=$DISK/filler bs=1024 count=3 2>/dev/null; $WSB usage import ${input} --results $DISK/acks.ndjson --batch-size 7 --json`)
    const error = expectFailure(asResult(out), { exit: 1, code: 'OUTPUT_IO', details: { reason: 'ENOSPC' } })
    const { linesCommitted, resultsWritten } = error.details as { linesCommitted: number; resultsWritten: number }
    const acks = readFileSync(join(out.kept, 'acks.ndjson'), 'utf8')
    expect(resultsWritten).toBeGreaterThan(0)
    expect(linesCommitted).toBe(resultsWritten + 7)
    expect(acks.endsWith('\n')).toBe(true)
    const lines = acks.trimEnd().split('\n').map((line) => JSON.parse(line))
    expect(lines.map((r) => r.line)).toEqual(Array.from({ length: resultsWritten }, (_, i) => i + 1))
  })
})

describe('a failing stdout', () => {
  it('--json > /dev/full (and text, and --help): exit 1 with one line on stderr, never a dump of code', () => {
    const f = abuseFixture()
    const full = openSync('/dev/full', 'w')
    try {
      for (const args of [['org', 'list', '--json'], ['org', 'list'], ['export'], ['--help'], ['org', 'lis', '--json']]) {
        const out = wsbTo(full, args, f.db)
        expect(out.code, args.join(' ')).toBe(1)
        expect(out.stderr, args.join(' ')).toMatch(/^Error: cannot write the output: ENOSPC: no space left on device \[OUTPUT_IO\]\n$/)
      }
      // A failure that prints nothing on stdout keeps its own code and line.
      const missing = wsbTo(full, ['org', 'show', 'Nowhere'], f.db)
      expect(missing.code).toBe(3)
      expect(missing.stderr).toMatch(/^Error: .*\[NOT_FOUND\]\n$/)
    } finally {
      closeSync(full)
    }
  })

  it('a closed pipe (wsb … | true): exits quietly', () => {
    const f = abuseFixture()
    mkdirSync(join(tempDir(), 'x'), { recursive: true })
    for (const args of ['export', 'org list --json', '--help']) {
      const out = spawnSync('bash', ['-c', `sleep 0 | ${process.execPath} ${WSB} ${args} | true; echo "status=\${PIPESTATUS[1]}"`], { env: cleanEnv({ WSB_DB: engineDb(f.db) }), encoding: 'utf8' })
      expect(out.stdout.trim(), args).toBe('status=0')
      expect(out.stderr, args).toBe('')
    }
    expect(wsb(['doctor', '--json'], { db: f.db }).json()).toMatchObject({ ok: true })
  })
})
