import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { showAccount } from '../../core/accounts/list.js'
import { invalid } from '../../core/errors.js'
import { showInvoice } from '../../core/invoices/list.js'
import { invoiceNumber } from '../../render/invoices.js'

type Result = { invoiceId: string; number: number | null; file: string; bytes: number }

export default class InvoicePdf extends WorkspaceCommand<Result> {
  static override summary = 'Write an issued invoice as a PDF file.'
  static override examples = ['<%= config.bin %> invoice pdf inv_1a2b3c -o invoice-0001.pdf']
  static override args = { invoice: requiredArg('Invoice id.') }
  static override flags = { output: Flags.string({ char: 'o', summary: 'The PDF file to write.', required: true, helpValue: 'FILE' }) }

  async run(): Promise<Result> {
    const { args, flags } = await this.parse(InvoicePdf)
    if (flags.output.trim() === '') throw invalid('--output: expected the path of the PDF file to write', {}, 'OUTPUT_UNWRITABLE')
    const ctx = await this.context(flags)
    const invoice = showInvoice(ctx, args.invoice)
    const { renderInvoicePdf } = await import('../../render/invoice-pdf.js')
    const pdf = await renderInvoicePdf({ invoice, account: showAccount(ctx, invoice.accountId), seller: { name: ctx.workspace.name, workspaceId: ctx.workspace.id } })
    const file = resolve(flags.output)
    try {
      await writeFile(file, pdf)
    } catch (error) {
      throw invalid(`cannot write ${file}: ${(error as Error).message}`, { file }, 'OUTPUT_UNWRITABLE')
    }
    return { invoiceId: args.invoice, number: invoice.number, file, bytes: pdf.length }
  }

  protected render(result: Result): string {
    return `Wrote invoice ${invoiceNumber(result.number)} to ${result.file} (${result.bytes} bytes).`
  }
}
