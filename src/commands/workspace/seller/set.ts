import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../../cli/base-command.js'
import { countryCode, email, name, parseInput } from '../../../core/schemas.js'
import { invalid } from '../../../core/errors.js'
import { readLogoFile } from '../../../core/workspaces/logo.js'
import { setSeller } from '../../../core/workspaces/seller.js'
import type { SellerIdentity } from '../../../core/store/schema/index.js'
import { renderSeller } from '../../../render/workspaces.js'

export default class WorkspaceSellerSet extends WorkspaceCommand<SellerIdentity> {
  static override summary = "Set who issues the workspace's invoices: legal name, address, tax id, terms."
  static override description = 'Fields not given keep their value. Issued invoices keep the seller they were issued with, logo included: the logo file is read once and its bytes stored.'
  static override examples = [
    '<%= config.bin %> workspace seller set --legal-name "Acme Cloud GmbH" --address "Hauptstraße 1" --address "10115 Berlin" --country DE --tax-id DE123456789 --terms-days 14',
  ]
  static override flags = {
    'legal-name': Flags.string({ summary: 'Legal name of the seller.' }),
    address: Flags.string({ summary: 'Address line; repeat for each line.', multiple: true }),
    country: Flags.string({ summary: 'ISO 3166-1 alpha-2 country code.' }),
    'tax-id': Flags.string({ summary: 'The seller’s tax id (VAT number, EIN …).' }),
    email: Flags.string({ summary: 'Contact email printed on invoices.' }),
    logo: Flags.string({ summary: 'A PNG or JPEG file (at most 512 KiB) printed at the top of invoices; its bytes are stored, the file is not needed later.', exclusive: ['remove-logo'], helpValue: 'FILE' }),
    'remove-logo': Flags.boolean({ summary: 'Print no logo on invoices issued from now on.' }),
    footer: Flags.string({ summary: 'Footer text (bank details, registration).' }),
    'terms-days': Flags.integer({ summary: 'Invoices are due this many days after issue (0: on receipt).', min: 0, max: 365 }),
  }

  async run(): Promise<SellerIdentity> {
    const { flags } = await this.parse(WorkspaceSellerSet)
    const text = (what: string, value: string | undefined) => (value === undefined ? undefined : parseInput(name(what), value))
    const fields = ['legal-name', 'address', 'country', 'tax-id', 'email', 'logo', 'footer', 'terms-days'] as const
    if (fields.every((field) => flags[field] === undefined) && !flags['remove-logo'])
      throw invalid('nothing to set: give at least one of --legal-name, --address, --country, --tax-id, --email, --logo, --remove-logo, --footer, --terms-days')
    // Read here, at the edge: the bytes are stored, so the PDF has the logo from any folder and forever.
    const logo = flags['remove-logo'] ? null : flags.logo === undefined ? undefined : readLogoFile(flags.logo)
    return await setSeller(await this.context(flags), {
      legalName: text('--legal-name', flags['legal-name']),
      addressLines: flags.address?.map((line) => parseInput(name('--address'), line)),
      country: flags.country === undefined ? undefined : parseInput(countryCode, flags.country),
      taxId: text('--tax-id', flags['tax-id']),
      email: flags.email === undefined ? undefined : parseInput(email, flags.email.trim()),
      logo,
      footer: text('--footer', flags.footer),
      paymentTermsDays: flags['terms-days'],
    })
  }

  protected render(seller: SellerIdentity): string {
    return `Set the seller.\n${renderSeller(seller)}`
  }
}
