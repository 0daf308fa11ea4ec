// The yaml library, loaded on demand. It is CommonJS: under the bundle its
// exports arrive as `default`, under Node's own loader as named exports too.
type Yaml = typeof import('yaml')

export async function loadYaml(): Promise<Yaml> {
  const module = (await import('yaml')) as Yaml & { default?: Yaml }
  return module.default ?? module
}

/**
 * How deep a YAML apply file may nest organizations. The yaml library recurses
 * once per level of nesting, reading and writing, and runs out of stack at
 * roughly 450 levels of organizations; export writes YAML only up to this
 * depth, so what it writes always reads back. JSON has no limit (read.ts).
 */
export const YAML_MAX_ORG_DEPTH = 256
