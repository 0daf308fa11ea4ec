// The whole of `wsb apply` in the order that survives a crash anywhere: the
// payment methods a file lists for accounts that already exist are attached
// first (after the file has been validated by a dry run), then due lifecycle
// steps run (R-WS-4), then the file is applied in one transaction, then the
// methods of accounts it created are attached, then what fell due is
// collected. A re-run after a kill between the commit and the attachment thus
// attaches before anything is collected, as an uninterrupted run does.
import { contextFor } from '../context.js'
import { catchUp } from '../lifecycle/run.js'
import { addPaymentMethod } from '../payments/methods.js'
import type { Db } from '../store/open.js'
import { resolveWorkspace } from '../workspaces/resolve.js'
import { type ApplyAction, type ApplyOptions, type ApplyResult, applyFile } from './apply.js'
import type { ApplyFile } from './schema.js'
import { sameName } from '../names.js'

type Pending = { account: string; accountName: string; source: string }

/** Methods the file lists for existing accounts that the accounts do not have yet. */
async function pendingMethods(db: Db, workspaceId: string, file: ApplyFile): Promise<Pending[]> {
  const accounts = (await db.all('SELECT id, name FROM billing_accounts WHERE workspace_id = ?', workspaceId)) as { id: string; name: string }[]
  const pending: Pending[] = []
  for (const spec of file.accounts ?? []) {
    const row = accounts.find((account) => sameName(account.name, spec.name))
    if (!row || !spec.paymentMethods?.length) continue
    const present = new Set((await db.all<{ source: string }>('SELECT source FROM payment_methods WHERE account_id = ?', row.id)).map((m) => m.source))
    for (const source of spec.paymentMethods) if (!present.has(source)) pending.push({ account: row.id, accountName: row.name, source })
  }
  return pending
}

export async function runApply(db: Db, file: ApplyFile, options: ApplyOptions & { dryRun: boolean }): Promise<ApplyResult> {
  // Matched as apply matches it: case-insensitively in every script (SQLite's lower() folds only A–Z).
  const existing = (await db.all<{ id: string; name: string }>('SELECT id, name FROM workspaces')).find((row) => sameName(row.name, file.workspace.name))
  const early: ApplyAction[] = []
  if (existing && !options.dryRun) {
    const pending = await pendingMethods(db, existing.id, file)
    if (pending.length) {
      // A file that fails anywhere must attach nothing: validate it whole first.
      await applyFile(db, file, { ...options, dryRun: true })
      const provider = await options.provider()
      const ctx = contextFor(db, await resolveWorkspace(db, existing.id))
      for (const method of pending) {
        await addPaymentMethod(ctx, provider, { account: method.account, source: method.source })
        early.push({ action: 'create', kind: 'payment_method', name: `${method.accountName}: ${method.source}` })
      }
    }
  }
  // An existing workspace is brought up to date first (R-WS-4), as every command does.
  if (existing) await catchUp(contextFor(db, await resolveWorkspace(db, existing.id)))
  const result = await applyFile(db, file, options)
  if (!result.dryRun && result.workspace.id) await catchUp(contextFor(db, await resolveWorkspace(db, result.workspace.id)))
  if (!early.length) return result
  return {
    ...result,
    changed: true,
    actions: [...early, ...result.actions],
    summary: { ...result.summary, create: result.summary.create + early.length },
  }
}
