// Progress on long work, for people only: a bar on a terminal's stderr, never
// under --json, CI or a pipe. cli-progress is loaded only when a bar is shown.
export type Progress = { update(done: number, label: string): void; stop(): void }

const silent: Progress = { update() {}, stop() {} }

export async function progressBar(options: { json: boolean; total?: number; unit: string }): Promise<Progress> {
  if (options.json || !process.stderr.isTTY || process.env.CI !== undefined) return silent
  const { SingleBar, Presets } = await import('cli-progress')
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: options.total ? ` {bar} {percentage}% | {label}` : ' {label}',
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  )
  bar.start(options.total ?? 1, 0, { label: '' })
  return {
    update: (done, label) => bar.update(options.total ? Math.min(done, options.total) : 0, { label }),
    stop: () => bar.stop(),
  }
}
