// How an operator gives a bank debit's mandate at `pm add` (docs/payments.md "Mandates"):
// the id of a Mandate the customer accepted in a checkout, or the customer's
// acceptance, offline (signed outside Stripe) or online (where and with what
// browser they accepted). Validated here, at the edge, into a MandateInput.
import * as z from 'zod/mini'
import { invalid } from '../errors.js'
import type { MandateInput } from './provider.js'

export type MandateFlags = { mandate?: string | undefined; offline?: boolean | undefined; ipAddress?: string | undefined; userAgent?: string | undefined }

const mandateId = z.string().check(z.regex(/^mandate_[A-Za-z0-9]+$/, { error: '--mandate: expected a Stripe Mandate id (mandate_…)' }))
const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: '--mandate-ip: expected the IPv4 or IPv6 address the customer accepted the mandate from' })
const userAgent = z.string().check(z.minLength(1, { error: '--mandate-user-agent: expected the browser user agent the customer accepted the mandate with' }), z.maxLength(5000, { error: '--mandate-user-agent: at most 5000 characters' }))

/** The mandate flags as one MandateInput, or undefined when none was given; a mix is invalid input naming the flags. */
export function mandateFrom(flags: MandateFlags): MandateInput | undefined {
  const online = flags.ipAddress !== undefined || flags.userAgent !== undefined
  const given = [flags.mandate !== undefined && '--mandate', flags.offline && '--mandate-offline', online && '--mandate-ip/--mandate-user-agent'].filter(Boolean)
  if (given.length > 1) throw invalid(`give one way of the mandate, not ${given.join(' and ')}`, { flags: given })
  const problem = (result: { success: boolean; error?: { issues: { message: string }[] } }) => {
    if (!result.success) throw invalid(result.error?.issues.map((issue) => issue.message).join('; ') ?? 'invalid mandate')
  }
  if (flags.mandate !== undefined) {
    problem(z.safeParse(mandateId, flags.mandate))
    return { mandateId: flags.mandate }
  }
  if (flags.offline) return { acceptance: 'offline' }
  if (!online) return undefined
  if (flags.ipAddress === undefined || flags.userAgent === undefined) throw invalid('an online mandate needs both --mandate-ip and --mandate-user-agent', {})
  problem(z.safeParse(ipAddress, flags.ipAddress))
  problem(z.safeParse(userAgent, flags.userAgent))
  return { acceptance: 'online', ipAddress: flags.ipAddress, userAgent: flags.userAgent }
}
