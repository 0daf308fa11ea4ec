// Issue 25 items 1 and 3: `workspace show` carries the seller just set, and the
// seller's logo is kept in the database (size- and type-checked), frozen into
// each invoice at issue: the PDF has it from any folder, and replacing or
// deleting the file, or setting another logo, never changes an issued invoice.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type CliResult, cleanEnv, engineDb, WSB, wsb } from '../helpers/cli.js'
import { jpeg, pdfImageSizes, png } from '../helpers/images.js'
import { tempDir } from '../helpers/temp.js'

/** wsb run from a given folder (relative paths are the point here). */
function wsbIn(cwd: string, args: string[], db: string): CliResult {
  const out = spawnSync(process.execPath, [WSB, ...args], { cwd, env: cleanEnv({ WSB_DB: engineDb(db) }), encoding: 'utf8', timeout: 60_000 })
  return { code: out.status ?? -1, stdout: out.stdout, stderr: out.stderr, json: () => JSON.parse(out.stdout) }
}

function ok(result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stdout}\n${result.stderr}`)
  return result
}

/** A test-clock workspace with an account paying by card, ready to issue invoices. */
function billed(db: string): void {
  ok(wsb(['workspace', 'create', 'Acme', '--mode', 'single', '--test-clock', '--clock-start', '2026-01-01'], { db }))
  ok(wsb(['account', 'create', 'Globex', '--currency', 'EUR', '--country', 'DE'], { db }))
  ok(wsb(['pm', 'add', 'Globex', 'pm_card_visa'], { db }))
}

const subscribe = (db: string) => ok(wsb(['sub', 'add', 'Globex', '--item', 'users=2', '--no-trial', '--json'], { db })).json().id as string
const lastInvoice = (db: string) => (ok(wsb(['invoice', 'list', '--json'], { db })).json().invoices as { id: string }[]).at(-1)?.id as string

describe('workspace show carries the seller (issue 25 item 1)', () => {
  it('workspace show, human and --json, shows the seller right after workspace seller set', () => {
    const db = join(tempDir(), 'wsb.sqlite')
    ok(wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { db }))
    ok(wsb(['workspace', 'seller', 'set', '--legal-name', 'Acme Cloud GmbH', '--address', 'Hauptstraße 1', '--address', '10115 Berlin', '--country', 'DE', '--terms-days', '14'], { db }))
    const json = ok(wsb(['workspace', 'show', '--json'], { db })).json()
    expect(json.seller).toEqual({
      legalName: 'Acme Cloud GmbH',
      addressLines: ['Hauptstraße 1', '10115 Berlin'],
      country: 'DE',
      taxId: null,
      email: null,
      logo: null,
      footer: null,
      paymentTermsDays: 14,
    })
    const human = ok(wsb(['workspace', 'show'], { db })).stdout
    expect(human).toContain('Acme Cloud GmbH')
    expect(human).toContain('Hauptstraße 1, 10115 Berlin')
    expect(human).not.toContain('seller: not set')
    // workspace update without a change returns the workspace as it is, seller included.
    expect(ok(wsb(['workspace', 'update', 'Acme', '--name', 'Acme', '--json'], { db })).json().seller.legalName).toBe('Acme Cloud GmbH')
  })
})

describe('the seller logo is stored and frozen at issue (issue 25 item 3)', () => {
  it('R-INV-1 the PDF has the logo from another folder after the file is deleted; a new logo reaches new invoices only', () => {
    const db = join(tempDir(), 'wsb.sqlite')
    const home = tempDir()
    const elsewhere = tempDir()
    billed(db)
    writeFileSync(join(home, 'logo.png'), png(2, 1))
    // A relative path, as a person types it: the bytes are read now and stored.
    const set = ok(wsbIn(home, ['workspace', 'seller', 'set', '--legal-name', 'Acme Cloud GmbH', '--logo', 'logo.png', '--json'], db)).json()
    expect(set.logo).toMatchObject({ file: 'logo.png', mediaType: 'image/png', bytes: png(2, 1).length })
    expect(set.logo.sha256).toMatch(/^[0-9a-f]{64}$/)
    subscribe(db)
    const first = lastInvoice(db)
    rmSync(join(home, 'logo.png'))

    ok(wsbIn(elsewhere, ['invoice', 'pdf', first, '-o', 'first.pdf'], db))
    expect(pdfImageSizes(readFileSync(join(elsewhere, 'first.pdf')))).toEqual(['2x1'])

    // Another logo (a JPEG under the old name): the issued invoice keeps the one it was issued with.
    writeFileSync(join(home, 'logo.png'), jpeg())
    expect(ok(wsbIn(home, ['workspace', 'seller', 'set', '--logo', 'logo.png', '--json'], db)).json().logo).toMatchObject({ mediaType: 'image/jpeg' })
    subscribe(db)
    const second = lastInvoice(db)
    ok(wsbIn(elsewhere, ['invoice', 'pdf', first, '-o', 'first-again.pdf'], db))
    ok(wsbIn(elsewhere, ['invoice', 'pdf', second, '-o', 'second.pdf'], db))
    expect(readFileSync(join(elsewhere, 'first-again.pdf')).toString('latin1')).not.toContain('/DCTDecode')
    expect(pdfImageSizes(readFileSync(join(elsewhere, 'first-again.pdf')))).toEqual(['2x1'])
    expect(readFileSync(join(elsewhere, 'second.pdf')).toString('latin1')).toContain('/DCTDecode')
    expect(pdfImageSizes(readFileSync(join(elsewhere, 'second.pdf')))).toEqual(['1x1'])

    // The invoice carries the reference it froze; workspace show says the logo is stored.
    const shown = ok(wsb(['invoice', 'show', first, '--json'], { db })).json()
    expect(shown.seller.logo).toEqual(set.logo)
    // A logo under 1 KiB is said in bytes (not rounded up to "1 KiB").
    expect(ok(wsb(['workspace', 'show'], { db })).stdout).toContain(`logo.png (JPEG, ${jpeg().length} bytes, stored)`)

    // --remove-logo: later invoices have none; the first still has its own.
    ok(wsb(['workspace', 'seller', 'set', '--remove-logo'], { db }))
    subscribe(db)
    ok(wsbIn(elsewhere, ['invoice', 'pdf', lastInvoice(db), '-o', 'third.pdf'], db))
    expect(pdfImageSizes(readFileSync(join(elsewhere, 'third.pdf')))).toEqual([])
    ok(wsbIn(elsewhere, ['invoice', 'pdf', first, '-o', 'first-last.pdf'], db))
    expect(pdfImageSizes(readFileSync(join(elsewhere, 'first-last.pdf')))).toEqual(['2x1'])
  })

  it('a logo that is not a PNG or JPEG, too large, missing or a folder is refused (exit 2) and changes nothing', () => {
    const db = join(tempDir(), 'wsb.sqlite')
    const dir = tempDir()
    ok(wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { db }))
    ok(wsb(['workspace', 'seller', 'set', '--legal-name', 'Acme Cloud GmbH'], { db }))
    writeFileSync(join(dir, 'logo.png'), 'not an image, whatever the name says')
    // A PNG signature with nothing after it is not a PNG either.
    writeFileSync(join(dir, 'stub.png'), png(1, 1).subarray(0, 8))
    writeFileSync(join(dir, 'huge.png'), Buffer.concat([png(1, 1), Buffer.alloc(512 * 1024)]))
    mkdirSync(join(dir, 'folder.png'))
    const cases: [string, RegExp][] = [
      ['logo.png', /neither a PNG nor a JPEG/],
      ['stub.png', /neither a PNG nor a JPEG/],
      ['huge.png', /at most 512 KiB/],
      ['missing.png', /cannot read/],
      ['folder.png', /is a directory/],
    ]
    for (const [file, message] of cases) {
      const refused = wsb(['workspace', 'seller', 'set', '--logo', join(dir, file), '--json'], { db })
      expect(refused.code, file).toBe(2)
      expect(refused.json().error.message).toMatch(message)
    }
    expect(wsb(['workspace', 'seller', 'set', '--logo', join(dir, 'logo.png'), '--remove-logo'], { db }).code).toBe(2)
    expect(ok(wsb(['workspace', 'show', '--json'], { db })).json().seller.logo).toBeNull()
    expect(ok(wsb(['events', '--kind', 'workspace', '--json'], { db })).json().events.filter((e: { kind: string }) => e.kind === 'workspace.seller_set')).toHaveLength(1)
  })

  it('export | apply round-trips the logo inline: the same bytes in a fresh database, and no change on the same one', () => {
    const db = join(tempDir(), 'wsb.sqlite')
    const dir = tempDir()
    billed(db)
    writeFileSync(join(dir, 'logo.png'), png(3, 2))
    ok(wsb(['workspace', 'seller', 'set', '--legal-name', 'Acme Cloud GmbH', '--logo', join(dir, 'logo.png')], { db }))
    const exported = ok(wsb(['export'], { db })).stdout
    expect(exported).toContain(`logo: data:image/png;base64,${png(3, 2).toString('base64')}`)
    rmSync(join(dir, 'logo.png'))

    const again = ok(wsb(['apply', '-f', '-', '--json'], { db, input: exported })).json()
    expect(again.changed).toBe(false)
    const fresh = join(tempDir(), 'fresh.sqlite')
    const applied = ok(wsb(['apply', '-f', '-', '--json'], { db: fresh, input: exported })).json()
    expect(applied.actions.find((a: { kind: string }) => a.kind === 'seller')).toMatchObject({ action: 'create' })
    const original = ok(wsb(['workspace', 'show', '--json'], { db })).json().seller.logo
    expect(ok(wsb(['workspace', 'show', '--json'], { db: fresh })).json().seller.logo).toEqual({ ...original, file: null })
    expect(ok(wsb(['export'], { db: fresh })).stdout).toBe(exported)
  })

  it('an apply file names its logo by a path relative to the file; the same image again changes nothing', () => {
    const db = join(tempDir(), 'wsb.sqlite')
    const dir = tempDir()
    mkdirSync(join(dir, 'brand'))
    writeFileSync(join(dir, 'brand', 'logo.png'), png(4, 4))
    const file = join(dir, 'acme.yaml')
    writeFileSync(file, 'workspace:\n  name: Acme\n  mode: single\n  seller:\n    legalName: Acme Cloud GmbH\n    logo: brand/logo.png\n')
    const first = ok(wsbIn(tempDir(), ['apply', '-f', file, '--json'], db)).json()
    expect(first.actions.find((a: { kind: string }) => a.kind === 'seller').changes).toContain(`logo logo.png (${png(4, 4).length} bytes)`)
    expect(ok(wsbIn(tempDir(), ['apply', '-f', file, '--json'], db)).json().changed).toBe(false)
    writeFileSync(join(dir, 'brand', 'logo.png'), png(5, 5))
    expect(ok(wsbIn(tempDir(), ['apply', '-f', file, '--json'], db)).json().actions.find((a: { kind: string }) => a.kind === 'seller').action).toBe('update')
    rmSync(join(dir, 'brand'), { recursive: true })
    const missing = wsbIn(tempDir(), ['apply', '-f', file, '--json'], db)
    expect(missing.code).toBe(2)
    expect(missing.json().error.message).toMatch(/workspace\.seller: logo: cannot read/)
    expect(existsSync(join(dir, 'brand'))).toBe(false)
  })
})
