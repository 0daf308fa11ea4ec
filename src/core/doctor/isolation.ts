// Doctor: workspace isolation (R-WS-2). No row points at an object of another
// workspace. Organization parents and account assignments are checked by
// org-forest and account-assignments; the usage ledger, by usage-levels (an
// accepted report on a foreign org shows as a level that differs from the ledger).
import { defineCheck, type Finding, inScope, query } from './check.js'

/**
 * A reference from rows of kind `row` to objects of kind `ref`: `sql` selects
 * the row's workspace (ws) and id, and the referenced object's id (ref_id) and
 * workspace (ref_ws). Rows without a workspace column take their owner's.
 */
type Reference = { row: string; ref: string; sql: string }

const dueStepTargets: { kinds: string[]; ref: string; table: string }[] = [
  { kinds: ['period_end', 'trial_reminder'], ref: 'subscription', table: 'subscriptions' },
  { kinds: ['collect'], ref: 'invoice', table: 'invoices' },
  { kinds: ['card_expiry'], ref: 'paymentMethod', table: 'payment_methods' },
]

const references: Reference[] = [
  {
    row: 'subscription',
    ref: 'account',
    sql: 'SELECT s.workspace_id AS ws, s.id AS id, a.id AS ref_id, a.workspace_id AS ref_ws FROM subscriptions s JOIN billing_accounts a ON a.id = s.account_id',
  },
  {
    row: 'subscription',
    ref: 'price',
    sql: `SELECT s.workspace_id AS ws, s.id AS id, p.id AS ref_id, p.workspace_id AS ref_ws
          FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription_id JOIN prices p ON p.id = i.price_id`,
  },
  {
    row: 'pendingLine',
    ref: 'account',
    sql: `SELECT s.workspace_id AS ws, CAST(l.id AS TEXT) AS id, a.id AS ref_id, a.workspace_id AS ref_ws
          FROM pending_lines l JOIN subscriptions s ON s.id = l.subscription_id JOIN billing_accounts a ON a.id = l.account_id`,
  },
  {
    row: 'paymentMethod',
    ref: 'account',
    sql: 'SELECT m.workspace_id AS ws, m.id AS id, a.id AS ref_id, a.workspace_id AS ref_ws FROM payment_methods m JOIN billing_accounts a ON a.id = m.account_id',
  },
  {
    row: 'invoice',
    ref: 'account',
    sql: 'SELECT i.workspace_id AS ws, i.id AS id, a.id AS ref_id, a.workspace_id AS ref_ws FROM invoices i JOIN billing_accounts a ON a.id = i.account_id',
  },
  {
    row: 'invoice',
    ref: 'subscription',
    sql: 'SELECT i.workspace_id AS ws, i.id AS id, s.id AS ref_id, s.workspace_id AS ref_ws FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id',
  },
  {
    row: 'paymentAttempt',
    ref: 'invoice',
    sql: 'SELECT t.workspace_id AS ws, CAST(t.id AS TEXT) AS id, i.id AS ref_id, i.workspace_id AS ref_ws FROM payment_attempts t JOIN invoices i ON i.id = t.invoice_id',
  },
  {
    row: 'paymentAttempt',
    ref: 'paymentMethod',
    sql: 'SELECT t.workspace_id AS ws, CAST(t.id AS TEXT) AS id, m.id AS ref_id, m.workspace_id AS ref_ws FROM payment_attempts t JOIN payment_methods m ON m.id = t.payment_method_id',
  },
  {
    row: 'account',
    ref: 'coupon',
    sql: 'SELECT a.workspace_id AS ws, a.id AS id, c.id AS ref_id, c.workspace_id AS ref_ws FROM account_discounts d JOIN billing_accounts a ON a.id = d.account_id JOIN coupons c ON c.id = d.coupon_id',
  },
  {
    row: 'account',
    ref: 'invoice',
    sql: 'SELECT a.workspace_id AS ws, a.id AS id, i.id AS ref_id, i.workspace_id AS ref_ws FROM credit_entries e JOIN billing_accounts a ON a.id = e.account_id JOIN invoices i ON i.id = e.invoice_id',
  },
  {
    row: 'orgLimit',
    ref: 'org',
    sql: `SELECT l.workspace_id AS ws, l.org_id || '/' || l.product AS id, o.id AS ref_id, o.workspace_id AS ref_ws FROM org_limits l JOIN organizations o ON o.id = l.org_id`,
  },
  {
    row: 'usageLevel',
    ref: 'org',
    sql: `SELECT u.workspace_id AS ws, u.org_id || '/' || u.product AS id, o.id AS ref_id, o.workspace_id AS ref_ws FROM usage_levels u JOIN organizations o ON o.id = u.org_id`,
  },
  ...dueStepTargets.map(({ kinds, ref, table }) => ({
    row: 'dueStep',
    ref,
    sql: `SELECT d.workspace_id AS ws, CAST(d.id AS TEXT) AS id, x.id AS ref_id, x.workspace_id AS ref_ws
          FROM due_steps d JOIN ${table} x ON x.id = d.ref_id WHERE d.kind IN (${kinds.map((kind) => `'${kind}'`).join(', ')})`,
  })),
]

const label: Record<string, string> = {
  subscription: 'subscription',
  account: 'account',
  price: 'price',
  pendingLine: 'pending proration line',
  paymentMethod: 'payment method',
  invoice: 'invoice',
  paymentAttempt: 'payment attempt',
  coupon: 'coupon',
  orgLimit: 'limit',
  usageLevel: 'usage counter',
  org: 'organization',
  dueStep: 'lifecycle step',
}

export const workspaceIsolation = defineCheck('workspace-isolation', 'R-WS-2', "no row references an object of another workspace", async function workspaceIsolation(scope) {
  const findings: Finding[] = []
  for (const { row, ref, sql } of references)
    for (const hit of await query<{ ws: string; id: string; ref_id: string; ref_ws: string; }>(
scope,
`SELECT ws, id, ref_id, ref_ws FROM (${sql}) AS r WHERE ws <> ref_ws AND (${inScope('ws')} OR ${inScope('ref_ws')}) ORDER BY ws, id, ref_id`
))
      findings.push({
        ids: { workspaceId: hit.ws, [`${row}Id`]: hit.id, [`${ref}Id`]: hit.ref_id, [`${ref}WorkspaceId`]: hit.ref_ws },
        message: `${label[row]} ${hit.id} of workspace ${hit.ws} references ${label[ref]} ${hit.ref_id} of workspace ${hit.ref_ws}`,
      })
  return findings
})
