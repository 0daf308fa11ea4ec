// Reading an apply file: YAML (of which JSON is a subset) parsed with the
// `yaml` library, then validated; every problem names its line or its path.
import { invalid } from '../errors.js'
import { type ApplyFile, parseApplyFile } from './schema.js'
import { loadYaml, YAML_MAX_ORG_DEPTH } from './yaml.js'

export async function readApplyFile(text: string, source: string): Promise<ApplyFile> {
  const { parseDocument, LineCounter } = await loadYaml()
  const lines = new LineCounter()
  const body = text.replace(/^\uFEFF/, '')
  const document = parseDocument(body, { prettyErrors: false, uniqueKeys: true, lineCounter: lines })
  let value: unknown
  if (document.errors.some((e) => e.code === 'RESOURCE_EXHAUSTION')) value = deepJson(body, source)
  else if (document.errors.length > 0) {
    const first = document.errors[0]
    const at = first ? lines.linePos(first.pos[0]) : undefined
    const where = at ? `line ${at.line}, column ${at.col}` : 'the start'
    throw invalid(`${source}: not valid YAML or JSON at ${where}: ${first?.message.split('\n')[0]}`, { errors: document.errors.map((e) => e.message.split('\n')[0]) })
  } else {
    try {
      // The yaml library refuses alias bombs ("billion laughs") here: bad input, not a crash.
      value = document.toJS({ maxAliasCount: 1000 })
    } catch (error) {
      throw invalid(`${source}: not a usable YAML document: ${(error as Error).message.split('\n')[0]}`)
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(`${source}: expected a mapping with a "workspace" key`)
  return parseApplyFile(value)
}

/**
 * A file nested beyond the yaml library's reach. As JSON it is read by
 * JSON.parse, which does not recurse (V8), at any depth; as YAML it is refused
 * with the limit and the way out.
 */
function deepJson(body: string, source: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    throw invalid(
      `${source}: nested too deeply for the YAML reader: YAML apply files may nest organizations up to ${YAML_MAX_ORG_DEPTH} levels deep; write deeper trees as JSON (wsb export --format json), which apply reads at any depth`,
      { maxDepth: YAML_MAX_ORG_DEPTH },
    )
  }
}
