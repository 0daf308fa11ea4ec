// Completion of flag values (issue 15), added to the scripts that
// @oclif/plugin-autocomplete generates: that plugin completes commands and flag
// names, and (zsh only) the fixed values of a flag's `options`; it has no way to
// complete values in bash nor names that live in the database. Here, from the
// commands' flags: fixed values, files, and names that `wsb __complete KIND`
// reads from the current database (honouring --db and --workspace on the line).
import type { CompletionKind } from '../core/completion.js'

export type CompletableFlag = { type: string; char?: string; options?: readonly string[]; hidden?: boolean }
export type CompletableArg = { name: string; options?: readonly string[] }
export type CompletableCommand = {
  id: string
  hidden?: boolean
  flags: Record<string, CompletableFlag | undefined>
  args?: Record<string, CompletableArg | undefined>
}

/** Flags whose value is a name in the database, by flag name. */
export const NAMED: Record<string, CompletionKind> = {
  workspace: 'workspaces',
  account: 'accounts',
  pool: 'accounts',
  org: 'orgs',
  parent: 'orgs',
  product: 'products',
  coupon: 'coupons',
}

/** Positional arguments that are a name in the database, by argument name. */
export const NAMED_ARGS: Record<string, CompletionKind> = {
  account: 'accounts',
  org: 'orgs',
  workspace: 'workspaces',
  product: 'products',
}

/** Flags whose value is a file. */
const FILES = new Set(['db', 'file', 'output', 'results', 'logo'])

/** Marks what wsb added, so a script is never extended twice. */
export const MARKER = '# wsb: completion of flag values'

const shellWord = (text: string) => (/^[\w:.@%+,/-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`)

/** The bash `case` branch that completes one option flag's value, or undefined when nothing is known about it. */
function bashBranch(name: string, flag: CompletableFlag): string {
  if (flag.options && flag.options.length > 0) return `COMPREPLY=($(compgen -W ${shellWord(flag.options.join(' '))} -- "$cur"))`
  const kind = NAMED[name]
  if (kind) return `_wsb_complete_names ${kind} "$cur"`
  if (FILES.has(name)) return 'COMPREPLY=($(compgen -f -- "$cur"))'
  // A value nothing is known about (an amount, a time …): suggest nothing rather than commands.
  return 'COMPREPLY=()'
}

const visible = (commands: CompletableCommand[]) => commands.filter((command) => !command.hidden)

export function bashValueCompletion(commands: CompletableCommand[], bin = 'wsb'): string {
  const branches: string[] = []
  for (const command of visible(commands))
    for (const [name, flag] of Object.entries(command.flags)) {
      if (!flag || flag.hidden || flag.type !== 'option') continue
      const patterns = [`"${command.id} --${name}"`, ...(flag.char ? [`"${command.id} -${flag.char}"`] : [])]
      branches.push(`      ${patterns.join('|')}) ${bashBranch(name, flag)}; return 0 ;;`)
    }
  const argBranches: string[] = []
  const valueFlags: string[] = []
  for (const command of visible(commands)) {
    Object.values(command.args ?? {}).forEach((arg, position) => {
      if (!arg) return
      const kind = NAMED_ARGS[arg.name]
      const branch = arg.options?.length ? `COMPREPLY=($(compgen -W ${shellWord(arg.options.join(' '))} -- "$cur"))` : kind ? `_wsb_complete_names ${kind} "$cur"` : undefined
      if (branch) argBranches.push(`      "${command.id} ${position}") ${branch}; return 0 ;;`)
    })
    const takesValue = Object.entries(command.flags).flatMap(([name, flag]) =>
      flag?.type === 'option' ? [`--${name}`, ...(flag.char ? [`-${flag.char}`] : [])] : [],
    )
    valueFlags.push(`  [${command.id}]=${shellWord(takesValue.join(' '))}`)
  }
  const ids = visible(commands).map((command) => command.id).join(' ')
  return `
${MARKER} (fixed values, files, and names read by "${bin} __complete KIND"
# from the database that --db / WSB_DB names); everything else goes to the
# completion above.
_${bin}_complete_dequote() { local v="\${1//\\\\/}"; v="\${v#[\\"\\']}"; v="\${v%[\\"\\']}"; [[ "$v" == "~/"* ]] && v="$HOME/\${v#\\~/}"; printf '%s' "$v"; }

_wsb_complete_names()
{
  local kind="$1" cur i word value line
  cur="$(_${bin}_complete_dequote "$2")"
  local -a args=()
  for ((i = 1; i < COMP_CWORD - 1; i++)); do
    word="\${COMP_WORDS[i]}"
    value="\${COMP_WORDS[i+1]}"
    if [[ "$value" == "=" ]]; then
      (( i + 2 < COMP_CWORD )) || continue
      value="\${COMP_WORDS[i+2]}"
    fi
    value="$(_${bin}_complete_dequote "$value")"
    case "$word" in
      --db) args+=(--db "$value") ;;
      -w|--workspace) [[ "$kind" == workspaces ]] || args+=(--workspace "$value") ;;
    esac
  done
  COMPREPLY=()
  while IFS= read -r line; do
    [[ -n "$line" && "\${line,,}" == "\${cur,,}"* ]] && COMPREPLY+=("$(printf '%q' "$line")")
  done < <("\${COMP_WORDS[0]}" __complete "$kind" "\${args[@]}" 2>/dev/null)
}

_${bin}_complete()
{
  local cur="\${COMP_WORDS[COMP_CWORD]}" flag="\${COMP_WORDS[COMP_CWORD-1]}" command="" id="" i
  if [[ "$cur" == "=" ]]; then
    cur=""
  elif [[ "$flag" == "=" ]] && (( COMP_CWORD >= 2 )); then
    flag="\${COMP_WORDS[COMP_CWORD-2]}"
  fi
  # The command: the words before the first flag, as long as they name one.
  local end=0 skip=0 position=0 word
  for ((i = 1; i < COMP_CWORD; i++)); do
    [[ "\${COMP_WORDS[i]}" == -* ]] && break
    command="\${command:+$command:}\${COMP_WORDS[i]}"
    case " $_${bin}_command_ids " in *" $command "*) id="$command"; end=$i ;; esac
  done
  [[ -n "$id" ]] || { _${bin}_autocomplete; return 0; }
  if [[ "$flag" == -* && "$flag" != "$cur" ]]; then
    case "$id $flag" in
${branches.join('\n')}
    esac
  fi
  if [[ "$cur" != -* ]]; then
    # Which positional argument is being typed: words after the command that
    # are neither flags nor the values of flags that take one.
    for ((i = end + 1; i < COMP_CWORD; i++)); do
      word="\${COMP_WORDS[i]}"
      if (( skip )); then [[ "$word" == "=" ]] || skip=0; continue; fi
      if [[ "$word" == -* ]]; then
        case " \${_${bin}_value_flags[$id]} " in *" $word "*) skip=1 ;; esac
        continue
      fi
      [[ "$word" == "=" ]] && { skip=1; continue; }
      ((position++))
    done
    case "$id $position" in
${argBranches.join('\n')}
    esac
  fi
  _${bin}_autocomplete
}

_${bin}_command_ids=${shellWord(ids)}
declare -gA _${bin}_value_flags=(
${valueFlags.join('\n')}
)
complete -F _${bin}_complete ${bin}
`
}

/** zsh: the plugin completes files for every option flag without options; names come from the database instead. */
export function zshValueCompletion(script: string, bin = 'wsb'): string {
  if (script.includes(MARKER)) return script
  const names = Object.keys(NAMED).join('|')
  const patched = script.replace(
    new RegExp(`(--(${names})\\}?"\\[.*\\]):file:_files"`, 'g'),
    (_, spec: string, name: string) => `${spec}:${name}:_${bin}_complete_names ${NAMED[name]}"`,
  )
  const helper = `
${MARKER}: names read by "${bin} __complete KIND" from the database that
# --db / WSB_DB names (and the workspace that -w / --workspace names).
_${bin}_complete_names () {
  local kind=$1 i
  local -a args names
  for (( i = 1; i < CURRENT - 1; i++ )); do
    case \${words[i]} in
      --db) args+=(--db \${(Q)words[i+1]}) ;;
      --db=*) args+=(--db \${(Q)\${words[i]#--db=}}) ;;
      -w|--workspace) [[ $kind == workspaces ]] || args+=(--workspace \${(Q)words[i+1]}) ;;
      --workspace=*) [[ $kind == workspaces ]] || args+=(--workspace \${(Q)\${words[i]#--workspace=}}) ;;
    esac
  done
  names=(\${(f)"$(${bin} __complete $kind $args 2>/dev/null)"})
  compadd -a names
}
`
  // After the #compdef line, which must stay first.
  const firstLine = patched.indexOf('\n')
  return `${patched.slice(0, firstLine + 1)}${helper}${patched.slice(firstLine + 1)}`
}
