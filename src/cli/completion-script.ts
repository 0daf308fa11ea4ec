// Completion of flag values (issue 15), added to the scripts that
// @oclif/plugin-autocomplete generates: that plugin completes commands and flag
// names, and (zsh only) the fixed values of a flag's `options`; it has no way to
// complete values in bash nor names that live in the database. Here, from the
// commands' flags: fixed values, files, and names that `wsb __complete KIND`
// reads from the current database (honouring --db and --workspace on the line).
import type { CompletionKind } from '../core/completion.js'

export type CompletableFlag = { type: string; char?: string; options?: readonly string[]; hidden?: boolean }
export type CompletableCommand = { id: string; hidden?: boolean; flags: Record<string, CompletableFlag | undefined> }

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
  for ((i = 1; i < COMP_CWORD; i++)); do
    [[ "\${COMP_WORDS[i]}" == -* ]] && break
    command="\${command:+$command:}\${COMP_WORDS[i]}"
    case " $_${bin}_command_ids " in *" $command "*) id="$command" ;; esac
  done
  if [[ -n "$id" && "$flag" == -* && "$flag" != "$cur" ]]; then
    case "$id $flag" in
${branches.join('\n')}
    esac
  fi
  _${bin}_autocomplete
}

_${bin}_command_ids=${shellWord(ids)}
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
