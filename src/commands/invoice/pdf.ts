import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { outputPath, writeOutputFile } from '../../cli/output-file.js'
import { refuseStdoutOver } from '../../cli/output-guard.js'
import { showAccount } from '../../core/accounts/list.js'
import { showInvoice } from '../../core/invoices/list.js'
import { logoImage } from '../../core/workspaces/logo.js'
import { invalid } from '../../core/errors.js'
import { invoiceNumber } from '../../render/invoices.js'
import { onTerminal } from '../../render/terminal.js'
import { workspaceOfInvoice } from '../../core/workspaces/of-invoice.js'

type Result = { invoiceId: string; number: number | null; invoiceNumber: string | null; file: string; bytes: number }

export default class InvoicePdf extends WorkspaceCommand<Result> {
  static override summary = 'Write an issued invoice as a PDF file.'
  static override examples = ['<%= config.bin %> invoice pdf ASINC-0001 -o ASINC-0001.pdf', '<%= config.bin %> invoice pdf ASINC-0001 -o - | lpr']
  static override args = { invoice: requiredArg('Invoice id or number (GCUSA-0001); without --workspace, looked up in every workspace.') }
  static override flags = {
    output: Flags.string({ char: 'o', summary: 'The PDF file to write (- for stdout).', required: true, helpValue: 'FILE' }),
    force: Flags.boolean({ char: 'f', summary: 'With -o -, write the PDF to stdout even when it is a terminal.' }),
  }

  async run(): Promise<Result> {
    const { args, flags } = await this.parse(InvoicePdf)
    // Checked before any work: a folder, a FIFO or the database as -o is refused, never opened.
    const toStdout = flags.output === '-'
    const guarded = this.guardedFiles(flags.db)
    if (toStdout) refuseStdoutOver(guarded)
    if (toStdout && this.jsonEnabled()) throw invalid('-o - and --json both want stdout; write the PDF to a file')
    // Binary on a terminal garbles it (as gzip refuses to): a pipe or a file, or --force.
    if (toStdout && onTerminal() && !flags.force)
      throw invalid('-o -: stdout is a terminal, and a PDF is binary; pipe it (| lpr), redirect it (> invoice.pdf), give -o FILE, or --force', { output: '-' }, 'TERMINAL_OUTPUT')
    const file = toStdout ? '-' : outputPath(flags.output, '--output', guarded)
    const ctx = await this.context(flags, { workspaceOf: (db) => workspaceOfInvoice(db, args.invoice) })
    const invoice = await showInvoice(ctx, args.invoice)
    const { renderInvoicePdf } = await import('../../render/invoice-pdf.js')
    const pdf = await renderInvoicePdf({
      invoice,
      account: await showAccount(ctx, invoice.accountId),
      seller: { name: ctx.workspace.name, workspaceId: ctx.workspace.id },
      logo: await logoImage(ctx.db, ctx.workspace.id, invoice.seller?.logo),
    })
    if (toStdout) {
      this.quiet = true
      await new Promise<void>((resolve, reject) => process.stdout.write(pdf, (error) => (error ? reject(error) : resolve())))
    } else {
      // The seller's logo is read to draw the PDF: an input too.
      const logo = invoice.seller?.logo
      writeOutputFile(file, pdf, '--output', typeof logo === 'string' ? [...guarded, { role: "the seller's logo", path: logo }] : guarded)
    }
    return { invoiceId: invoice.id ?? args.invoice, number: invoice.number, invoiceNumber: invoice.invoiceNumber, file, bytes: pdf.length }
  }

  /** The PDF itself went to stdout: nothing else may follow it there. */
  private quiet = false

  protected render(result: Result): string {
    if (this.quiet) return ''
    return `Wrote invoice ${result.invoiceNumber ?? invoiceNumber(result.number)} to ${result.file} (${result.bytes} bytes).`
  }
}
