// Doctor: the payment provider's standing (SPEC §3). A Stripe key that was
// rejected (401/403: rolled, revoked, restricted) stops collection until it is
// fixed; the latest state is kept in payment_provider_status and shown here.
import { iso } from '../clock.js'
import { defineCheck, inScope, query } from './check.js'

export const providerKey = defineCheck(
  'provider-key',
  'SPEC §3',
  'the payment provider accepted the secret key the last time it was asked',
  async function providerKey(scope) {
    return (await query<{ workspace_id: string; provider: string; key_rejected_at: number; status: number | null; message: string | null }>(
      scope,
      `SELECT workspace_id, provider, key_rejected_at, status, message FROM payment_provider_status
       WHERE key_rejected_at IS NOT NULL AND ${inScope('workspace_id')} ORDER BY workspace_id`,
    )).map((row) => ({
      ids: { workspaceId: row.workspace_id },
      message: `the Stripe key was rejected (${row.status ?? 'HTTP 401/403'}) since ${iso(Number(row.key_rejected_at))}: ${row.message ?? 'no message'}; no payment is collected until STRIPE_API_KEY holds a valid secret key with write access`,
    }))
  },
  'warning',
)
