import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { type CouponView, createCoupon } from '../../core/coupons/coupons.js'
import { minorUnits, name, parseInput, percent, wholeNumber } from '../../core/schemas.js'
import type { CouponDuration } from '../../core/store/schema/index.js'
import { renderCoupons } from '../../render/invoices.js'

export default class CouponCreate extends WorkspaceCommand<CouponView> {
  static override summary = 'Create a coupon: percent or amount off, once, for N invoices, or forever.'
  static override examples = [
    '<%= config.bin %> coupon create WELCOME20 --percent-off 20 --duration repeating --invoices 3',
    '<%= config.bin %> coupon create TENOFF --amount-off 1000 --currency EUR --duration once',
  ]
  static override args = { code: requiredArg('Coupon code (unique in the workspace).') }
  static override flags = {
    name: Flags.string({ summary: 'Display name. Default: the code.' }),
    'percent-off': Flags.string({ summary: 'Percent off the subtotal, up to 3 decimals.', helpValue: 'PCT', exactlyOne: ['percent-off', 'amount-off'] }),
    'amount-off': Flags.string({ summary: 'Amount off, in minor units of --currency.', helpValue: 'N' }),
    currency: Flags.string({ summary: 'Currency of --amount-off.' }),
    duration: Flags.string({ summary: 'How long it applies.', options: ['once', 'repeating', 'forever'], required: true }),
    invoices: Flags.string({ summary: 'With --duration repeating: how many invoices it discounts.', helpValue: 'N' }),
  }

  async run(): Promise<CouponView> {
    const { args, flags } = await this.parse(CouponCreate)
    return await createCoupon(await this.context(flags), {
      code: this.input(name('coupon code'), args.code),
      name: flags.name === undefined ? undefined : this.input(name('coupon name'), flags.name),
      percentOffMilli: flags['percent-off'] === undefined ? undefined : parseInput(percent('--percent-off'), flags['percent-off']),
      amountOff: flags['amount-off'] === undefined ? undefined : this.input(minorUnits('--amount-off'), flags['amount-off']),
      currency: flags.currency,
      duration: flags.duration as CouponDuration,
      durationInvoices: flags.invoices === undefined ? undefined : wholeNumber('--invoices', flags.invoices),
    })
  }

  protected render(coupon: CouponView): string {
    return `Created coupon.\n${renderCoupons({ coupons: [coupon] })}`
  }
}
