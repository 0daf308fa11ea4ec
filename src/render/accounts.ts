import type { AccountDetail } from '../core/accounts/list.js'
import { paint } from './colour.js'
import { details, table } from './table.js'
import { when } from './time.js'

export function renderAccount(a: AccountDetail): string {
  return details([
    ['account', `${paint().bold(a.name)} (${a.id})`],
    ['currency', a.currency],
    ['tax rate', `${a.taxRate}%`],
    ['organization', a.organizationId === null ? '—' : `${a.organizationName ?? '?'} (${a.organizationId})`],
    ['email', a.email],
    ['country', a.country],
    ['address', a.address],
    ['tax id', a.taxId],
    ['created', when(a.createdAt)],
  ])
}

export function renderAccounts({ accounts }: { accounts: AccountDetail[] }): string {
  if (accounts.length === 0) return 'No billing accounts yet. Create one with: wsb account create NAME --currency CUR'
  return table(
    ['id', 'name', 'currency', 'tax', 'organization', 'country'],
    accounts.map((a) => [a.id, a.name, a.currency, `${a.taxRate}%`, a.organizationId === null ? '—' : (a.organizationName ?? a.organizationId), a.country ?? '—']),
    { keep: [0, 1, 2] },
  )
}
