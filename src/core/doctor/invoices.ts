// Doctor: invoice numbering (R-INV-1) and invoice arithmetic (R-INV-2): the
// totals agree with the lines, tax is the rate on the discounted subtotal, and
// a paid invoice was paid its amount due.
import { percentOf } from '../money.js'
import { defineCheck, type Finding, inScope, query } from './check.js'

export const invoiceNumbers = defineCheck('invoice-numbers', 'R-INV-1', "each account's invoices are numbered 1..n without gaps or duplicates", async function invoiceNumbers(scope) {
  const findings: Finding[] = []
  for (const row of await query<{ workspace_id: string; account_id: string; n: number; numbers: string; }>(
scope,
`SELECT a.workspace_id, a.id AS account_id, count(*) AS n, string_agg(CAST(i.number AS text), ',') AS numbers
     FROM invoices i JOIN billing_accounts a ON a.id = i.account_id
     WHERE ${inScope('a.workspace_id')}
     GROUP BY a.id HAVING min(i.number) <> 1 OR max(i.number) <> count(*) OR count(DISTINCT i.number) <> count(*)
     ORDER BY a.workspace_id, a.id`
)) {
    const numbers = row.numbers.split(',').map(Number)
    const seen = new Map<number, number>()
    for (const number of numbers) seen.set(number, (seen.get(number) ?? 0) + 1)
    const highest = Math.max(...numbers)
    const missing: number[] = []
    for (let number = 1; number <= highest; number++) if (!seen.has(number)) missing.push(number)
    const duplicated = [...seen].filter(([, times]) => times > 1).map(([number]) => number).sort((a, b) => a - b)
    const outOfRange = [...seen.keys()].filter((number) => number < 1).sort((a, b) => a - b)
    const problems = [
      missing.length ? `missing ${missing.join(', ')}` : '',
      duplicated.length ? `duplicated ${duplicated.join(', ')}` : '',
      outOfRange.length ? `below 1: ${outOfRange.join(', ')}` : '',
    ].filter(Boolean)
    findings.push({
      ids: { workspaceId: row.workspace_id, accountId: row.account_id },
      message: `the ${row.n} invoices of account ${row.account_id} are not numbered 1..${row.n}: ${problems.join('; ')}`,
    })
  }
  return findings
})

type TotalsRow = {
  workspace_id: string
  account_id: string
  invoice_id: string
  number: number
  currency: string
  subtotal: number
  discount: number
  tax_rate_milli: number
  tax: number
  total: number
  credit_applied: number
  amount_due: number
  charges: number
  discounts: number
}

/** Tax half-up on the discounted subtotal, in SQL only to narrow the rows; the message uses the core's percentOf. */
const taxSql = `CASE WHEN i.subtotal - i.discount >= 0
  THEN (2 * (i.subtotal - i.discount) * i.tax_rate_milli + 100000) / 200000
  ELSE -((2 * (i.discount - i.subtotal) * i.tax_rate_milli + 100000) / 200000) END`

export const invoiceTotals = defineCheck(
  'invoice-totals',
  'R-INV-2',
  "an invoice's subtotal, discount, tax, total and amount due agree with its lines",
  async function invoiceTotals(scope) {
    const findings: Finding[] = []
    for (const row of await query<TotalsRow>(
scope,
`SELECT i.workspace_id, i.account_id, i.id AS invoice_id, i.number, i.currency, i.subtotal, i.discount, i.tax_rate_milli, i.tax,
              i.total, i.credit_applied, i.amount_due, coalesce(l.charges, 0) AS charges, coalesce(l.discounts, 0) AS discounts
       FROM invoices i
       LEFT JOIN (SELECT invoice_id, CAST(sum(CASE WHEN kind <> 'discount' THEN amount ELSE 0 END) AS bigint) AS charges,
                         CAST(sum(CASE WHEN kind = 'discount' THEN amount ELSE 0 END) AS bigint) AS discounts
                  FROM invoice_lines GROUP BY invoice_id) l ON l.invoice_id = i.id
       WHERE ${inScope('i.workspace_id')}
         AND (i.subtotal <> coalesce(l.charges, 0) OR i.discount <> -coalesce(l.discounts, 0) OR i.tax <> ${taxSql}
              OR i.total <> i.subtotal - i.discount + i.tax OR i.amount_due <> CASE WHEN i.total - i.credit_applied > 0 THEN i.total - i.credit_applied ELSE 0 END)
       ORDER BY i.workspace_id, i.account_id, i.number`
)) {
      const problems: string[] = []
      if (row.subtotal !== row.charges) problems.push(`subtotal ${row.subtotal} ≠ ${row.charges}, the sum of its item and proration lines`)
      if (row.discount !== -row.discounts) problems.push(`discount ${row.discount} ≠ ${-row.discounts}, minus the sum of its discount lines`)
      const tax = percentOf(row.subtotal - row.discount, row.tax_rate_milli)
      if (row.tax !== tax) problems.push(`tax ${row.tax} ≠ ${tax}, ${row.tax_rate_milli / 1000}% of the discounted subtotal`)
      const total = row.subtotal - row.discount + row.tax
      if (row.total !== total) problems.push(`total ${row.total} ≠ ${total} = subtotal − discount + tax`)
      const due = Math.max(0, row.total - row.credit_applied)
      if (row.amount_due !== due) problems.push(`amount due ${row.amount_due} ≠ ${due} = max(0, total − credit applied)`)
      findings.push({
        ids: { workspaceId: row.workspace_id, accountId: row.account_id, invoiceId: row.invoice_id },
        message: `invoice ${row.invoice_id} (number ${row.number} of ${row.account_id}): ${problems.join('; ')} (${row.currency} minor units)`,
      })
    }
    return findings
  },
)

export const paidInvoices = defineCheck('paid-invoices', 'R-INV-2', 'a paid invoice has amount paid = amount due', async function paidInvoices(scope) {
  return (await query<{ workspace_id: string; account_id: string; invoice_id: string; amount_due: number; amount_paid: number; currency: string; }>(
scope,
`SELECT workspace_id, account_id, id AS invoice_id, amount_due, amount_paid, currency FROM invoices
     WHERE status = 'paid' AND amount_paid <> amount_due AND ${inScope('workspace_id')}
     ORDER BY workspace_id, account_id, number`
)).map((row) => ({
    ids: { workspaceId: row.workspace_id, accountId: row.account_id, invoiceId: row.invoice_id },
    message: `invoice ${row.invoice_id} is paid, but its amount paid ${row.amount_paid} ≠ its amount due ${row.amount_due} (${row.currency} minor units)`,
  }))
})
