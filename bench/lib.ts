// Small timing helpers for the benchmarks (never used by tests).
import { spawnSync } from 'node:child_process'

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number
}

export function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** The time until `fn`'s promise settles: the core is asynchronous. */
export async function timeMsAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** Wall time of a whole process, in ms. */
export function processMs(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, input?: string): { ms: number; status: number | null; stdout: string; stderr: string } {
  const start = process.hrtime.bigint()
  const out = spawnSync(command, args, { env, input, encoding: 'utf8', maxBuffer: 1 << 28 })
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, status: out.status, stdout: out.stdout, stderr: out.stderr }
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits
