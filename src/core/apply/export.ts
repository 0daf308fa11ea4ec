// `wsb export` (issue 7): the current state of a workspace in the apply file
// format, so `export | apply` round-trips. Subscriptions carry their label (or
// their id, which apply also matches) and the quantities and interval they will
// have once scheduled changes apply. Prices are listed when they differ from
// the seeded catalog. Usage is each org's own level.
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { mapSerial } from '../serial.js'
import { defaultMonthlyPrices, seededProducts } from '../catalog/seed.js'
import { iso } from '../clock.js'
import type { Ctx } from '../context.js'
import { loadTree, pathOf } from '../orgs/tree.js'
import { loadLimits } from '../orgs/view.js'
import {
  accountDiscounts,
  billingAccounts,
  contributingStatuses,
  coupons,
  creditEntries,
  type Interval,
  paymentMethods,
  prices,
  products,
  scheduledChanges,
  subscriptionItems,
  type SellerIdentity,
  type SellerLogo,
  subscriptions,
} from '../store/schema/index.js'
import type { ApplyFile, OrgInput } from './schema.js'
import { listTaxRates } from '../invoices/tax-rates.js'
import { getSeller } from '../workspaces/seller.js'
import { logoDataUri, logoImage } from '../workspaces/logo.js'
import { listAlerts } from '../usage/alerts.js'

const seeded = new Set<string>(seededProducts.map((p) => p.key))

/** Whether an active price is exactly the one every workspace is seeded with. */
function isSeededPrice(row: typeof prices.$inferSelect): boolean {
  const monthly = defaultMonthlyPrices[row.product]?.[row.currency]
  if (!monthly || row.scheme !== monthly.scheme) return false
  const factor = row.interval === 'year' ? 10 : 1
  if (row.scheme === 'per_unit') return row.unitAmount === (monthly.unitAmount ?? 0) * factor
  return JSON.stringify(row.tiers) === JSON.stringify(monthly.tiers?.map((t) => ({ ...t, unitAmount: t.unitAmount * factor, flatAmount: t.flatAmount * factor })))
}

/** The seller as the apply file states it (only the fields that are set); the logo inline, so the file is whole by itself. */
async function sellerSpec(ctx: Ctx, seller: SellerIdentity): Promise<NonNullable<ApplyFile['workspace']['seller']>> {
  const image = await logoImage(ctx.db, ctx.workspace.id, seller.logo)
  const logo = image === undefined ? undefined : typeof image === 'string' ? image : logoDataUri((seller.logo as SellerLogo).mediaType, image)
  return {
    legalName: seller.legalName,
    ...(seller.addressLines.length ? { address: seller.addressLines } : {}),
    ...(seller.country ? { country: seller.country } : {}),
    ...(seller.taxId ? { taxId: seller.taxId } : {}),
    ...(seller.email ? { email: seller.email } : {}),
    ...(logo ? { logo } : {}),
    ...(seller.footer ? { footer: seller.footer } : {}),
    ...(seller.paymentTermsDays ? { termsDays: seller.paymentTermsDays } : {}),
  }
}

export async function exportWorkspace(ctx: Ctx): Promise<ApplyFile> {
  const { db, workspace } = ctx
  const ws = workspace.id
  const file: ApplyFile = {
    version: 1,
    workspace: {
      name: workspace.name,
      mode: workspace.mode,
      ...(workspace.clockMode === 'test' ? { testClock: true, clockStart: iso(ctx.now) } : {}),
    },
  }
  const seller = await getSeller(ctx)
  if (seller) file.workspace.seller = await sellerSpec(ctx, seller)
  const rates = (await listTaxRates(ctx)).taxRates
  if (rates.length > 0)
    file.taxRates = rates.map((r) => ({ country: r.country, ...(r.region ? { region: r.region } : {}), rate: r.rate, name: r.name }))

  const active = (await db.orm.select().from(prices).where(and(eq(prices.workspaceId, ws), eq(prices.active, true))).orderBy(sql.raw(db.creationOrder)))
  const productRows = (await db.orm.select().from(products).where(eq(products.workspaceId, ws)).orderBy(sql.raw(db.creationOrder)))
  const exportedProducts = productRows
    .map((product) => ({
      key: product.key,
      ...(product.name !== product.key ? { name: product.name } : {}),
      prices: active
        .filter((price) => price.product === product.key && !isSeededPrice(price))
        .map((price) =>
          price.scheme === 'per_unit'
            ? { currency: price.currency, interval: price.interval, unitAmount: price.unitAmount ?? 0 }
            : {
                currency: price.currency,
                interval: price.interval,
                tiersMode: price.scheme as 'volume' | 'graduated',
                tiers: (price.tiers ?? []).map((t) => ({ upTo: t.upTo === null ? ('inf' as const) : t.upTo, unitAmount: t.unitAmount, ...(t.flatAmount ? { flatAmount: t.flatAmount } : {}) })),
              },
        ),
    }))
    .filter((product) => !seeded.has(product.key) || product.prices.length > 0)
  if (exportedProducts.length) file.products = exportedProducts

  const couponRows = (await db.orm.select().from(coupons).where(eq(coupons.workspaceId, ws)).orderBy(sql.raw(db.creationOrder)))
  if (couponRows.length)
    file.coupons = couponRows.map((c) => ({
      code: c.code,
      ...(c.name !== c.code ? { name: c.name } : {}),
      ...(c.percentOffMilli !== null ? { percentOff: c.percentOffMilli / 1000 } : { amountOff: c.amountOff ?? 0, currency: c.currency ?? undefined }),
      duration: c.duration,
      ...(c.durationInvoices !== null ? { invoices: c.durationInvoices } : {}),
    }))

  const tree = await loadTree(db, ws)
  const limits = await loadLimits(db, ws)
  const levels = new Map<string, Record<string, number>>()
  for (const row of (await db.all('SELECT org_id, product, level FROM usage_levels WHERE workspace_id = ? AND level > 0 ORDER BY product', ws)) as { org_id: string; product: string; level: number }[])
    levels.set(row.org_id, { ...(levels.get(row.org_id) ?? {}), [row.product]: row.level })
  // Built top-down with an explicit stack: a recursive build overflowed on deep trees.
  const node = (orgId: string): OrgInput => ({
    name: tree.byId.get(orgId)?.name ?? orgId,
    ...(Object.keys(limits.get(orgId) ?? {}).length ? { limits: limits.get(orgId) } : {}),
    ...(levels.has(orgId) ? { usage: levels.get(orgId) } : {}),
  })
  const roots = (tree.children.get(null) ?? []).map((root) => node(root.id))
  const stack = (tree.children.get(null) ?? []).map((root, i) => ({ id: root.id, out: roots[i] as OrgInput }))
  for (let next = stack.pop(); next; next = stack.pop()) {
    const kids = tree.children.get(next.id) ?? []
    if (kids.length === 0) continue
    next.out.children = kids.map((kid) => node(kid.id))
    kids.forEach((kid, i) => stack.push({ id: kid.id, out: (next.out.children as OrgInput[])[i] as OrgInput }))
  }
  if (roots.length) file.organizations = roots

  const accounts = (await db.orm.select().from(billingAccounts).where(eq(billingAccounts.workspaceId, ws)).orderBy(sql.raw(db.creationOrder)))
  if (accounts.length)
    file.accounts = await mapSerial(accounts, async (account) => {
      const discount = (await db.orm
        .select({ code: coupons.code })
        .from(accountDiscounts)
        .innerJoin(coupons, eq(coupons.id, accountDiscounts.couponId))
        .where(eq(accountDiscounts.accountId, account.id)).limit(1))[0]
      const credits = (await db.orm
        .select()
        .from(creditEntries)
        .where(and(eq(creditEntries.accountId, account.id), sql`${creditEntries.invoiceId} IS NULL`))
        .orderBy(asc(creditEntries.id)))
      const methods = (await db.orm.select({ source: paymentMethods.source }).from(paymentMethods).where(eq(paymentMethods.accountId, account.id)).orderBy(sql.raw(db.creationOrder)))
      const subs = (await db.orm
        .select()
        .from(subscriptions)
        .where(and(eq(subscriptions.accountId, account.id), inArray(subscriptions.status, [...contributingStatuses])))
        .orderBy(sql.raw(db.creationOrder)))
      return {
        name: account.name,
        currency: account.currency,
        ...(account.email ? { email: account.email } : {}),
        ...(account.country ? { country: account.country } : {}),
        ...(account.region ? { region: account.region } : {}),
        // A line per list entry: apply reads the lines back as they are stored.
        ...(account.address ? { address: account.address.split('\n') } : {}),
        ...(account.taxId ? { taxId: account.taxId } : {}),
        ...(account.taxRateMilli ? { taxRate: account.taxRateMilli / 1000 } : {}),
        ...(account.taxExempt ? { taxExempt: true } : {}),
        ...(account.organizationId ? { organization: pathOf(tree, account.organizationId) } : {}),
        ...(discount ? { coupon: discount.code } : {}),
        ...(credits.length ? { credits: credits.map((c) => ({ amount: c.amount, note: c.note ?? `credit ${c.id}` })) } : {}),
        ...(methods.length ? { paymentMethods: methods.map((m) => m.source) } : {}),
        ...(subs.length
          ? {
              subscriptions: await mapSerial(subs, async (sub) => {
                const items = new Map((await db.orm.select().from(subscriptionItems).where(eq(subscriptionItems.subscriptionId, sub.id)).orderBy(asc(subscriptionItems.product))).map((i) => [i.product, i.quantity]))
                let interval: Interval = sub.interval
                for (const change of (await db.orm.select().from(scheduledChanges).where(eq(scheduledChanges.subscriptionId, sub.id)))) {
                  if (change.kind === 'quantity' && change.product) items.set(change.product, change.quantity ?? 0)
                  if (change.kind === 'interval' && change.interval) interval = change.interval
                }
                return {
                  label: sub.label ?? sub.id,
                  interval,
                  ...(sub.status === 'trialing' ? { trial: true } : { trial: false }),
                  items: Object.fromEntries([...items].filter(([, quantity]) => quantity > 0)),
                }
              }),
            }
          : {}),
      }
    })
  const alerts = await alertsSpec(ctx)
  if (alerts.length) file.alerts = alerts
  return file
}

/** Alerts grouped by pool or org and product, as `alerts:` states them (armed or not is derived from usage on apply). */
async function alertsSpec(ctx: Ctx): Promise<NonNullable<ApplyFile['alerts']>> {
  const out = new Map<string, NonNullable<ApplyFile['alerts']>[number]>()
  for (const alert of (await listAlerts(ctx)).alerts) {
    // An alert whose pool or org is gone has only its id for a name; no file could name it.
    if (alert.scopeName === alert.scopeId) continue
    const key = `${alert.scope} ${alert.scopeId} ${alert.product}`
    const spec = out.get(key) ?? { ...(alert.scope === 'pool' ? { pool: alert.scopeName } : { org: alert.scopeName }), product: alert.product, at: [] }
    spec.at.push(`${alert.percent}%`)
    out.set(key, spec)
  }
  return [...out.values()]
}

/** Levels of organizations in an apply file: 1 for top-level orgs only, 0 for none. */
export function orgLevels(organizations: readonly OrgInput[] = []): number {
  let deepest = 0
  const stack = organizations.map((org) => ({ org, level: 1 }))
  for (let next = stack.pop(); next; next = stack.pop()) {
    deepest = Math.max(deepest, next.level)
    for (const child of next.org.children ?? []) stack.push({ org: child, level: next.level + 1 })
  }
  return deepest
}
