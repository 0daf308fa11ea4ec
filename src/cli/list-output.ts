// Writing a list as it is read (issue 15): one page at a time, waiting for
// stdout to drain, so memory holds one page. --json is one document written
// incrementally, byte for byte what JSON.stringify({ [key]: rows }, null, 2)
// prints; --ndjson one object a line; people get tables (tab-separated when piped).
import { setWide } from '../render/terminal.js'

export type ListMode = 'json' | 'ndjson' | 'human'

/** On a terminal without --limit or a cursor: the latest this many. */
export const TERMINAL_LIMIT = 100

export const TERMINAL_NOTE = `(the latest ${TERMINAL_LIMIT}; --limit N, --since TIME or --after ID for others)`

export class ListOutput<T> {
  private count = 0

  constructor(
    private readonly mode: ListMode,
    private readonly key: string,
    /** The rows of one page as text; `header` on the first page. */
    private readonly rows: (items: T[], options: { header: boolean }) => string,
    private readonly empty: string,
  ) {
    if (mode === 'human') setWide(process.argv.includes('--wide'))
  }

  get written(): number {
    return this.count
  }

  private write(text: string): Promise<void> {
    return new Promise((resolve) => {
      if (process.stdout.write(text)) resolve()
      else process.stdout.once('drain', () => resolve())
    })
  }

  async page(items: T[]): Promise<void> {
    if (items.length === 0) return
    if (this.mode === 'ndjson') await this.write(items.map((item) => `${JSON.stringify(item)}\n`).join(''))
    else if (this.mode === 'json') {
      const text = items.map((item) => `    ${JSON.stringify(item, null, 2).replaceAll('\n', '\n    ')}`)
      await this.write(`${this.count === 0 ? `{\n  ${JSON.stringify(this.key)}: [\n` : ',\n'}${text.join(',\n')}`)
    } else await this.write(`${this.rows(items, { header: this.count === 0 })}\n`)
    this.count += items.length
  }

  /** Closes the document; for people, `note` (if any) under the rows. */
  async end(note = ''): Promise<void> {
    if (this.mode === 'json') await this.write(this.count === 0 ? `{\n  ${JSON.stringify(this.key)}: []\n}\n` : '\n  ]\n}\n')
    else if (this.mode === 'human') {
      if (this.count === 0) await this.write(`${this.empty}\n`)
      else if (note) await this.write(`${note}\n`)
    }
  }

  /** Writes every page, then the end. */
  async all(pages: AsyncIterable<T[]>, note?: (count: number) => string): Promise<void> {
    for await (const items of pages) await this.page(items)
    await this.end(note?.(this.count))
  }
}
