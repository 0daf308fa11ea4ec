import { WorkspaceCommand } from '../../cli/base-command.js'
import { type CouponView, listCoupons } from '../../core/coupons/coupons.js'
import { renderCoupons } from '../../render/invoices.js'

type Result = { coupons: CouponView[] }

export default class CouponList extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override summary = 'List coupons.'
  static override examples = ['<%= config.bin %> coupon list --json']

  async run(): Promise<Result> {
    const { flags } = await this.parse(CouponList)
    return await listCoupons(await this.context(flags))
  }

  protected render(result: Result): string {
    return renderCoupons(result)
  }
}
