// Reading an apply file: YAML (of which JSON is a subset) parsed with the
// `yaml` library, then validated; every problem names its line or its path.
import { invalid } from '../errors.js'
import { parseInput } from '../schemas.js'
import { type ApplyFile, applyFile } from './schema.js'
import { loadYaml } from './yaml.js'

export async function readApplyFile(text: string, source: string): Promise<ApplyFile> {
  const { parseDocument, LineCounter } = await loadYaml()
  const lines = new LineCounter()
  const document = parseDocument(text.replace(/^\uFEFF/, ''), { prettyErrors: false, uniqueKeys: true, lineCounter: lines })
  if (document.errors.length > 0) {
    const first = document.errors[0]
    const at = first ? lines.linePos(first.pos[0]) : undefined
    const where = at ? `line ${at.line}, column ${at.col}` : 'the start'
    throw invalid(`${source}: not valid YAML or JSON at ${where}: ${first?.message.split('\n')[0]}`, { errors: document.errors.map((e) => e.message.split('\n')[0]) })
  }
  let value: unknown
  try {
    // The yaml library refuses alias bombs ("billion laughs") here: bad input, not a crash.
    value = document.toJS({ maxAliasCount: 1000 })
  } catch (error) {
    throw invalid(`${source}: not a usable YAML document: ${(error as Error).message.split('\n')[0]}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(`${source}: expected a mapping with a "workspace" key`)
  return parseInput(applyFile, value)
}
