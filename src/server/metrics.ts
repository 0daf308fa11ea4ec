// What GET /metrics shows, in Prometheus's text format (version 0.0.4):
// requests by route and status, reports by outcome, batch sizes, commit
// latency, queue depth. Counters live in memory; a restart starts them at 0.

type Labels = Record<string, string>

const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  /** Label text by the labels' values (one lookup per call instead of building the text each time). */
  private readonly keys = new Map<string, string>()
  inc(labels: Labels = {}, by = 1): void {
    const values = Object.values(labels).join('\u0000')
    let key = this.keys.get(values)
    if (key === undefined) this.keys.set(values, (key = labelText(labels)))
    const entry = this.values.get(key)
    if (entry) entry.value += by
    else this.values.set(key, { labels, value: by })
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`]
    for (const [key, { value }] of this.values) lines.push(`${this.name}${key} ${value}`)
    return lines.join('\n')
  }
}

class Histogram {
  private readonly counts: number[]
  private sum = 0
  private count = 0
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0)
  }
  observe(value: number): void {
    this.sum += value
    this.count++
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] as number)) this.counts[i] = (this.counts[i] as number) + 1
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket{le="${bound}"} ${this.counts[i]}`))
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`)
    return lines.join('\n')
  }
}

export class Metrics {
  readonly requests = new Counter('wsb_http_requests_total', 'HTTP requests answered, by route and status.')
  readonly reports = new Counter('wsb_usage_reports_total', 'Usage reports decided, by outcome (accepted, rejected, replayed, invalid).')
  readonly batchSize = new Histogram('wsb_commit_batch_reports', 'Reports per group-commit transaction.', [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000])
  readonly commitSeconds = new Histogram('wsb_commit_seconds', 'Time of each group-commit transaction, catch-up and commit included.', [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  ])
  readonly failedCommits = new Counter('wsb_commit_failures_total', 'Group-commit transactions that did not commit.')

  constructor(private readonly queueDepth: () => number) {}

  text(): string {
    const depth = ['# HELP wsb_queue_reports Reports waiting for a transaction.', '# TYPE wsb_queue_reports gauge', `wsb_queue_reports ${this.queueDepth()}`].join('\n')
    return `${[this.requests.text(), this.reports.text(), this.batchSize.text(), this.commitSeconds.text(), this.failedCommits.text(), depth].join('\n')}\n`
  }
}
