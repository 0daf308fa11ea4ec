// Where an invoice's payment stands, in words: one source for `invoice show`
// and the PDF, so the two never disagree (a SEPA debit in flight is
// "processing", not "failed"). Read from the status and the last attempt.
import type { InvoiceView, PaymentAttemptView } from '../core/invoices/view.js'

const DECLINES: Record<string, string> = {
  card_declined: 'card declined',
  generic_decline: 'card declined',
  insufficient_funds: 'insufficient funds',
  expired_card: 'card expired',
  incorrect_cvc: 'security code incorrect',
  lost_card: 'card reported lost',
  stolen_card: 'card reported stolen',
  processing_error: 'processing error at the card issuer',
  authentication_required: 'the customer must authenticate',
}

/** A provider's decline code in words ("insufficient funds"); never the raw code on a customer document. */
export const declineWords = (code: string | null): string => (code === null ? 'not completed' : (DECLINES[code] ?? code.replace(/_/g, ' ')))

/** A payment attempt's outcome in words, for the payments table. */
export const OUTCOME_WORDS: Record<PaymentAttemptView['outcome'], string> = {
  succeeded: 'Paid',
  failed: 'Failed',
  requires_action: 'Needs authentication',
  processing: 'Processing',
  pending: 'Awaiting the provider',
  canceled: 'Canceled',
  error: 'Not completed',
}

const day = (value: string) => value.slice(0, 10)
const by = (p: PaymentAttemptView) => (p.method ? ` (${p.method})` : '')

export function invoiceStatusWords(invoice: InvoiceView): string {
  const last = invoice.payments[invoice.payments.length - 1]
  switch (invoice.status) {
    case 'paid':
      return 'Paid'
    case 'void':
      return 'Void'
    case 'preview':
      return 'Preview (not issued)'
    case 'uncollectible':
      return `Uncollectible: payment failed${last && last.outcome !== 'succeeded' ? `: ${declineWords(last.declineCode)}` : ''}`
  }
  // Open: what its last attempt left it at.
  switch (last?.outcome) {
    case 'processing':
      return `Payment processing: ${last.method ?? 'bank debit'}, started ${day(last.at)}`
    case 'requires_action':
      return `Awaiting the customer's authentication${by(last)}`
    case 'failed':
      return `Payment failed: ${declineWords(last.declineCode)}${by(last)}`
    case 'error':
      return `Payment not completed: the payment provider could not be reached${by(last)}; it is tried again`
    case 'pending':
      return `Payment in progress${by(last)}: the provider's answer is awaited`
    default:
      return 'Open: awaiting payment'
  }
}
