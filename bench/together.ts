// Processes that must run one measured window at the same time (the engines
// and pg-floor benchmarks): each child loads and connects, says `ready` on
// stdout, then waits for the window on stdin, so a slow start on a busy machine
// (tsx compiling, 8 processes on 2 cores) never eats into the window.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export type WindowOut = { commits: number; ms: number; cpuMs: number; errors: string[]; rejected?: number }

/** Runs `script` (TypeScript, through tsx) once per argument list; all start together once every one is ready. */
export async function together(script: string, argLists: string[][], windowMs: number): Promise<WindowOut[]> {
  const children = argLists.map((args) => spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] }))
  const outputs = children.map(
    (child) =>
      new Promise<WindowOut>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (chunk) => (out += chunk))
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.slice(out.indexOf('{'))) as WindowOut) : reject(new Error(`${script} exited ${code}`))))
      }),
  )
  // A child that fails before it is ready rejects its output: stop waiting then too.
  await Promise.race([
    Promise.all(children.map((child) => new Promise<void>((resolve) => child.stdout.once('data', () => resolve())))),
    Promise.all(outputs).then(() => undefined),
  ])
  const startAt = Date.now() + 200
  for (const child of children) child.stdin.end(`${startAt} ${startAt + windowMs}\n`)
  return await Promise.all(outputs)
}

/** In a child: says ready, then waits for the window [start, end) from the parent. */
export async function awaitWindow(): Promise<{ startAt: number; endAt: number }> {
  process.stdout.write('ready\n')
  const lines = createInterface({ input: process.stdin })
  for await (const line of lines) {
    const [start = '0', end = '0'] = line.trim().split(' ')
    lines.close()
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(start) - Date.now())))
    return { startAt: Number(start), endAt: Number(end) }
  }
  throw new Error('no window given on stdin')
}
