import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { attachDiscount, type DiscountView } from '../../core/coupons/coupons.js'
import { renderDiscount } from '../../render/invoices.js'

export default class AccountDiscount extends WorkspaceCommand<DiscountView> {
  static override summary = "Give an account a coupon's discount (replacing any other), or remove it."
  static override examples = ['<%= config.bin %> account discount "Global Corp GmbH" --coupon EMEA-LAUNCH', '<%= config.bin %> account discount "Global Corp GmbH" --remove']
  static override args = { account: requiredArg('Billing account id or name.') }
  static override flags = {
    coupon: Flags.string({ summary: 'Coupon code or id.', exactlyOne: ['coupon', 'remove'] }),
    remove: Flags.boolean({ summary: 'Remove the current discount.' }),
  }

  async run(): Promise<DiscountView> {
    const { args, flags } = await this.parse(AccountDiscount)
    return await attachDiscount(await this.context(flags), { account: args.account, coupon: flags.remove ? null : (flags.coupon ?? null) })
  }

  protected render(discount: DiscountView): string {
    return renderDiscount(discount)
  }
}
