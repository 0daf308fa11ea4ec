// The seller identity of a workspace (issue 16): the issuer printed on its
// invoices. Setting it changes future invoices only: issued ones keep the
// identity frozen in their snapshot (R-INV-1).
import { eq } from 'drizzle-orm'
import { readFileSync } from 'node:fs'
import type { Ctx } from '../context.js'
import { invalid } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { one } from '../store/db.js'
import { type SellerIdentity, workspaces } from '../store/schema/index.js'

export type SellerInput = Partial<SellerIdentity>

/** A logo must be a PNG or JPEG file that can be read now: a broken one is refused here, not when a PDF is made. */
export function checkLogo(path: string): void {
  let head: Buffer
  try {
    head = readFileSync(path).subarray(0, 8)
  } catch (error) {
    throw invalid(`logo: cannot read "${path}": ${(error as Error).message}`, { logo: path })
  }
  const png = head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  const jpeg = head[0] === 0xff && head[1] === 0xd8
  if (!png && !jpeg) throw invalid(`logo: "${path}" is neither a PNG nor a JPEG file`, { logo: path })
}

/** The workspace's seller as stored (the resolved workspace row does not carry it: every command resolves one). */
export async function getSeller(ctx: Ctx): Promise<SellerIdentity | null> {
  return (await ctx.db.orm.select({ seller: workspaces.seller }).from(workspaces).where(eq(workspaces.id, ctx.workspace.id)).limit(1))[0]?.seller ?? null
}

/** Merges the given fields into the current identity; a legal name is needed once anything is set. */
export async function setSeller(ctx: Ctx, input: SellerInput): Promise<SellerIdentity> {
  const { db, workspace, now } = ctx
  return await db.write(async () => {
    const current = (await db.orm.select({ seller: workspaces.seller }).from(workspaces).where(eq(workspaces.id, workspace.id)).limit(1))[0]?.seller ?? null
    const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as SellerInput
    const next: SellerIdentity = {
      legalName: '',
      addressLines: [],
      country: null,
      taxId: null,
      email: null,
      logo: null,
      footer: null,
      paymentTermsDays: 0,
      ...current,
      ...defined,
    }
    if (!next.legalName) throw invalid('--legal-name: the seller needs a legal name (it heads every invoice)', { field: 'legalName' })
    if (next.logo) checkLogo(next.logo)
    const row = one(await db.orm.update(workspaces).set({ seller: next }).where(eq(workspaces.id, workspace.id)).returning())
    await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'workspace.seller_set', refs: { workspaceId: workspace.id }, data: { legalName: next.legalName } })
    return row.seller as SellerIdentity
  })
}
