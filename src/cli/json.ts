// JSON output at any depth. JSON.stringify recurses once per level of nesting
// and overflows the stack somewhere past 1,000 levels (an export of a deep org
// tree nests two per org); indented, it also grows with the square of the
// depth. So values nested deeper than INDENTED_LEVELS are written by an
// explicit-stack writer that indents the first INDENTED_LEVELS levels and
// writes the deeper ones compactly. Everything shallower is JSON.stringify's
// own output, byte for byte.

export const INDENTED_LEVELS = 64

/** `value` as JSON, indented by two spaces (see above for deep values). */
export function toJson(value: unknown): string {
  return deeperThan(value, INDENTED_LEVELS) ? writeDeep(value) : (JSON.stringify(value, null, 2) ?? 'null')
}

/** Whether objects and arrays nest more than `levels` deep; stops looking once they do. */
function deeperThan(value: unknown, levels: number): boolean {
  const stack: [unknown, number][] = [[value, 0]]
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, level] = next
    if (item === null || typeof item !== 'object') continue
    if (level >= levels) return true
    for (const child of Array.isArray(item) ? item : Object.values(item)) if (child !== null && typeof child === 'object') stack.push([child, level + 1])
  }
  return false
}

const skipped = (value: unknown) => value === undefined || typeof value === 'function' || typeof value === 'symbol'

function writeDeep(root: unknown): string {
  type Task = string | { value: unknown; level: number }
  const out: string[] = []
  const stack: Task[] = [{ value: root, level: 0 }]
  for (let task = stack.pop(); task !== undefined; task = stack.pop()) {
    if (typeof task === 'string') {
      out.push(task)
      continue
    }
    let { value } = task
    const { level } = task
    const toJSON = (value as { toJSON?: () => unknown } | null)?.toJSON
    if (typeof toJSON === 'function') value = toJSON.call(value)
    if (value === null || typeof value !== 'object') {
      out.push(JSON.stringify(skipped(value) ? null : value))
      continue
    }
    const pretty = level < INDENTED_LEVELS
    const open = pretty ? `\n${'  '.repeat(level + 1)}` : ''
    const close = pretty ? `\n${'  '.repeat(level)}` : ''
    const tasks: Task[] = []
    if (Array.isArray(value)) {
      if (value.length === 0) {
        out.push('[]')
        continue
      }
      value.forEach((item, i) => tasks.push(`${i ? ',' : ''}${open}`, { value: skipped(item) ? null : item, level: level + 1 }))
      out.push('[')
      tasks.push(`${close}]`)
    } else {
      const entries = Object.entries(value).filter(([, item]) => !skipped(item))
      if (entries.length === 0) {
        out.push('{}')
        continue
      }
      entries.forEach(([key, item], i) => tasks.push(`${i ? ',' : ''}${open}${JSON.stringify(key)}${pretty ? ': ' : ':'}`, { value: item, level: level + 1 }))
      out.push('{')
      tasks.push(`${close}}`)
    }
    for (let i = tasks.length - 1; i >= 0; i--) stack.push(tasks[i] as Task)
  }
  return out.join('')
}
