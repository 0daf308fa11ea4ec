// Types of scripts/docs-commands.mjs, for the test that imports it.
export const commandsDocPath: string
export function renderCommandsDoc(manifest: unknown, topics: Record<string, { description?: string }>): string
export function currentCommandsDoc(): string
