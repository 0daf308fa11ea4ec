import { WsbCommand } from '../cli/base-command.js'

type Result = { version: string; node: string; platform: string }

export default class Version extends WsbCommand<Result> {
  static override summary = 'Print the version of wsb, Node.js and the platform.'
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --json']

  async run(): Promise<Result> {
    await this.parse(Version)
    return { version: this.config.version, node: process.version, platform: `${process.platform}-${process.arch}` }
  }

  protected render(result: Result): string {
    return `wsb/${result.version} ${result.platform} node-${result.node}`
  }
}
