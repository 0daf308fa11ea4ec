// The seller's logo (issue 25): its bytes are kept in the database
// (seller_logos, content-addressed by SHA-256 within the workspace, never
// changed or deleted), checked for size and type when given, and referenced
// from the seller and from each invoice's snapshot at issue. So a PDF has the
// logo from any folder, and replacing or deleting the file later changes no
// invoice already issued.
import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename } from 'node:path'
import { and, eq } from 'drizzle-orm'
import { invalid } from '../errors.js'
import type { Db } from '../store/open.js'
import { type LogoMediaType, type SellerLogo, sellerLogos } from '../store/schema/index.js'

/** Logos are printed 120 × 40 points: half a megabyte is plenty, and keeps invoices and exports small. */
export const MAX_LOGO_BYTES = 512 * 1024

/** A logo as given: its bytes and the name of the file they came from (null: inline). */
export type LogoInput = { data: Buffer; file: string | null }

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const kib = (n: number) => `${Math.round(n / 1024)} KiB`

/** The image type by its first bytes (a file's name or a data: URI's label are not trusted); anything else is refused. */
export function logoType(data: Buffer, what: string): LogoMediaType {
  if (data.length > MAX_LOGO_BYTES) throw invalid(`logo: ${what} is ${kib(data.length)}; a logo may be at most ${kib(MAX_LOGO_BYTES)}`, { bytes: data.length, maxBytes: MAX_LOGO_BYTES })
  // A PNG starts with its signature and then its IHDR chunk; a JPEG with SOI and a marker.
  if (data.length > 24 && data.subarray(0, 8).equals(PNG) && data.toString('latin1', 12, 16) === 'IHDR') return 'image/png'
  if (data.length > 4 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg'
  throw invalid(`logo: ${what} is neither a PNG nor a JPEG image`, { logo: what })
}

/** Reads a logo file (an input edge: `--logo FILE`, an apply file's path). */
export function readLogoFile(path: string): LogoInput {
  if (path.trim() === '') throw invalid('logo: must not be empty; give a PNG or JPEG file', { logo: path })
  let data: Buffer
  try {
    // The size first: a huge file (or /dev/zero) is refused without reading it.
    const stat = statSync(path)
    if (stat.isDirectory()) throw invalid(`logo: "${path}" is a directory; give a PNG or JPEG file`, { logo: path })
    if (stat.isFile() && stat.size > MAX_LOGO_BYTES)
      throw invalid(`logo: "${path}" is ${kib(stat.size)}; a logo may be at most ${kib(MAX_LOGO_BYTES)}`, { logo: path, bytes: stat.size, maxBytes: MAX_LOGO_BYTES })
    data = readFileSync(path)
  } catch (error) {
    if ((error as { code?: string }).code === 'INVALID_INPUT') throw error
    throw invalid(`logo: cannot read "${path}": ${(error as Error).message}`, { logo: path })
  }
  logoType(data, `"${path}"`)
  return { data, file: basename(path) }
}

const DATA_URI = /^data:(image\/png|image\/jpeg);base64,([A-Za-z0-9+/]*={0,2})$/

export const isDataUri = (text: string): boolean => text.startsWith('data:')

/** An inline logo, as `export` writes it: data:image/png;base64,… */
export function logoFromDataUri(uri: string): LogoInput {
  const match = DATA_URI.exec(uri.replace(/\s+/g, ''))
  if (!match) throw invalid('logo: expected a file path or a data:image/png;base64,… (or image/jpeg) URI', {})
  const data = Buffer.from(match[2] ?? '', 'base64')
  logoType(data, 'the inline image')
  return { data, file: null }
}

export const logoDataUri = (mediaType: string, data: Buffer): string => `data:${mediaType};base64,${data.toString('base64')}`

/** node:crypto is loaded only when a logo is stored: it costs milliseconds at start-up otherwise. */
export const sha256Of = (data: Buffer): string =>
  (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(data).digest('hex')

/** Keeps the bytes (once per workspace and content) and returns the reference the seller and invoices hold. */
export async function storeLogo(db: Db, workspaceId: string, logo: LogoInput, now: number): Promise<SellerLogo> {
  const mediaType = logoType(logo.data, logo.file ? `"${logo.file}"` : 'the image')
  const sha256 = sha256Of(logo.data)
  const key = and(eq(sellerLogos.workspaceId, workspaceId), eq(sellerLogos.sha256, sha256))
  const present = (await db.orm.select({ sha256: sellerLogos.sha256 }).from(sellerLogos).where(key).limit(1))[0]
  if (!present) await db.orm.insert(sellerLogos).values({ workspaceId, sha256, mediaType, bytes: logo.data.length, data: logo.data.toString('base64'), createdAt: now })
  return { sha256, mediaType, bytes: logo.data.length, file: logo.file }
}

/** The image to print for a logo reference: its stored bytes, or for an older wsb's path the path itself (read when drawn). */
export async function logoImage(db: Db, workspaceId: string, logo: SellerLogo | string | null | undefined): Promise<Buffer | string | undefined> {
  if (!logo) return undefined
  if (typeof logo === 'string') return logo
  const row = (await db.orm.select({ data: sellerLogos.data }).from(sellerLogos).where(and(eq(sellerLogos.workspaceId, workspaceId), eq(sellerLogos.sha256, logo.sha256))).limit(1))[0]
  return row ? Buffer.from(row.data, 'base64') : undefined
}
