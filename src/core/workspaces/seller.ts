// The seller identity of a workspace (issue 16): the issuer printed on its
// invoices. Setting it changes future invoices only: issued ones keep the
// identity frozen in their snapshot (R-INV-1), the logo included (logo.ts).
import { eq } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { invalid } from '../errors.js'
import { recordEvent } from '../events/record.js'
import type { Db } from '../store/open.js'
import { one } from '../store/db.js'
import { type SellerIdentity, workspaces } from '../store/schema/index.js'
import { type LogoInput, storeLogo } from './logo.js'

/** Fields to change (undefined: keep); the logo as bytes to store, or null to remove it. */
export type SellerInput = Partial<Omit<SellerIdentity, 'logo'>> & { logo?: LogoInput | null }

/** A workspace's seller as stored (the resolved workspace row does not carry it: every command resolves one). */
export async function sellerOf(db: Db, workspaceId: string): Promise<SellerIdentity | null> {
  return await db.memo(`seller:${workspaceId}`, ['workspaces.seller'], async () =>
    (await db.orm.select({ seller: workspaces.seller }).from(workspaces).where(eq(workspaces.id, workspaceId)).limit(1))[0]?.seller ?? null)
}

export const getSeller = async (ctx: Ctx): Promise<SellerIdentity | null> => await sellerOf(ctx.db, ctx.workspace.id)

/** Merges the given fields into the current identity; a legal name is needed once anything is set. */
export async function setSeller(ctx: Ctx, input: SellerInput): Promise<SellerIdentity> {
  const { db, workspace, now } = ctx
  return await db.write(async () => {
    const current = await sellerOf(db, workspace.id)
    const { logo, ...fields } = input
    const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<SellerIdentity>
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
    if (logo !== undefined) next.logo = logo === null ? null : await storeLogo(db, workspace.id, logo, now)
    const row = one(await db.orm.update(workspaces).set({ seller: next }).where(eq(workspaces.id, workspace.id)).returning())
    await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'workspace.seller_set', refs: { workspaceId: workspace.id }, data: { legalName: next.legalName } })
    return row.seller as SellerIdentity
  })
}
