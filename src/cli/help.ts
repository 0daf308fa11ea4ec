// wsb's help (package.json oclif.helpClass): oclif's, at the terminal's width
// (COLUMNS when it is not a terminal, as the tables), with descriptions and
// examples wrapped between words (render/help-text.ts).
import { type Command, CommandHelp, Help, type Interfaces } from '@oclif/core'
import { wrapCommand, wrapText } from '../render/help-text.js'

/** The terminal's width, else COLUMNS, else 80 (oclif alone reads only OCLIF_COLUMNS). */
export function helpWidth(env: NodeJS.ProcessEnv = process.env): number {
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined
  const fromEnv = Number(env.COLUMNS)
  const width = columns && columns > 0 ? columns : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80
  return Math.max(width, 40)
}

/** Sections are indented by two columns. */
const INDENT = 2

/**
 * oclif renders every string of the help as an EJS template, compiling one per
 * string (a third of `wsb --help`); a string with no tag ("<%", or a "%>" that
 * EJS would drop) renders as itself.
 */
export function withLiterals(render: (input: string) => string): (input: string) => string {
  return (input) => (input.includes('<%') || input.includes('%>') ? render(input) : input)
}

class WsbCommandHelp extends CommandHelp {
  constructor(command: Command.Loadable, config: Interfaces.Config, opts: Interfaces.HelpOptions) {
    super(command, config, opts)
    this.render = withLiterals(this.render)
  }

  protected override description(): string | undefined {
    const { summary, description } = this.command
    if (!description) return undefined
    const text = summary ? `${summary}\n\n${description}` : description
    return wrapText(this.render(text), this.opts.maxWidth - INDENT)
  }

  protected override examples(examples: Command.Example[] | string | undefined): string | undefined {
    if (!examples || examples.length === 0) return undefined
    const width = this.opts.maxWidth - INDENT
    const command = (line: string) => {
      const text = this.render(line)
      return wrapCommand(text.startsWith(this.config.bin) ? `$ ${text}` : text, width)
    }
    return (Array.isArray(examples) ? examples : [examples])
      .map((example) =>
        typeof example === 'string'
          ? example.split(/\r?\n/).filter(Boolean).map(command).join('\n')
          : `${wrapText(this.render(example.description), width)}\n\n${command(example.command)}`,
      )
      .join('\n\n')
  }
}

export default class WsbHelp extends Help {
  protected override CommandHelpClass = WsbCommandHelp

  constructor(config: Interfaces.Config, options: Partial<Interfaces.HelpOptions> = {}) {
    super(config, { maxWidth: helpWidth(), ...options })
    this.render = withLiterals(this.render)
  }

  /** The summary oclif prints above a command's help, as one line however long: wrapped there only (command lists wrap their own). */
  private summaryOnTop = false

  override async showCommandHelp(command: Command.Loadable): Promise<void> {
    this.summaryOnTop = true
    try {
      await super.showCommandHelp(command)
    } finally {
      this.summaryOnTop = false
    }
  }

  protected override summary(command: Command.Loadable): string | undefined {
    const text = super.summary(command)
    if (!this.summaryOnTop || text === undefined) return text
    this.summaryOnTop = false
    return wrapText(text, this.opts.maxWidth)
  }

  /** oclif prints the package's one-line description above the root help as it is. */
  override formatRoot(): string {
    const [first = '', ...rest] = super.formatRoot().split('\n\n')
    return [wrapText(first, this.opts.maxWidth), ...rest].join('\n\n')
  }
}
