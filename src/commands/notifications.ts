import { WorkspaceCommand } from '../cli/base-command.js'
import { listNotifications, type NotificationView } from '../core/notifications/list.js'
import { renderNotifications } from '../render/invoices.js'

type Result = { notifications: NotificationView[] }

export default class Notifications extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'List notifications: trial endings, payment failures, expiring cards.'
  static override examples = ['<%= config.bin %> notifications', '<%= config.bin %> notifications --json']

  async run(): Promise<Result> {
    const { flags } = await this.parse(Notifications)
    return await listNotifications(await this.context(flags))
  }

  protected render(result: Result): string {
    return renderNotifications(result)
  }
}
