// Stripe's v1 wire format: application/x-www-form-urlencoded with bracket
// notation for nesting (`metadata[invoice]=x`, `expand[0]=a`, `expand[]=a`,
// `items[0][price]=p`). Decoding is strict: a key that is used both as a
// scalar and as a container, a repeated scalar, or a hole in an array is a
// malformed request, because a real client never sends one and silently
// picking a winner would hide the bug.

export type FormValue = string | FormValue[] | FormObject
export type FormObject = { [key: string]: FormValue }

export class FormDecodeError extends Error {}

/** `a[b][0]` → ['a', 'b', '0']; `a[]` → ['a', '']. */
function splitKey(key: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key)
  if (!match) throw new FormDecodeError(`Invalid parameter name: ${key}`)
  const rest = match[2] ?? ''
  return [match[1] ?? '', ...[...rest.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '')]
}

const isContainer = (value: FormValue | undefined): value is FormValue[] | FormObject =>
  typeof value === 'object'

/** A numeric segment or `[]` makes an array; the schema check may turn it back into a map. */
const newContainer = (segment: string): FormValue[] | FormObject => (segment === '' || /^\d+$/.test(segment) ? [] : {})

function assign(root: FormObject, key: string, value: string): void {
  const segments = splitKey(key)
  let container: FormValue[] | FormObject = root
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? ''
    const last = i === segments.length - 1
    const next = segments[i + 1]
    if (Array.isArray(container)) {
      let index: number
      if (segment === '') {
        // `[]` appends, and only makes sense as the final segment.
        if (!last) throw new FormDecodeError(`Invalid parameter name: ${key}`)
        index = container.length
      } else if (/^\d+$/.test(segment) && Number(segment) <= container.length) {
        index = Number(segment)
      } else {
        // `a[0]=x&a[b]=y` or `a[0]=x&a[5]=y`: not a dense array after all, so
        // keep the positions as keys; the schema check turns index maps back
        // into arrays where the spec wants one.
        const asObject: FormObject = Object.fromEntries(container.map((v, j) => [String(j), v]))
        replaceInParent(root, segments.slice(0, i), asObject)
        container = asObject
        i--
        continue
      }
      if (last) {
        if (container[index] !== undefined) throw new FormDecodeError(`Received duplicate parameter: ${key}`)
        container[index] = value
        return
      }
      const child: FormValue = container[index] ?? newContainer(next ?? '')
      if (!isContainer(child)) throw new FormDecodeError(`Conflicting values for parameter ${key}`)
      container[index] = child
      container = child
    } else {
      if (segment === '') throw new FormDecodeError(`Invalid parameter name: ${key}`)
      const existing: FormValue | undefined = container[segment]
      if (last) {
        if (existing !== undefined) throw new FormDecodeError(`Received duplicate parameter: ${key}`)
        container[segment] = value
        return
      }
      const child: FormValue = existing ?? newContainer(next ?? '')
      if (!isContainer(child)) throw new FormDecodeError(`Conflicting values for parameter ${key}`)
      container[segment] = child
      container = child
    }
  }
}

function replaceInParent(root: FormObject, path: string[], value: FormValue): void {
  let parent: FormValue = root
  for (const segment of path.slice(0, -1)) parent = (parent as FormObject)[segment] as FormValue
  const leaf = path[path.length - 1] ?? ''
  if (Array.isArray(parent)) parent[Number(leaf)] = value
  else (parent as FormObject)[leaf] = value
}

/** Decodes a form body or a query string (without the leading `?`). */
export function decodeForm(text: string): FormObject {
  const root: FormObject = {}
  // URLSearchParams applies form rules: `+` is a space, `%5B` is `[`.
  for (const [key, value] of new URLSearchParams(text)) assign(root, key, value)
  return root
}

/** JSON with sorted keys, so two encodings of the same parameters compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(value)
}
