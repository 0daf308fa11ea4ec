// Whether an account has a default payment method (R-TR-3 reads this at trial end).
import type { Db } from '../store/open.js'

export function hasDefaultPaymentMethod(_db: Db, _accountId: string): boolean {
  return false
}
