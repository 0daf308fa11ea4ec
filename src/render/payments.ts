import type { PaymentMethodView } from '../core/payments/methods.js'
import { paint } from './colour.js'
import { table } from './table.js'

const expiry = (m: PaymentMethodView) =>
  m.type !== 'card' ? '—' : `${String(m.expMonth).padStart(2, '0')}/${m.expYear}${m.expired ? ` ${paint().red('expired')}` : m.expiresSoon ? ` ${paint().yellow('expires soon')}` : ''}`

export function renderPaymentMethods({ paymentMethods }: { paymentMethods: PaymentMethodView[] }): string {
  if (paymentMethods.length === 0) return 'No payment methods.'
  return table(
    ['role', 'id', 'method', 'expires', 'provider', 'provider id'],
    paymentMethods.map((m) => [
      m.isDefault ? paint().green('default') : 'backup',
      m.id,
      m.unusable ? `${m.label} ${paint().red(`unusable (${m.unusable.reason ?? 'provider'})`)}` : m.label,
      expiry(m),
      m.provider,
      m.providerId,
    ]),
    // Default or backup, the id (what pm default and pm remove take) and the method as people know it
    // stay whole; the provider's id is the first to give way, then the provider.
    { keep: [0, 1, 2], drop: [5, 4] },
  )
}
