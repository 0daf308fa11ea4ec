// Doctor: billing accounts per mode (R-BA-2, R-BA-3), live subscriptions per
// account (R-BA-5), payment methods (R-PM-1) and the credit balance (R-INV-4).
import { MAX_LIVE_SUBSCRIPTIONS } from '../subscriptions/add.js'
import { MAX_PAYMENT_METHODS } from '../payments/methods.js'
import { type DoctorScope, defineCheck, type Finding, inScope, liveStatusList, query, sortedList } from './check.js'

export const singleAccount = defineCheck('single-account', 'R-BA-2', 'a single-mode workspace has at most one billing account', async function singleAccount(scope) {
  return (await query<{ workspace_id: string; n: number; ids: string} >(
scope,
`SELECT w.id AS workspace_id, count(*) AS n, string_agg(a.id, ',') AS ids
     FROM workspaces w JOIN billing_accounts a ON a.workspace_id = w.id
     WHERE w.mode = 'single' AND ${inScope('w.id')}
     GROUP BY w.id HAVING count(*) > 1 ORDER BY w.id`
)).map((row) => {
    const accountIds = sortedList(row.ids)
    return {
      ids: { workspaceId: row.workspace_id, accountIds: accountIds.join(',') },
      message: `single-mode workspace ${row.workspace_id} has ${row.n} billing accounts (${accountIds.join(', ')}); it may have one`,
    }
  })
})

export const accountAssignments = defineCheck(
  'account-assignments',
  'R-BA-3',
  'assigned mode: each account serves one top-level org of its workspace; other modes assign none',
  async function accountAssignments(scope) {
    const findings: Finding[] = []
    for (const row of await query<{
workspace_id: string
account_id: string
mode: string
org_id: string
found: string|null
org_workspace: string|null
parent_id: string|null
}>(
scope,
`SELECT a.workspace_id, a.id AS account_id, w.mode, a.organization_id AS org_id, o.id AS found, o.workspace_id AS org_workspace, o.parent_id
       FROM billing_accounts a
       JOIN workspaces w ON w.id = a.workspace_id
       LEFT JOIN organizations o ON o.id = a.organization_id
       WHERE a.organization_id IS NOT NULL AND ${inScope('a.workspace_id')}
         AND (w.mode <> 'assigned' OR o.id IS NULL OR o.workspace_id <> a.workspace_id OR o.parent_id IS NOT NULL)
       ORDER BY a.workspace_id, a.id`
)) {
      const ids = { workspaceId: row.workspace_id, accountId: row.account_id, orgId: row.org_id }
      if (row.mode !== 'assigned')
        findings.push({ ids, message: `account ${row.account_id} is assigned to ${row.org_id}, but its workspace is in ${row.mode} mode, where accounts are not assigned` })
      else if (row.found === null) findings.push({ ids, message: `account ${row.account_id} is assigned to ${row.org_id}, which does not exist` })
      else if (row.org_workspace !== row.workspace_id)
        findings.push({
          ids: { ...ids, orgWorkspaceId: row.org_workspace ?? '' },
          message: `account ${row.account_id} is assigned to ${row.org_id} of another workspace (${row.org_workspace})`,
        })
      else findings.push({ ids, message: `account ${row.account_id} is assigned to ${row.org_id}, which is not top-level (its parent is ${row.parent_id})` })
    }
    for (const row of await query<{ workspace_id: string; org_id: string; ids: string} >(
scope,
`SELECT min(workspace_id) AS workspace_id, organization_id AS org_id, string_agg(id, ',') AS ids
       FROM billing_accounts WHERE organization_id IS NOT NULL AND ${inScope('workspace_id')}
       GROUP BY organization_id HAVING count(*) > 1 ORDER BY organization_id`
)) {
      const accountIds = sortedList(row.ids)
      findings.push({
        ids: { workspaceId: row.workspace_id, orgId: row.org_id, accountIds: accountIds.join(',') },
        message: `organization ${row.org_id} has ${accountIds.length} billing accounts (${accountIds.join(', ')}); it may have one`,
      })
    }
    return findings
  },
)

export const activeSubscriptions = defineCheck(
  'active-subscriptions',
  'R-BA-5',
  `a billing account has at most ${MAX_LIVE_SUBSCRIPTIONS} trialing, active or past_due subscriptions`,
  async function activeSubscriptions(scope) {
    return (await query<{ workspace_id: string; account_id: string; n: number; ids: string} >(
scope,
`SELECT a.workspace_id, a.id AS account_id, count(*) AS n, string_agg(s.id, ',') AS ids
       FROM subscriptions s JOIN billing_accounts a ON a.id = s.account_id
       WHERE s.status IN (${liveStatusList}) AND ${inScope('a.workspace_id')}
       GROUP BY a.id HAVING count(*) > ${MAX_LIVE_SUBSCRIPTIONS} ORDER BY a.workspace_id, a.id`
)).map((row) => {
      const subscriptionIds = sortedList(row.ids)
      return {
        ids: { workspaceId: row.workspace_id, accountId: row.account_id, subscriptionIds: subscriptionIds.join(',') },
        message: `account ${row.account_id} has ${row.n} active subscriptions (${subscriptionIds.join(', ')}); at most ${MAX_LIVE_SUBSCRIPTIONS} are allowed`,
      }
    })
  },
)

type MethodCount = { workspace_id: string; account_id: string; n: number; defaults: number; default_ids: string | null }

const methodCounts = (scope: DoctorScope, having: string) =>
  query<MethodCount>(
    scope,
    `SELECT a.workspace_id, a.id AS account_id, count(*) AS n, sum(CASE WHEN pm.is_default THEN 1 ELSE 0 END) AS defaults,
            string_agg(CASE WHEN pm.is_default THEN pm.id END, ',') AS default_ids
     FROM payment_methods pm JOIN billing_accounts a ON a.id = pm.account_id
     WHERE ${inScope('a.workspace_id')}
     GROUP BY a.id HAVING ${having} ORDER BY a.workspace_id, a.id`,
  )

export const paymentMethodLimit = defineCheck(
  'payment-method-limit',
  'R-PM-1',
  `a billing account has at most ${MAX_PAYMENT_METHODS} payment methods`,
  async function paymentMethodLimit(scope) {
    return (await methodCounts(scope, `count(*) > ${MAX_PAYMENT_METHODS}`)).map((row) => ({
      ids: { workspaceId: row.workspace_id, accountId: row.account_id },
      message: `account ${row.account_id} has ${row.n} payment methods; at most ${MAX_PAYMENT_METHODS} are allowed`,
    }))
  },
)

export const defaultPaymentMethod = defineCheck(
  'default-payment-method',
  'R-PM-1',
  'an account with payment methods has exactly one default',
  async function defaultPaymentMethod(scope) {
    return (await methodCounts(scope, 'sum(CASE WHEN pm.is_default THEN 1 ELSE 0 END) <> 1')).map((row): Finding => {
      const defaults = sortedList(row.default_ids)
      return row.defaults === 0
        ? { ids: { workspaceId: row.workspace_id, accountId: row.account_id }, message: `account ${row.account_id} has ${row.n} payment methods and no default` }
        : {
            ids: { workspaceId: row.workspace_id, accountId: row.account_id, paymentMethodIds: defaults.join(',') },
            message: `account ${row.account_id} has ${row.defaults} default payment methods (${defaults.join(', ')}); it must have one`,
          }
    })
  },
)

export const creditBalance = defineCheck('credit-balance', 'R-INV-4', "an account's credit balance is the sum of its credit entries", async function creditBalance(scope) {
  return (await query<{ workspace_id: string; account_id: string; currency: string; balance: number; entries: number} >(
scope,
`SELECT a.workspace_id, a.id AS account_id, a.currency, a.credit_balance AS balance, coalesce(c.total, 0) AS entries
     FROM billing_accounts a
     LEFT JOIN (SELECT account_id, CAST(sum(amount) AS bigint) AS total FROM credit_entries GROUP BY account_id) c ON c.account_id = a.id
     WHERE a.credit_balance <> coalesce(c.total, 0) AND ${inScope('a.workspace_id')}
     ORDER BY a.workspace_id, a.id`
)).map((row) => ({
    ids: { workspaceId: row.workspace_id, accountId: row.account_id },
    message: `credit balance of ${row.account_id} is ${row.balance}; its credit entries sum to ${row.entries} (${row.currency} minor units)`,
  }))
})
