// Reading the runnable parts of the documentation (test/docs/examples.test.ts):
// the ```sh blocks of a markdown file with their markers and the output block
// shown beside them, the `# exits N` marker of a command line, and the
// normalisation under which shown output is compared with real output.

/** A fenced block of a markdown file. */
export type Fence = { lang: string; body: string; line: number }

/** An sh block: skipped when `notRun` holds a reason; `output` is the text/console block right after it. */
export type ShBlock = Fence & { notRun?: string; output?: Fence }

const RUN_LANGS = new Set(['sh', 'bash'])
const OUTPUT_LANGS = new Set(['text', 'console', 'output'])
const NOT_RUN = /^<!--\s*not run:(.*?)-->\s*$/

export function fences(markdown: string): (Fence & { before: number; after: number })[] {
  const lines = markdown.split('\n')
  const out: (Fence & { before: number; after: number })[] = []
  const line = (index: number): string => lines[index] ?? ''
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*(`{3,}|~{3,})\s*([\w+-]*)/.exec(line(i))
    if (!open) continue
    const marker = open[1] ?? '```'
    const close = new RegExp(`^\\s*${marker[0]}{${marker.length},}\\s*$`)
    let end = i + 1
    while (end < lines.length && !close.test(line(end))) end++
    out.push({ lang: (open[2] ?? '').toLowerCase(), body: lines.slice(i + 1, end).join('\n'), line: i + 1, before: i, after: end })
    i = end
  }
  return out
}

/**
 * The sh (and bash) blocks of a markdown file, in order. A block right after a
 * line `<!-- not run: REASON -->` (blank lines between allowed) is not run; a
 * marker without a reason throws. A ```text/```console/```output block after
 * an sh block, with only blank lines between, is the output it shows.
 */
export function shBlocks(markdown: string, file: string): ShBlock[] {
  const lines = markdown.split('\n')
  const all = fences(markdown)
  const blocks: ShBlock[] = []
  all.forEach((fence, index) => {
    if (!RUN_LANGS.has(fence.lang)) return
    let previous = fence.before - 1
    while (previous >= 0 && (lines[previous] ?? '').trim() === '') previous--
    const marker = previous >= 0 ? NOT_RUN.exec((lines[previous] ?? '').trim()) : null
    const reason = marker?.[1]?.trim()
    if (marker && !reason) throw new Error(`${file}:${previous + 1}: "not run" needs a reason: <!-- not run: why -->`)
    const next = all[index + 1]
    const between = next ? lines.slice(fence.after + 1, next.before) : []
    const output = next && OUTPUT_LANGS.has(next.lang) && between.every((line) => line.trim() === '') ? next : undefined
    blocks.push({ lang: fence.lang, body: fence.body, line: fence.line, notRun: reason, output })
  })
  return blocks
}

/** Shell lines with backslash continuations joined. */
function logicalLines(script: string): string[] {
  const out: string[] = []
  let pending = ''
  for (const line of script.split('\n')) {
    if (/\\$/.test(line)) pending += `${line.slice(0, -1)} `
    else {
      out.push(pending + line)
      pending = ''
    }
  }
  if (pending) out.push(pending)
  return out
}

/** `cmd … # exits 4` (a comment at the end of the command's last line): that exit code is expected. */
export const EXITS = /\s#\s*exits\s+(\d+)\b.*$/

/**
 * The script bash runs for a block: each command line marked `# exits N` runs
 * with errexit off and fails the block unless it exits exactly N; every other
 * line runs under `bash -e -o pipefail`.
 */
export function expectingExits(script: string): string {
  return logicalLines(script)
    .map((line) => {
      const marked = EXITS.exec(line)
      if (!marked) return line
      const command = line.slice(0, marked.index)
      const code = marked[1] ?? ''
      return `set +e; ${command}\n__wsb_rc=$?; set -e; if [ "$__wsb_rc" != ${code} ]; then echo "expected exit ${code}, got $__wsb_rc: ${command.trim().replace(/["$`\\]/g, '\\$&')}" >&2; exit 97; fi`
    })
    .join('\n')
}

/**
 * One line as compared: ANSI escapes gone, ids (ws_…, sub_…, inv_…, pmr_…, key_…,
 * evt_/ntf_ numbers, API keys wsbk_…, sandbox provider ids) as `<id>`, times
 * and dates as `<time>`/`<date>`, runs of blanks (a terminal's aligned columns
 * or the tabs of piped output) as one space, ends trimmed.
 */
export function normalise(line: string): string {
  return (
    line
      // ANSI escapes
      .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
      .replace(/\bwsbk_[A-Za-z0-9_-]+/g, '<key>')
      .replace(/\bpm_sandbox_[A-Za-z0-9_]+/g, '<id>')
      .replace(/\b(?:ws|org|acct|sub|inv|pmr|cpn|price|alrt|key|evt|ntf|rpt)_[0-9a-z]+\b/g, '<id>')
      .replace(/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?/g, '<time>')
      .replace(/\b\d{4}-\d{2}-\d{2}\b/g, '<date>')
      .replace(/\s+/g, ' ')
      .trim()
  )
}

/**
 * The lines of a shown output block that the real output must hold (each equal
 * to a whole line of it, both normalised): not blank, not a `$ command` line,
 * not elided (holding `…` or `...`).
 */
export function shownLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s*\$\s/.test(line) && !/…|\.\.\./.test(line))
    .map(normalise)
}
