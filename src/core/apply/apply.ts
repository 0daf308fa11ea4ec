// `wsb apply` (issue 7): make a workspace look like a file describes it. Every
// object is matched by a stable name (workspace and account by name, org by
// path, subscription by label, coupon by code), so a second run changes
// nothing. Changes go through the same core functions as the commands, with
// the same rules (prorated increases, scheduled decreases, BELOW_USAGE …),
// inside one transaction: a file that fails anywhere changes nothing. A dry run
// is the same run, rolled back. Payment methods are attached outside the
// transaction, because attaching talks to the payment provider; they are
// validated before (apply/run.ts orders the attachments around the commit).
import { resolve } from 'node:path'
import { and, desc, eq, sql } from 'drizzle-orm'
import { assignWithin } from '../accounts/assign.js'
import { adjustCredit } from '../accounts/credit.js'
import { createAccount } from '../accounts/create.js'
import { updateAccount } from '../accounts/update.js'
import { activePrice, setPrice } from '../catalog/prices.js'
import { createProduct } from '../catalog/products.js'
import { type Ctx, contextFor } from '../context.js'
import { attachDiscount, createCoupon } from '../coupons/coupons.js'
import { currency } from '../currency.js'
import { invalid, isWsbError, refused } from '../errors.js'
import { iso } from '../clock.js'
import { insertOrg } from '../orgs/create.js'
import { removeLimits, writeLimits } from '../orgs/limits.js'
import { loadTree } from '../orgs/tree.js'
import { type LimitsByOrg, loadLimits } from '../orgs/view.js'
import { refuseCardNumber } from '../payments/cards.js'
import { addPaymentMethod, MAX_PAYMENT_METHODS } from '../payments/methods.js'
import type { PaymentProvider } from '../payments/provider.js'
import { parseInput, taxRate } from '../schemas.js'
import { listTaxRates, setTaxRate } from '../invoices/tax-rates.js'
import { getSeller, setSeller } from '../workspaces/seller.js'
import { isDataUri, logoFromDataUri, readLogoFile, sha256Of } from '../workspaces/logo.js'
import type { SellerIdentity } from '../store/schema/index.js'
import type { Db } from '../store/open.js'
import {
  accountDiscounts,
  type BillingAccountRow,
  billingAccounts,
  type OrganizationRow,
  contributingStatuses,
  coupons,
  creditEntries,
  type Interval,
  paymentMethods,
  products,
  scheduledChanges,
  type SubscriptionRow,
  subscriptionItems,
  subscriptions,
  type Tier,
  type WorkspaceRow,
  workspaces,
} from '../store/schema/index.js'
import { addSubscription } from '../subscriptions/add.js'
import { updateSubscription } from '../subscriptions/update.js'
import { parseTime } from '../time-input.js'
import { Meter } from '../usage/meter.js'
import { alertsOf, removeAlerts, setAlerts } from '../usage/alerts.js'
import { rejectionError } from '../usage/decision.js'
import { createWorkspace } from '../workspaces/create.js'
import { resolveWorkspace } from '../workspaces/resolve.js'
import { type AccountInput, type AlertInput, type ApplyFile, type OrgInput, type Place, placeName, type SubscriptionInput } from './schema.js'
import { sameName } from '../names.js'

export type ApplyAction = {
  action: 'create' | 'update' | 'unchanged'
  kind: string
  name: string
  changes?: string[]
  /** Why an object the file describes is left as it is (an ended subscription is not created again). */
  note?: string
}

export type ApplyResult = {
  workspace: { id: string | null; name: string }
  dryRun: boolean
  changed: boolean
  actions: ApplyAction[]
  summary: { create: number; update: number; unchanged: number }
}

/** Orgs this deep or deeper are named in actions by an abbreviated path (see organization()). */
export const ACTION_PATH_DEPTH = 64

/** An org of the file as matched or created: its row, path and depth, and how actions name it. */
type Matched = { row: OrganizationRow; path: string; depth: number; top: string; label: string }

type Pending = { account: string; source: string }
type SellerSpec = NonNullable<ApplyFile['workspace']['seller']>

class Applier {
  readonly actions: ApplyAction[] = []
  readonly pendingMethods: Pending[] = []
  ctx!: Ctx

  constructor(
    private readonly db: Db,
    private readonly file: ApplyFile,
    /** Where file paths in the file (a seller's logo) are found: the apply file's folder. */
    private readonly baseDir: string,
  ) {}

  private act(action: ApplyAction['action'], kind: string, name: string, changes?: string[], note?: string) {
    this.actions.push({ action, kind, name, ...(changes?.length ? { changes } : {}), ...(note ? { note } : {}) })
  }

  async run(): Promise<void> {
    await within('workspace', async () => await this.workspace())
    if (this.file.workspace.seller) await within('workspace.seller', async () => await this.seller(this.file.workspace.seller as SellerSpec))
    for (const [i, rate] of (this.file.taxRates ?? []).entries()) await within(`taxRates[${i}]`, async () => await this.taxRate(rate))
    for (const [i, product] of (this.file.products ?? []).entries()) await within(`products[${i}]`, async () => await this.product(product))
    for (const [i, coupon] of (this.file.coupons ?? []).entries()) await within(`coupons[${i}]`, async () => await this.coupon(coupon))
    await this.organizations()
    const accounts = this.file.accounts ?? []
    for (const [i, account] of accounts.entries()) await within(`accounts[${i}]`, async () => await this.account(account))
    // Subscriptions once every account exists: trial eligibility counts the accounts (R-TR-2).
    for (const [i, account] of accounts.entries()) await within(`accounts[${i}]`, async () => await this.subscriptions(account))
    await this.usages()
    // Alerts last: their orgs, limits and usage (which decides whether one starts armed) are in place.
    for (const [i, alert] of (this.file.alerts ?? []).entries()) await within(`alerts[${i}]`, async () => await this.alert(alert))
  }

  /** The thresholds of one pool's or org's product, stated whole: those left out are removed. */
  private async alert(spec: AlertInput): Promise<void> {
    const scope = spec.pool !== undefined ? { pool: spec.pool } : { org: spec.org as string }
    const label = `${spec.pool !== undefined ? `pool ${spec.pool}` : `org ${spec.org}`} ${spec.product}`
    const wanted = [...new Set(spec.at.map((value) => Number(String(value).trim().replace(/%$/, ''))))].sort((a, b) => a - b)
    const current = (await alertsOf(this.ctx, { ...scope, product: spec.product }, { forRemoval: wanted.length === 0 })).map((a) => a.percent)
    const add = wanted.filter((p) => !current.includes(p))
    const remove = current.filter((p) => !wanted.includes(p))
    const shown = (list: number[]) => (list.length ? list.map((p) => `${p}%`).join(', ') : 'none')
    if (add.length === 0 && remove.length === 0) return this.act('unchanged', 'alerts', label)
    if (add.length) await setAlerts(this.ctx, { ...scope, product: spec.product, at: add })
    if (remove.length) await removeAlerts(this.ctx, { ...scope, product: spec.product, at: remove })
    this.act(current.length === 0 ? 'create' : 'update', 'alerts', label, [`at ${current.length ? `${shown(current)} → ` : ''}${shown(wanted)}`])
  }

  private async refreshCtx(workspace?: WorkspaceRow) {
    this.ctx = contextFor(this.db, workspace ?? await resolveWorkspace(this.db, this.ctx.workspace.id))
  }

  private async workspace(): Promise<void> {
    const spec = this.file.workspace
    const existing = (await this.db.orm.select().from(workspaces)).find((row) => sameName(row.name, spec.name))
    if (!existing) {
      const view = await createWorkspace(this.db, {
        name: spec.name,
        mode: spec.mode,
        testClock: spec.testClock,
        clockStart: spec.clockStart === undefined ? undefined : parseTime(spec.clockStart, 'workspace.clockStart'),
      })
      await this.refreshCtx(await resolveWorkspace(this.db, view.id))
      this.act('create', 'workspace', spec.name, [`mode ${spec.mode}`, spec.testClock || spec.clockStart ? 'test clock' : 'real clock'])
      return
    }
    if (existing.mode !== spec.mode)
      throw refused('MODE_IMMUTABLE', `workspace.mode: "${existing.name}" is in ${existing.mode} mode, and a billing mode is permanent; the file says ${spec.mode}`, {
        workspaceId: existing.id,
        mode: existing.mode,
        requested: spec.mode,
      })
    const wantsTest = spec.testClock === true || spec.clockStart !== undefined
    if (spec.testClock !== undefined || spec.clockStart !== undefined)
      if ((existing.clockMode === 'test') !== wantsTest)
        throw refused('CLOCK_IMMUTABLE', `workspace.testClock: "${existing.name}" runs on the ${existing.clockMode} clock, which is fixed at creation`, { workspaceId: existing.id })
    await this.refreshCtx(existing)
    this.act('unchanged', 'workspace', existing.name)
  }

  /** The file states the seller whole: a field it leaves out is cleared. The logo is compared by its bytes. */
  private async seller(spec: SellerSpec): Promise<void> {
    const wanted: Omit<SellerIdentity, 'logo'> = {
      legalName: spec.legalName,
      addressLines: spec.address ?? [],
      country: spec.country ?? null,
      taxId: spec.taxId ?? null,
      email: spec.email ?? null,
      footer: spec.footer ?? null,
      paymentTermsDays: spec.termsDays ?? 0,
    }
    const logo = spec.logo === undefined ? null : isDataUri(spec.logo) ? logoFromDataUri(spec.logo) : readLogoFile(resolve(this.baseDir, spec.logo))
    const current = await getSeller(this.ctx)
    const changes = (Object.keys(wanted) as (keyof typeof wanted)[])
      .filter((key) => JSON.stringify(current?.[key] ?? null) !== JSON.stringify(wanted[key]))
      .map((key) => `${key} ${JSON.stringify(wanted[key])}`)
    const currentLogo = current?.logo ?? null
    const logoChanged = logo === null ? currentLogo !== null : typeof currentLogo === 'string' || currentLogo?.sha256 !== sha256Of(logo.data)
    if (logoChanged) changes.push(logo === null ? 'logo removed' : `logo ${logo.file ?? 'inline image'} (${logo.data.length} bytes)`)
    if (current && changes.length === 0) return this.act('unchanged', 'seller', wanted.legalName)
    await setSeller(this.ctx, { ...wanted, ...(logoChanged ? { logo } : {}) })
    this.act(current ? 'update' : 'create', 'seller', wanted.legalName, changes)
  }

  private async taxRate(spec: NonNullable<ApplyFile['taxRates']>[number]): Promise<void> {
    const rateMilli = parseInput(taxRate, spec.rate)
    const name = spec.name ?? 'Tax'
    const label = spec.region ? `${spec.country}-${spec.region}` : spec.country
    const current = (await listTaxRates(this.ctx)).taxRates.find((r) => r.country === spec.country && (r.region ?? '') === (spec.region ?? ''))
    if (current && Math.round(current.rate * 1000) === rateMilli && current.name === name) return this.act('unchanged', 'tax rate', label)
    await setTaxRate(this.ctx, { country: spec.country, region: spec.region, rateMilli, name })
    this.act(current ? 'update' : 'create', 'tax rate', label, [`${name} ${rateMilli / 1000}%`])
  }

  private async product(spec: NonNullable<ApplyFile['products']>[number]): Promise<void> {
    const ws = this.ctx.workspace.id
    const existing = (await this.db.orm.select().from(products).where(and(eq(products.workspaceId, ws), eq(products.key, spec.key))).limit(1))[0]
    if (!existing) {
      await createProduct(this.ctx, { key: spec.key, name: spec.name })
      this.act('create', 'product', spec.key)
    } else this.act('unchanged', 'product', spec.key)
    for (const price of spec.prices ?? []) {
      const code = currency(price.currency).code
      const tiers: Tier[] | undefined = price.tiers?.map((t) => ({ upTo: t.upTo === 'inf' ? null : t.upTo, unitAmount: t.unitAmount, flatAmount: t.flatAmount ?? 0 }))
      const scheme = tiers ? (price.tiersMode ?? 'graduated') : 'per_unit'
      const current = await activePrice(this.db, ws, spec.key, code, price.interval)
      const label = `${spec.key} ${code}/${price.interval}`
      const same = current && current.scheme === scheme && (tiers ? JSON.stringify(current.tiers) === JSON.stringify(tiers) : current.unitAmount === price.unitAmount)
      if (same) {
        this.act('unchanged', 'price', label)
        continue
      }
      await setPrice(this.ctx, { product: spec.key, currency: code, interval: price.interval, scheme, unitAmount: price.unitAmount, tiers })
      this.act(current ? 'update' : 'create', 'price', label)
    }
  }

  private async coupon(spec: NonNullable<ApplyFile['coupons']>[number]): Promise<void> {
    const existing = (await this.db.orm
      .select()
      .from(coupons)
      .where(eq(coupons.workspaceId, this.ctx.workspace.id)))
      .find((row) => sameName(row.code, spec.code))
    const percentOffMilli = spec.percentOff === undefined ? null : parseInput(taxRate, spec.percentOff)
    const code = spec.currency === undefined ? null : currency(spec.currency).code
    if (!existing) {
      await createCoupon(this.ctx, {
        code: spec.code,
        name: spec.name,
        percentOffMilli: percentOffMilli ?? undefined,
        amountOff: spec.amountOff,
        currency: code ?? undefined,
        duration: spec.duration,
        durationInvoices: spec.invoices,
      })
      this.act('create', 'coupon', spec.code)
      return
    }
    const same =
      existing.percentOffMilli === percentOffMilli &&
      existing.amountOff === (spec.amountOff ?? null) &&
      existing.currency === code &&
      existing.duration === spec.duration &&
      existing.durationInvoices === (spec.invoices ?? null)
    if (!same) throw refused('COUPON_IMMUTABLE', `coupons[${spec.code}]: coupon ${existing.code} exists with other terms; coupons cannot change, create one with a new code`, { couponId: existing.id })
    this.act('unchanged', 'coupon', spec.code)
  }

  /**
   * The org tree loaded once per apply, as each parent's children by
   * lower-cased name, with every org's limits; kept up to date as orgs are
   * created and limits change. Matching each org of the file against it costs
   * a map lookup, where reloading the tree per org made apply quadratic.
   */
  private index?: { byName: Map<string | null, Map<string, OrganizationRow>>; limits: LimitsByOrg }

  /** The org each org of the file was matched to or created as, for the usage pass. */
  private readonly matched = new Map<OrgInput, { id: string; label: string }>()

  private async orgIndex() {
    if (!this.index) {
      const tree = await loadTree(this.db, this.ctx.workspace.id)
      const byName = new Map<string | null, Map<string, OrganizationRow>>()
      for (const [parentId, rows] of tree.children) {
        const names = new Map<string, OrganizationRow>()
        // Siblings come in name order; the first of a (damaged) pair of equal names wins, as before.
        for (const row of rows) if (!names.has(row.name.toLowerCase())) names.set(row.name.toLowerCase(), row)
        byName.set(parentId, names)
      }
      this.index = { byName, limits: await loadLimits(this.db, this.ctx.workspace.id) }
    }
    return this.index
  }

  /** An org by its full path, compared case-insensitively part by part (names hold no "/"). */
  private async orgAtPath(path: string): Promise<OrganizationRow|undefined> {
    const { byName } = await this.orgIndex()
    let found: OrganizationRow | undefined
    for (const part of path.split('/')) {
      found = byName.get(found?.id ?? null)?.get(part.toLowerCase())
      if (!found) return undefined
    }
    return found
  }

  /** The org tree of the file, depth-first with an explicit stack: files may nest any depth. */
  private async eachOrg(visit: (spec: OrgInput, place: Place) => Promise<void>): Promise<void> {
    const roots = this.file.organizations ?? []
    const stack: { spec: OrgInput; place: Place }[] = []
    for (let i = roots.length - 1; i >= 0; i--) stack.push({ spec: roots[i] as OrgInput, place: { parent: undefined, index: i } })
    for (let next = stack.pop(); next; next = stack.pop()) {
      const { spec, place } = next
      await within(() => placeName(place), () => visit(spec, place))
      const children = spec.children ?? []
      for (let i = children.length - 1; i >= 0; i--) stack.push({ spec: children[i] as OrgInput, place: { parent: place, index: i } })
    }
  }

  private async organizations(): Promise<void> {
    const parents = new Map<Place, Matched>()
    await this.eachOrg(async (spec, place) => {
      const parent = place.parent ? parents.get(place.parent) : undefined
      if (place.parent && !parent) return
      const placed = await this.organization(spec, parent ?? null)
      this.matched.set(spec, { id: placed.row.id, label: placed.label })
      if (spec.children?.length) parents.set(place, placed)
    })
  }

  private async organization(spec: OrgInput, parent: Matched | null): Promise<Matched> {
    const index = await this.orgIndex()
    const parentId = parent?.row.id ?? null
    let org = index.byName.get(parentId)?.get(spec.name.toLowerCase())
    const created = !org
    if (!org) {
      org = await insertOrg(this.ctx, parent?.row ?? null, spec.name)
      const names = index.byName.get(parentId) ?? new Map<string, OrganizationRow>()
      names.set(org.name.toLowerCase(), org)
      index.byName.set(parentId, names)
    }
    const row = org
    const path = parent ? `${parent.path}/${row.name}` : row.name
    const depth = parent ? parent.depth + 1 : 0
    const top = parent?.top ?? row.name
    // Actions name orgs by path; past ACTION_PATH_DEPTH levels by an abbreviated one, or the
    // output of a chain 10,000 deep would hold 10,000 paths of up to 10,000 names.
    const label = depth < ACTION_PATH_DEPTH ? path : `${top}/…/${parent?.row.name}/${row.name} (depth ${depth})`
    if (created) this.act('create', 'organization', label)
    const current = index.limits.get(row.id) ?? {}
    const wanted = spec.limits ?? {}
    const set = Object.fromEntries(Object.entries(wanted).filter(([product, limit]) => current[product] !== limit))
    const clear = Object.keys(current).filter((product) => !(product in wanted))
    const changes = [...Object.entries(set).map(([p, n]) => `${p} limit ${current[p] ?? 'none'} → ${n}`), ...clear.map((p) => `${p} limit ${current[p]} → none`)]
    if (Object.keys(set).length) await writeLimits(this.ctx, row, () => path, set)
    if (clear.length) await removeLimits(this.ctx, row, clear)
    if (changes.length) index.limits.set(row.id, { ...wanted })
    if (changes.length) this.act(created ? 'create' : 'update', 'limits', label, changes)
    else if (!created) this.act('unchanged', 'organization', label)
    return { row, path, depth, top, label }
  }

  private async account(spec: AccountInput): Promise<void> {
    const ws = this.ctx.workspace
    const details = {
      email: spec.email,
      country: spec.country,
      region: spec.region,
      // Stored as one text, a line per newline (as `account create --address … --address …` stores it).
      address: spec.address?.join('\n'),
      taxId: spec.taxId,
      taxRateMilli: spec.taxRate === undefined ? undefined : parseInput(taxRate, spec.taxRate),
      taxExempt: spec.taxExempt,
    }
    let row = (await this.db.orm
      .select()
      .from(billingAccounts)
      .where(eq(billingAccounts.workspaceId, ws.id)))
      .find((account) => sameName(account.name, spec.name))
    if (!row) {
      const view = await createAccount(this.ctx, { name: spec.name, currency: spec.currency, org: spec.organization, ...details })
      row = (await this.db.orm.select().from(billingAccounts).where(eq(billingAccounts.id, view.id)).limit(1))[0] as BillingAccountRow
      this.act('create', 'account', spec.name, [`currency ${view.currency}`, ...(spec.organization ? [`serves ${spec.organization}`] : [])])
    } else {
      const changes: string[] = []
      const code = currency(spec.currency).code
      if (code !== row.currency) changes.push(`currency ${row.currency} → ${code}`)
      // An address shows its lines on one line of the plan.
      const shown = (value: unknown) => (value === null || value === undefined ? '—' : String(value).replace(/\n/g, ' / '))
      for (const [key, value] of Object.entries(details))
        if (value !== undefined && value !== row[key as keyof typeof details]) changes.push(`${key} ${shown(row[key as keyof typeof details])} → ${shown(value)}`)
      if (changes.length) {
        await updateAccount(this.ctx, { ref: row.id, currency: code, ...details })
        this.act('update', 'account', spec.name, changes)
      } else this.act('unchanged', 'account', spec.name)
      if (spec.organization !== undefined) {
        const target = await this.orgAtPath(spec.organization)
        if (row.organizationId === null || row.organizationId !== target?.id) {
          await assignWithin(this.ctx, row, spec.organization)
          this.act('update', 'assignment', spec.name, [`serves ${spec.organization}`])
        }
      }
    }
    await this.discount(row, spec)
    await this.credits(row, spec)
    const account = row
    await within('paymentMethods', async () => await this.paymentMethods(account, spec))
  }

  private async subscriptions(spec: AccountInput): Promise<void> {
    const row = (await this.db.orm
      .select()
      .from(billingAccounts)
      .where(eq(billingAccounts.workspaceId, this.ctx.workspace.id)))
      .find((account) => sameName(account.name, spec.name)) as BillingAccountRow
    for (const [i, sub] of (spec.subscriptions ?? []).entries()) await within(`subscriptions[${i}]`, async () => await this.subscription(row, sub))
  }

  private async discount(row: BillingAccountRow, spec: AccountInput): Promise<void> {
    if (spec.coupon === undefined) return
    const current = (await this.db.orm
      .select({ code: coupons.code })
      .from(accountDiscounts)
      .innerJoin(coupons, eq(coupons.id, accountDiscounts.couponId))
      .where(eq(accountDiscounts.accountId, row.id)).limit(1))[0]
    if ((current?.code.toLowerCase() ?? null) === (spec.coupon?.toLowerCase() ?? null)) return
    await attachDiscount(this.ctx, { account: row.id, coupon: spec.coupon })
    this.act(spec.coupon === null ? 'update' : 'create', 'discount', spec.name, [spec.coupon === null ? 'removed' : `coupon ${spec.coupon}`])
  }

  private async credits(row: BillingAccountRow, spec: AccountInput): Promise<void> {
    const notes = new Set(
      (await this.db.orm.select({ note: creditEntries.note }).from(creditEntries).where(eq(creditEntries.accountId, row.id))).map((entry) => entry.note),
    )
    for (const credit of spec.credits ?? []) {
      if (notes.has(credit.note)) continue
      await adjustCredit(this.ctx, { account: row.id, amount: credit.amount, note: credit.note })
      this.act('create', 'credit', `${spec.name}: ${credit.note}`, [`${credit.amount}`])
    }
  }

  /**
   * The account's subscriptions under a label, whatever their status, newest
   * first; for files written by `export`, an unlabelled one by its id.
   */
  private async labelled(accountId: string, label: string): Promise<SubscriptionRow[]> {
    const newestFirst = [desc(subscriptions.createdAt), sql.raw(`${this.db.creationOrder} DESC`)] as const
    const byLabel = await this.db.orm.select().from(subscriptions).where(and(eq(subscriptions.accountId, accountId), eq(subscriptions.label, label))).orderBy(...newestFirst)
    if (byLabel.length) return byLabel
    return await this.db.orm.select().from(subscriptions).where(and(eq(subscriptions.accountId, accountId), eq(subscriptions.id, label))).limit(1)
  }

  /**
   * A subscription of the file matches the account's subscription under its
   * label whatever its status: one that ended (canceled, or unpaid after
   * dunning) is left alone and said so, never created again, unless the entry
   * names it in `replaces` (then a new one is created, once: the new one is
   * what the label matches from then on).
   */
  private async subscription(row: BillingAccountRow, spec: SubscriptionInput): Promise<void> {
    const name = `${row.name}/${spec.label}`
    const labelled = await this.labelled(row.id, spec.label)
    const existing = labelled.find((sub) => isLive(sub.status))
    const latest = labelled[0]
    if (spec.replaces !== undefined) {
      const replaced = labelled.find((sub) => sub.id === spec.replaces)
      if (!replaced) throw invalid(`replaces: ${spec.replaces} is not a subscription of "${row.name}" labelled "${spec.label}"`, { replaces: spec.replaces, label: spec.label })
      if (isLive(replaced.status))
        throw invalid(`replaces: ${replaced.id} is ${replaced.status}; only an ended (canceled or unpaid) subscription is replaced. Change it in place, or cancel it first`, { replaces: replaced.id, status: replaced.status })
    }
    const items = Object.fromEntries(Object.entries(spec.items).filter(([, quantity]) => quantity > 0))
    if (!existing && latest && spec.replaces !== latest.id) return this.act('unchanged', 'subscription', name, undefined, endedNote(latest))
    if (!existing) {
      const view = await addSubscription(this.ctx, { account: row.id, items, interval: spec.interval, trial: spec.trial, label: spec.label })
      this.act('create', 'subscription', name, [`${Object.entries(items).map(([p, q]) => `${p}=${q}`).join(' ')}`, view.status, ...(latest ? [`replaces ${latest.id} (${latest.status})`] : [])])
      return
    }
    // Compare with what the subscription will be once its scheduled changes apply.
    const future = new Map((await this.db.orm.select().from(subscriptionItems).where(eq(subscriptionItems.subscriptionId, existing.id))).map((i) => [i.product, i.quantity]))
    let interval: Interval = existing.interval
    for (const change of (await this.db.orm.select().from(scheduledChanges).where(eq(scheduledChanges.subscriptionId, existing.id)))) {
      if (change.kind === 'quantity' && change.product) future.set(change.product, change.quantity ?? 0)
      if (change.kind === 'interval' && change.interval) interval = change.interval
    }
    const changed: Record<string, number> = {}
    for (const product of new Set([...future.keys(), ...Object.keys(spec.items)])) {
      const want = spec.items[product] ?? 0
      if ((future.get(product) ?? 0) !== want) changed[product] = want
    }
    const newInterval = spec.interval !== undefined && spec.interval !== interval ? spec.interval : undefined
    if (Object.keys(changed).length === 0 && !newInterval) {
      const ending = existing.cancelAtPeriodEnd ? `${existing.id} is canceled at its period end (${iso(existing.currentPeriodEnd)}); apply leaves that as it is (sub resume withdraws it)` : undefined
      this.act('unchanged', 'subscription', name, undefined, ending)
      return
    }
    await updateSubscription(this.ctx, { ref: existing.id, items: Object.keys(changed).length ? changed : undefined, interval: newInterval })
    this.act('update', 'subscription', name, [
      ...Object.entries(changed).map(([product, quantity]) => `${product} ${future.get(product) ?? 0} → ${quantity}`),
      ...(newInterval ? [`interval ${interval} → ${newInterval}`] : []),
    ])
  }

  private async paymentMethods(row: BillingAccountRow, spec: AccountInput): Promise<void> {
    const present = (await this.db.orm.select({ source: paymentMethods.source }).from(paymentMethods).where(eq(paymentMethods.accountId, row.id)))
    const sources = new Set(present.map((m) => m.source))
    const missing = (spec.paymentMethods ?? []).filter((source) => !sources.has(source))
    for (const source of missing) {
      refuseCardNumber(source)
      this.pendingMethods.push({ account: row.id, source })
      this.act('create', 'payment_method', `${spec.name}: ${source}`)
    }
    if (present.length + missing.length > MAX_PAYMENT_METHODS)
      throw refused('PAYMENT_METHOD_LIMIT', `accounts[${spec.name}].paymentMethods: the account would have ${present.length + missing.length} payment methods; at most ${MAX_PAYMENT_METHODS}`, {})
  }

  /** Usage last: the orgs, limits and subscriptions (pool capacity) it is checked against exist by now. */
  private async usages(): Promise<void> {
    // One Meter for the whole pass: it caches each org's chain and counters, where
    // a Meter per report (decideUsage) walks every ancestor again from SQL.
    let meter: Meter | undefined
    await this.eachOrg(async (spec) => {
      const org = this.matched.get(spec)
      if (!org || !spec.usage) return
      for (const [product, wanted] of Object.entries(spec.usage)) {
        const current = (await this.db.get<{ level: number }>('SELECT level FROM usage_levels WHERE org_id = ? AND product = ?', org.id, product))?.level ?? 0
        if (current === wanted) continue
        const store = this.db.meterStore()
        await store.load?.(this.ctx.workspace, [{ org: org.id, product }])
        meter ??= new Meter(this.ctx)
        const decision = meter.report({ org: org.id, product, set: wanted })
        meter.flush()
        await store.persist?.()
        if (!decision.accepted) {
          const error = rejectionError(decision)
          error.message = `usage.${product} of "${org.label}": ${error.message}`
          throw error
        }
        this.act('update', 'usage', org.label, [`${product} ${current} → ${wanted}`])
      }
    })
  }
}

const isLive = (status: SubscriptionRow['status']): boolean => (contributingStatuses as readonly string[]).includes(status)

/** What an ended subscription is, and how to subscribe again. */
function endedNote(sub: SubscriptionRow): string {
  const state =
    sub.status === 'unpaid'
      ? 'unpaid (its payments failed through every retry)'
      : `canceled${sub.canceledAt === null ? '' : ` on ${iso(sub.canceledAt).slice(0, 10)}`}${sub.cancelReason ? ` (${sub.cancelReason.replace(/_/g, ' ')})` : ''}`
  return `${sub.id} is ${state}; left alone. To subscribe again, add "replaces: ${sub.id}" to this entry, or give it a new label`
}

/** Errors raised while applying one part of the file name that part: accounts[1].subscriptions[0]: … */
async function within(where: string | (() => string), work: () => void | Promise<void>): Promise<void> {
  try {
    await work()
  } catch (error) {
    // The place is built only on failure: for an org 10,000 levels deep it is long.
    const place = typeof where === 'string' ? where : where()
    if (isWsbError(error) && !(error as { located?: boolean }).located) {
      error.message = `${place}: ${error.message}`
      Object.assign(error, { located: true })
    } else if (isWsbError(error)) error.message = `${place}.${error.message}`
    throw error
  }
}

export type ApplyOptions = { dryRun?: boolean; provider: () => Promise<PaymentProvider>; /** The folder paths in the file are relative to (default: the working directory). */ baseDir?: string }

export async function applyFile(db: Db, file: ApplyFile, options: ApplyOptions): Promise<ApplyResult> {
  const applier = new Applier(db, file, options.baseDir ?? process.cwd())
  // A workspace that exists already: its orgs, limits and subscriptions may change, so no report is metered meanwhile.
  const existing = (await db.all<{ id: string; name: string }>('SELECT id, name FROM workspaces')).find((row) => sameName(row.name, file.workspace.name))
  await db.write(
    async () => {
      if (existing) await db.excludeMetering(existing.id)
      await applier.run()
    },
    { dryRun: options.dryRun === true },
  )
  if (!options.dryRun && applier.pendingMethods.length) {
    const provider = await options.provider()
    const ctx = contextFor(db, await resolveWorkspace(db, applier.ctx.workspace.id))
    for (const method of applier.pendingMethods) await addPaymentMethod(ctx, provider, method)
  }
  const summary = { create: 0, update: 0, unchanged: 0 }
  for (const action of applier.actions) summary[action.action]++
  // A workspace created by a dry run was rolled back: it has no id yet.
  const createdNow = applier.actions[0]?.action === 'create'
  const workspace = { id: options.dryRun && createdNow ? null : applier.ctx.workspace.id, name: applier.ctx.workspace.name }
  return { workspace, dryRun: options.dryRun === true, changed: summary.create + summary.update > 0, actions: applier.actions, summary }
}
