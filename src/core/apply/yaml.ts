// The yaml library, loaded on demand. It is CommonJS: under the bundle its
// exports arrive as `default`, under Node's own loader as named exports too.
type Yaml = typeof import('yaml')

export async function loadYaml(): Promise<Yaml> {
  const module = (await import('yaml')) as Yaml & { default?: Yaml }
  return module.default ?? module
}
