import type { TaxRateView } from '../core/invoices/tax-rates.js'
import type { CreditView } from '../core/accounts/credit.js'
import type { CouponView, DiscountView } from '../core/coupons/coupons.js'
import type { PreviewView } from '../core/invoices/preview.js'
import type { InvoiceView, PaymentAttemptView } from '../core/invoices/view.js'
import type { NotificationView } from '../core/notifications/list.js'
import { taxText } from './accounts.js'
import { paint } from './colour.js'
import { formatMoney } from './money.js'
import { invoiceStatusWords } from './invoice-status.js'

/** "open: processing …"; words that already start with the status are not preceded by it again ("uncollectible: Uncollectible: …"). */
const statusWithWords = (status: string, words: string): string => {
  const plain = status.replace(/\u001b\[[0-9;]*m/g, '')
  return words.toLowerCase().startsWith(plain.toLowerCase()) ? status.replace(plain, words) : `${status}: ${words}`
}
import { details, heading, table } from './table.js'
import { hangingWrap, isWide, onTerminal } from './terminal.js'
import { timesForPeople, when } from './time.js'

const statusText = (status: string) =>
  status === 'paid' ? paint().green(status) : status === 'open' ? paint().yellow(status) : status === 'preview' ? paint().cyan(status) : paint().red(status)


/** How people know the method: "Visa ••••4242", "SEPA debit ••••3000" (payments/label.ts). */
const methodText = (p: PaymentAttemptView): string => p.method ?? (p.paymentMethod ? `${p.paymentMethod.brand} •••• ${p.paymentMethod.last4}` : 'removed method')

export const invoiceNumber = (number: number | null) => (number === null ? '—' : `#${String(number).padStart(4, '0')}`)

/** A party as one line: name, address lines, country (and region), tax id, email. */
function partyText(party: NonNullable<InvoiceView['buyer']>): string {
  const country = party.country === null ? null : party.region ? `${party.country}-${party.region}` : party.country
  return [party.name, ...party.addressLines, country, party.taxId === null ? null : `tax id ${party.taxId}`, party.email].filter((part) => part !== null && part !== '').join(', ')
}

/** When it is due: the date and the terms (30 days, on receipt). */
function dueText(invoice: InvoiceView): string | null {
  if (invoice.dueAt === null) return null
  const terms = invoice.paymentTermsDays === null ? '' : invoice.paymentTermsDays === 0 ? ' (on receipt)' : ` (${invoice.paymentTermsDays} days after issue)`
  return `${when(invoice.dueAt)}${terms}`
}

export function renderInvoice(invoice: InvoiceView): string {
  const tax = invoice.taxDetail
  const head = details([
    ['invoice', `${paint().bold(invoice.invoiceNumber ?? invoiceNumber(invoice.number))} ${invoice.id ?? '(preview)'}`],
    // With an attempt made, where the payment stands, in the PDF's very words (invoice-status.ts).
    ['status', invoice.payments.length && invoice.status !== 'paid' ? statusWithWords(statusText(invoice.status), invoiceStatusWords(invoice)) : statusText(invoice.status)],
    ['account', `${invoice.accountName ?? '?'} (${invoice.accountId})`],
    // Seller, buyer, tax and terms as frozen at issue (what the PDF prints); older invoices have none.
    ...(invoice.seller ? [['seller', partyText(invoice.seller)] as [string, string]] : []),
    ...(invoice.buyer ? [['buyer', partyText(invoice.buyer)] as [string, string]] : []),
    ['period', `${when(invoice.periodStart)} → ${when(invoice.periodEnd)}`],
    ['issued', when(invoice.issuedAt)],
    ...(invoice.dueAt ? [['due', dueText(invoice)] as [string, string | null]] : []),
    ...(tax ? [['tax rule', taxText(tax)] as [string, string]] : []),
    ...(tax?.note ? [['tax note', tax.note] as [string, string]] : []),
  ])
  const lines = table(
    ['description', 'qty', 'unit', 'amount'],
    invoice.lines.map((line) => [line.description, line.quantity ?? '', line.unitAmount ? formatMoney(line.unitAmount) : '', formatMoney(line.amount)]),
    { align: ['left', 'right', 'right', 'right'] },
  )
  const totals = details([
    ['subtotal', formatMoney(invoice.subtotal)],
    ['discount', formatMoney({ ...invoice.discount, amount: -invoice.discount.amount })],
    [`tax ${invoice.taxRate}%`, formatMoney(invoice.tax)],
    ['total', formatMoney(invoice.total)],
    ['credit applied', formatMoney({ ...invoice.creditApplied, amount: -invoice.creditApplied.amount })],
    ['amount due', paint().bold(formatMoney(invoice.amountDue))],
  ])
  const payments = invoice.payments.length
    ? `\n${table(
        ['at', 'provider', 'method', 'outcome', 'decline code'],
        invoice.payments.map((p) => [when(p.at), p.provider, methodText(p), p.outcome === 'succeeded' ? paint().green(p.outcome) : paint().red(p.outcome), p.declineCode ?? '']),
      )}`
    : ''
  return `${head}\n${lines}\n${totals}${payments}`
}

/** A preview: the proposed change's prorations, then every invoice of the next issuing instant in issue order. */
export function renderPreview(preview: PreviewView): string {
  const proposed = preview.proposed
    ? `\n${heading('The change adds now (prorated, billed on the next invoice):')}\n${table(
        ['description', 'amount'],
        preview.proposed.prorations.map((line) => [line.description, formatMoney(line.amount)]),
        { align: ['left', 'right'] },
      )}\n`
    : ''
  const all = preview.invoices
  if (all.length === 1) return `${proposed}${renderInvoice(all[0] as InvoiceView)}`
  const changed = (invoice: InvoiceView) => (preview.proposed && invoice.subscriptionId === preview.subscriptionId ? ' (the changed subscription)' : '')
  const each = all.map((invoice, i) => `${heading(`Invoice ${i + 1} of ${all.length}${changed(invoice)}`)}\n${renderInvoice(invoice)}`)
  return `${proposed}${heading(`${all.length} invoices at ${when(preview.issuedAt)}, in the order they will be issued:`)}\n\n${each.join('\n\n')}`
}

export function renderInvoices({ invoices }: { invoices: InvoiceView[] }): string {
  if (invoices.length === 0) return 'No invoices.'
  return table(
    ['number', 'id', 'account', 'status', 'issued', 'total', 'paid', 'period'],
    invoices.map((i) => [i.invoiceNumber ?? invoiceNumber(i.number), i.id, i.accountName ?? i.accountId, statusText(i.status), i.issuedAt.slice(0, 10), formatMoney(i.total), formatMoney(i.amountPaid), `${i.periodStart.slice(0, 10)} → ${i.periodEnd.slice(0, 10)}`]),
    { align: ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'left'], keep: [0, 2], whole: [3], drop: [7, 1, 4] },
  )
}

const couponText = (c: CouponView) =>
  `${c.percentOff !== null ? `${c.percentOff}% off` : c.amountOff ? `${formatMoney(c.amountOff)} off` : ''}, ${c.duration === 'repeating' ? `for ${c.durationInvoices} invoices` : c.duration}`

export function renderCoupons({ coupons }: { coupons: CouponView[] }): string {
  if (coupons.length === 0) return 'No coupons.'
  return table(['code', 'name', 'discount', 'id'], coupons.map((c) => [c.code, c.name, couponText(c), c.id]), { keep: [0] })
}

export function renderDiscount(d: DiscountView): string {
  const account = `"${d.accountName}" (${d.accountId})`
  return d.coupon ? `Account ${account} now has coupon ${d.coupon.code}: ${couponText(d.coupon)}.` : `Account ${account} has no discount.`
}

export function renderCredit(c: CreditView): string {
  return `Credit balance of "${c.accountName}" (${c.accountId}): ${paint().bold(formatMoney(c.balance))}\n${table(
    ['at', 'amount', 'invoice', 'note'],
    c.entries.map((e) => [when(e.at), formatMoney(e.amount), e.invoiceId ?? '', e.note ?? '']),
  )}`
}

export function renderNotifications({ notifications }: { notifications: NotificationView[] }): string {
  if (notifications.length === 0) return 'No notifications.'
  // On a terminal the message is what a notification says: never cut, wrapped under its id
  // (what --after takes), time and kind. Piped (and with --wide) it is a row like any list's.
  if (onTerminal() && !isWide())
    return notifications.map((n) => `${paint().bold(n.id)}  ${when(n.at)}  ${n.kind}\n${hangingWrap('  ', timesForPeople(n.message))}`).join('\n')
  return table(['id', 'at', 'kind', 'message'], notifications.map((n) => [n.id, when(n.at), n.kind, timesForPeople(n.message)]), { keep: [0, 1, 2] })
}

export function renderTaxRates({ taxRates }: { taxRates: TaxRateView[] }): string {
  if (taxRates.length === 0) return 'No tax rates. Set one with: wsb tax rate set --country DE --rate 19 --name VAT'
  return table(['jurisdiction', 'name', 'rate'], taxRates.map((r) => [r.jurisdiction, r.name, `${r.rate}%`]), { align: ['left', 'left', 'right'], keep: [0] })
}
