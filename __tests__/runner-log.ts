/**
 * How GitHub's runner reads workflow commands from a step's output (actions/runner, ActionCommandManager and
 * ActionCommand): lines as .NET reads them; `::name props::data` once leading whitespace is trimmed, or the older
 * `##[name props]data` anywhere in the line; names compared without case. `::stop-commands::TOKEN` makes it ignore
 * every command until one named TOKEN. Its string comparisons follow the culture's rules, which pass over
 * zero-width and other ignorable characters: modelled by dropping format characters before comparing.
 */
const REGISTERED = [
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'warning'
]

export interface RunnerCommand {
  name: string
  data: string
  line: string
}

// .NET's char.IsWhiteSpace, which String.TrimStart removes: the separators 0x1C-0x1F among them.
// eslint-disable-next-line no-control-regex
const DOTNET_SPACE = /^[\s\u0085\u001c-\u001f]+/
const IGNORABLE = /\p{Cf}/gu

function parse(line: string, registered: Set<string>): { name: string; data: string } | undefined {
  const bare = line.replace(DOTNET_SPACE, '').replace(IGNORABLE, '')
  if (bare.startsWith('::')) {
    const end = bare.indexOf('::', 2)
    if (end >= 0) {
      const name = bare.slice(2, end).split(' ')[0].toLowerCase()
      if (registered.has(name)) return { name, data: bare.slice(end + 2) }
    }
  }
  const legacy = line.replace(IGNORABLE, '')
  const start = legacy.indexOf('##[')
  if (start >= 0) {
    const close = legacy.indexOf(']', start)
    if (close >= 0) {
      const name = legacy
        .slice(start + 3, close)
        .split(' ')[0]
        .toLowerCase()
      if (registered.has(name)) return { name, data: legacy.slice(close + 1) }
    }
  }
  return undefined
}

/** The commands the runner would carry out for this output, in order; stop-commands and its resume are not listed. */
export function runnerCommands(output: string): RunnerCommand[] {
  const registered = new Set([...REGISTERED, 'stop-commands'])
  const carried: RunnerCommand[] = []
  let stopToken: string | undefined
  for (const line of output.split(/\r\n|\r|\n/)) {
    const command = parse(line, registered)
    if (!command) continue
    if (stopToken !== undefined) {
      if (command.name === stopToken.toLowerCase()) {
        registered.delete(stopToken.toLowerCase())
        stopToken = undefined
      }
      continue
    }
    if (command.name === 'stop-commands') {
      stopToken = command.data
      registered.add(stopToken.toLowerCase())
      continue
    }
    carried.push({ ...command, line })
  }
  return carried
}
