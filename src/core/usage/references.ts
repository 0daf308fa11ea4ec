// Why a report's org or product could not be used, said as every other command
// says it: an ambiguous name with its candidate paths, an unknown one with the
// names it may have meant. Off the hot path: only for reports the meter rejected
// for a reference, read after the fact (the meter's own answer stays terse).
import type { Ctx } from '../context.js'
import { isWsbError, type WsbError } from '../errors.js'
import { unknownProduct } from '../catalog/unknown.js'
import { resolveOrg } from '../orgs/resolve.js'
import { loadTree } from '../orgs/tree.js'

/** The error that explains a reference rejection (reason AMBIGUOUS_REFERENCE or NOT_FOUND), or undefined for any other. */
export async function referenceError(ctx: Ctx, report: { org: string; product: string }, rejection: { reason: string | null; message: string | null }): Promise<WsbError | undefined> {
  if (rejection.reason !== 'AMBIGUOUS_REFERENCE' && rejection.reason !== 'NOT_FOUND') return undefined
  // The meter names the product first in its message when the product is what it could not find.
  if (rejection.reason === 'NOT_FOUND' && rejection.message?.startsWith('product ')) return await unknownProduct(ctx.db, ctx.workspace.id, report.product)
  try {
    resolveOrg(await loadTree(ctx.db, ctx.workspace.id), report.org)
    return undefined
  } catch (error) {
    return isWsbError(error) ? error : undefined
  }
}
