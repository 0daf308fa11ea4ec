// The one human name of a payment method, for `pm list`, invoices and PDFs:
// "Visa ••••4242", "SEPA debit ••••3000", "US bank account ••••6789".
export type MethodType = 'card' | 'sepa_debit' | 'us_bank_account'

const BRANDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  jcb: 'JCB',
  diners: 'Diners Club',
  unionpay: 'UnionPay',
  cartes_bancaires: 'Cartes Bancaires',
}

const TYPES: Record<Exclude<MethodType, 'card'>, string> = { sepa_debit: 'SEPA debit', us_bank_account: 'US bank account' }

export function methodLabel(pm: { type?: MethodType | null; brand: string; last4: string }): string {
  const kind = !pm.type || pm.type === 'card' ? (BRANDS[pm.brand] ?? (pm.brand ? pm.brand[0]?.toUpperCase() + pm.brand.slice(1) : 'Card')) : TYPES[pm.type]
  return `${kind} ••••${pm.last4}`
}

/** What the customer has to do before a payment on this method can go on, in words (3-D Secure is a card's). */
export function customerActionText(pm: { type?: MethodType | null; brand: string; last4: string }, action: 'authenticate' | 'verify_microdeposits'): string {
  const label = methodLabel(pm)
  if (action === 'verify_microdeposits') return `the customer must verify ${label} with the micro-deposits Stripe sent to it`
  if (!pm.type || pm.type === 'card') return `the bank asks the customer to authenticate the payment on ${label} (3-D Secure)`
  return `the customer must confirm the debit on ${label}`
}
