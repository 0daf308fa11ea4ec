// npm run docs: writes docs/commands.md, the command reference, from
// oclif.manifest.json (made by `npm run build` from the command classes) and
// the topics of package.json. test/docs/commands-doc.test.ts fails when the
// committed file differs from what this renders, so the reference cannot
// drift from `wsb … --help`. `--check` only compares (exit 1 on a difference).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
export const commandsDocPath = join(root, 'docs/commands.md')

const bin = 'wsb'
const escapeCell = (text) => String(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').replace(/</g, '&lt;')
const escapeProse = (text) => text.replace(/</g, '&lt;')
const code = (text) => (String(text).includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``)
const title = (id) => `${bin} ${id.split(':').join(' ')}`
const anchor = (id) => title(id).replace(/[^a-z0-9 -]/gi, '').trim().replace(/ /g, '-').toLowerCase()
const example = (text) => text.replace(/<%= config\.bin %>/g, bin)

/** Prose from a summary or description: paragraphs split on blank lines, line breaks kept. */
function prose(text) {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => escapeProse(paragraph.split('\n').map((line) => line.trimEnd()).join('  \n')))
    .join('\n\n')
}

function flagName(flag) {
  const long = flag.allowNo ? `--[no-]${flag.name}` : `--${flag.name}`
  return flag.char ? `-${flag.char}, ${long}` : long
}

function flagValue(flag) {
  if (flag.type === 'boolean') return 'boolean'
  if (flag.options) return flag.options.join(' \\| ')
  return flag.helpValue ?? 'value'
}

function flagNotes(flag) {
  const notes = []
  if (flag.required) notes.push('required')
  if (flag.multiple) notes.push('repeatable')
  if (flag.default !== undefined) notes.push(`default ${code(flag.default)}`)
  if (flag.env) notes.push(`env ${code(flag.env)}`)
  if (flag.exclusive?.length) notes.push(`not with ${flag.exclusive.map((name) => code(`--${name}`)).join(', ')}`)
  if (flag.dependsOn?.length) notes.push(`needs ${flag.dependsOn.map((name) => code(`--${name}`)).join(', ')}`)
  return notes.join('; ')
}

function flagTable(flags) {
  const rows = flags.map((flag) => {
    const notes = flagNotes(flag)
    const text = [flag.summary ?? flag.description ?? '', notes ? `(${notes})` : ''].filter(Boolean).join(' ')
    return `| ${code(flagName(flag))} | ${escapeCell(flagValue(flag))} | ${escapeCell(text)} |`
  })
  return ['| flag | value | what |', '|---|---|---|', ...rows].join('\n')
}

function usage(command, ownFlags) {
  const args = Object.values(command.args).map((arg) => (arg.required ? arg.name.toUpperCase() : `[${arg.name.toUpperCase()}]`))
  const required = ownFlags.filter((flag) => flag.required).map((flag) => `--${flag.name} ${flag.type === 'boolean' ? '' : `<${flag.helpValue ?? 'value'}>`}`.trim())
  const rest = ownFlags.some((flag) => !flag.required) || command.enableJsonFlag !== undefined ? ['[flags]'] : []
  return [title(command.id), ...args, ...required, ...rest].join(' ')
}

function section(command) {
  const flags = Object.values(command.flags).filter((flag) => !flag.hidden)
  const own = flags.filter((flag) => flag.helpGroup !== 'GLOBAL')
  const global = flags.filter((flag) => flag.helpGroup === 'GLOBAL').map((flag) => flag.name)
  const out = [`### ${title(command.id)}`, '']
  if (command.summary) out.push(prose(command.summary), '')
  if (command.description) out.push(prose(command.description), '')
  out.push('```text', usage(command, own), '```', '')
  const args = Object.values(command.args)
  if (args.length) {
    out.push('| argument | what |', '|---|---|')
    for (const arg of args) {
      const notes = [arg.required ? 'required' : 'optional', arg.options ? `one of ${arg.options.map(code).join(', ')}` : '', arg.default !== undefined ? `default ${code(arg.default)}` : '']
      out.push(`| ${code(arg.name.toUpperCase())} | ${escapeCell([arg.description ?? '', `(${notes.filter(Boolean).join('; ')})`].join(' ').trim())} |`)
    }
    out.push('')
  }
  if (own.length) out.push(flagTable(own), '')
  if (global.length) out.push(`Global flags: ${global.map((name) => code(`--${name}`)).join(', ')} (see [Global flags](#global-flags)).`, '')
  if (command.examples?.length) {
    out.push('Examples:', '', '```console')
    for (const entry of command.examples) {
      const text = typeof entry === 'string' ? entry : entry.command
      if (typeof entry !== 'string' && entry.description) out.push(`# ${entry.description}`)
      out.push(`$ ${example(text)}`)
    }
    out.push('```', '')
  }
  return out.join('\n')
}

/** The reference as markdown, from a manifest and package.json's oclif topics. */
export function renderCommandsDoc(manifest, topics) {
  const commands = Object.values(manifest.commands)
    .filter((command) => !command.hidden)
    .sort((a, b) => (a.id.includes(':') !== b.id.includes(':') ? (a.id.includes(':') ? 1 : -1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const withGlobals = commands.find((command) => Object.values(command.flags).some((flag) => flag.helpGroup === 'GLOBAL'))
  const globals = withGlobals ? Object.values(withGlobals.flags).filter((flag) => flag.helpGroup === 'GLOBAL') : []
  const groups = new Map()
  for (const command of commands) {
    const topic = command.id.includes(':') ? command.id.split(':')[0] : ''
    if (!groups.has(topic)) groups.set(topic, [])
    groups.get(topic).push(command)
  }
  const out = [
    '# Command reference',
    '',
    '<!-- Generated by `npm run docs` (scripts/docs-commands.mjs) from the command definitions; do not edit:',
    '     test/docs/commands-doc.test.ts fails when this file differs from what it generates. -->',
    '',
    `Every command of \`${bin}\`, as \`${bin} <command> --help\` shows it. Exit codes and JSON shapes are the command`,
    'contract (SPEC); each command takes the global flags below.',
    '',
    '## Global flags',
    '',
    flagTable(globals),
    '',
    '## Commands',
    '',
  ]
  for (const [topic, members] of groups) {
    const about = topic ? topics[topic]?.description : 'Commands outside a topic.'
    out.push(`- ${topic ? `**${topic}**` : '**(top level)**'}${about ? `: ${escapeProse(about)}` : ''}`)
    for (const command of members) out.push(`  - [${title(command.id)}](#${anchor(command.id)}): ${escapeProse((command.summary ?? '').split('\n')[0])}`)
  }
  out.push('')
  for (const [topic, members] of groups) {
    out.push(`## ${topic ? `${bin} ${topic}` : 'Top-level commands'}`, '')
    const about = topic ? topics[topic]?.description : undefined
    if (about) out.push(escapeProse(about), '')
    for (const command of members) out.push(section(command))
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`
}

/** The reference as the current build defines it (needs `npm run build`). */
export function currentCommandsDoc() {
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
  const topics = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).oclif.topics
  return renderCommandsDoc(manifest, topics)
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const text = currentCommandsDoc()
  if (process.argv.includes('--check')) {
    const committed = readFileSync(commandsDocPath, 'utf8')
    if (committed !== text) {
      console.error('docs/commands.md differs from the commands: run `npm run docs`')
      process.exit(1)
    }
  } else {
    writeFileSync(commandsDocPath, text)
    console.log(`Wrote ${commandsDocPath}`)
  }
}
