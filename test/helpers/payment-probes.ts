// What the Stripe payment tests read after each step, on the engine under test:
// the lifecycle run with a given provider, the invoice's attempts, subscription
// statuses, notifications, collect steps, and the fake's PaymentIntents.
import type { Ctx } from '../../src/core/context.js'
import { listInvoices } from '../../src/core/invoices/list.js'
import { advanceClock } from '../../src/core/lifecycle/clock.js'
import { listNotifications } from '../../src/core/notifications/list.js'
import type { PaymentProvider } from '../../src/core/payments/provider.js'
import { listSubscriptions } from '../../src/core/subscriptions/list.js'
import { refresh } from '../builders.js'
import type { StripeFake } from './stripe-fake.js'

export function paymentProbes(fake: () => StripeFake, provider: () => PaymentProvider) {
  const firstInvoice = async (ctx: Ctx) => (await listInvoices(await refresh(ctx))).invoices[0]
  return {
    /** Runs the lifecycle up to `at` (workspace time) with the provider, as a command's catch-up would. */
    runTo: async (ctx: Ctx, at: number) => await advanceClock(ctx.db, ctx.workspace.id, at, { providers: async () => provider() }),
    intentPosts: () => fake().requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents'),
    firstInvoice,
    attempts: async (ctx: Ctx) => (await firstInvoice(ctx))?.payments.map((p) => [p.run, p.method, p.outcome, p.declineCode]),
    subStatus: async (ctx: Ctx) => (await listSubscriptions(await refresh(ctx))).subscriptions.map((s) => s.status),
    kinds: async (ctx: Ctx) => (await listNotifications(await refresh(ctx))).notifications.map((n) => n.kind),
    collectSteps: async (ctx: Ctx) => await ctx.db.all<{ due_at: number }>(`SELECT due_at FROM due_steps WHERE kind = 'collect'`),
    intentsOf: (invoiceId: string | null | undefined) => [...fake().paymentIntents.values()].filter((pi) => pi.metadata.wsb_invoice_id === invoiceId),
  }
}
