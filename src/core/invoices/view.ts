// The JSON shape of an invoice (SPEC §2): every money field is { amount, currency }.
import { asc, eq } from 'drizzle-orm'
import { iso, isoOrNull } from '../clock.js'
import { money, type Money } from '../money.js'
import { redact } from '../redact.js'
import type { Db } from '../store/open.js'
import { methodLabel } from '../payments/label.js'
import { taxSummary } from './tax.js'
import { billingAccounts, type InvoiceRow, type InvoiceSnapshot, type InvoiceStatus, invoiceLines, paymentAttempts, paymentMethods, type TaxRule } from '../store/schema/index.js'

export type InvoiceLineView = {
  kind: 'subscription' | 'proration' | 'discount'
  description: string
  product: string | null
  quantity: number | null
  unitAmount: Money | null
  amount: Money
  proration: boolean
  periodStart: string | null
  periodEnd: string | null
}

export type PaymentAttemptView = {
  id: string
  at: string
  provider: string
  paymentMethodId: string
  /**
   * failed: declined or the method unusable; requires_action: the customer must act; processing: in flight;
   * canceled: canceled before charging anew; pending: asked, answer not yet recorded; error: not completed (outage, refused request or key).
   */
  outcome: 'pending' | 'succeeded' | 'failed' | 'requires_action' | 'processing' | 'canceled' | 'error'
  /** "Visa ••••4242", "SEPA debit ••••3000"; null once the method was removed. */
  method?: string | null
  /** The card or account as people know it (brand, last four); null once the method was removed. */
  paymentMethod?: { brand: string; last4: string } | null
  declineCode: string | null
  message: string | null
  amount: Money
  /** run-1 is the first collection, run-2… the retries, manual-N an `invoice pay`. */
  run: string
  providerPaymentId: string | null
}

export type InvoiceView = {
  id: string | null
  /** The gapless number within the account (R-INV-1). */
  number: number | null
  /** The printed number, unique in the workspace: account prefix + number (GCUSA-0001); null on a preview and on invoices issued before numbers had prefixes. */
  invoiceNumber: string | null
  accountId: string
  /** Always set by invoiceView; optional for views built by hand (render tests). */
  accountName?: string
  subscriptionId: string | null
  status: InvoiceStatus | 'preview'
  reason: string
  currency: string
  periodStart: string
  periodEnd: string
  issuedAt: string
  paidAt: string | null
  dueAt: string | null
  /** Seller and buyer as they were at issue; null seller: no seller identity was set; null buyer: issued before snapshots. */
  seller: InvoiceSnapshot['seller']
  buyer: InvoiceSnapshot['buyer'] | null
  /** The tax applied: jurisdiction (DE, US-NY), the rate's name, rate in percent, the rule that chose it, any legal note, and the rule in words. */
  taxDetail: { jurisdiction: string | null; name: string; rate: number; rule: TaxRule; note: string | null; summary: string } | null
  paymentTermsDays: number | null
  lines: InvoiceLineView[]
  subtotal: Money
  discount: Money
  /** Percent, e.g. 19. */
  taxRate: number
  tax: Money
  creditApplied: Money
  total: Money
  amountDue: Money
  amountPaid: Money
  payments: PaymentAttemptView[]
}

/** Every payment attempt of an invoice, in order (R-PAY-1). */
async function loadPayments(db: Db, invoiceId: string): Promise<PaymentAttemptView[]> {
  return (await db.orm
    .select({ row: paymentAttempts, type: paymentMethods.type, brand: paymentMethods.brand, last4: paymentMethods.last4 })
    .from(paymentAttempts)
    .leftJoin(paymentMethods, eq(paymentMethods.id, paymentAttempts.paymentMethodId))
    .where(eq(paymentAttempts.invoiceId, invoiceId))
    .orderBy(asc(paymentAttempts.id)))
    .map(({ row, type, brand, last4 }) => ({
      id: `pay_${row.id}`,
      at: iso(row.at),
      provider: row.provider,
      paymentMethodId: row.paymentMethodId,
      method: brand !== null && last4 !== null ? methodLabel({ type, brand, last4 }) : null,
      paymentMethod: brand === null || last4 === null ? null : { brand, last4 },
      outcome: row.outcome,
      declineCode: row.declineCode === null ? null : redact(row.declineCode),
      message: row.message === null ? null : redact(row.message),
      amount: money(row.amount, row.currency),
      run: row.run,
      providerPaymentId: row.providerPaymentId,
    }))
}

const taxDetail = ({ rateMilli, summary, ...rest }: InvoiceSnapshot['tax']) => ({ ...rest, rate: rateMilli / 1000, summary: summary ?? taxSummary({ rateMilli, ...rest }) })

export async function accountName(db: Db, accountId: string): Promise<string> {
  return (await db.orm.select({ name: billingAccounts.name }).from(billingAccounts).where(eq(billingAccounts.id, accountId)).limit(1))[0]?.name ?? accountId
}

export async function invoiceView(db: Db, row: InvoiceRow, options: { preview?: boolean } = {}): Promise<InvoiceView> {
  const m = (amount: number) => money(amount, row.currency)
  const lines = (await db.orm.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, row.id)).orderBy(asc(invoiceLines.position)))
  return {
    id: options.preview ? null : row.id,
    number: options.preview ? null : row.number,
    invoiceNumber: options.preview ? null : row.displayNumber,
    accountId: row.accountId,
    accountName: await accountName(db, row.accountId),
    subscriptionId: row.subscriptionId,
    status: options.preview ? 'preview' : row.status,
    reason: row.reason,
    currency: row.currency,
    periodStart: iso(row.periodStart),
    periodEnd: iso(row.periodEnd),
    issuedAt: iso(row.issuedAt),
    paidAt: isoOrNull(row.paidAt),
    dueAt: isoOrNull(row.dueAt),
    seller: row.snapshot?.seller ?? null,
    buyer: row.snapshot?.buyer ?? null,
    taxDetail: row.snapshot ? taxDetail(row.snapshot.tax) : null,
    paymentTermsDays: row.snapshot?.paymentTermsDays ?? null,
    lines: lines.map((line) => ({
      kind: line.kind,
      description: line.description,
      product: line.product,
      quantity: line.quantity,
      unitAmount: line.unitAmount === null ? null : m(line.unitAmount),
      amount: m(line.amount),
      proration: line.kind === 'proration',
      periodStart: isoOrNull(line.periodStart),
      periodEnd: isoOrNull(line.periodEnd),
    })),
    subtotal: m(row.subtotal),
    discount: m(row.discount),
    taxRate: row.taxRateMilli / 1000,
    tax: m(row.tax),
    creditApplied: m(row.creditApplied),
    total: m(row.total),
    amountDue: m(row.amountDue),
    amountPaid: m(row.amountPaid),
    payments: options.preview ? [] : await loadPayments(db, row.id),
  }
}
