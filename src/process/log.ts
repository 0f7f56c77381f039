import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { StringDecoder } from 'node:string_decoder'

/**
 * The log channel: everything the action prints that came from outside (a tool's output, what the built program
 * said, a path or a module name in a message, the report) reaches the runner through here, and can never be read
 * by it as a workflow command (`::warning::`, `::add-mask::`, `::stop-commands::`, `::save-state`, the older
 * `##[command]`). The runner reads a command from a line whose text, leading whitespace trimmed, starts with `::`,
 * or that holds `##[` anywhere; it compares with the culture's rules, which pass over zero-width and other
 * ignorable characters. A text that could be read so is printed between `::stop-commands::<token>` and
 * `::<token>::`, a fresh random token each time, which the runner documents for output it must not act on; any
 * other text is printed as it is, so the log of a normal run reads as before.
 */

// Line ends as the runner's reader splits lines, and the ones other readers use too.
const LINE_END = /\r\n|[\r\n\u0085\u2028\u2029]/
// Passed over by the runner's trim or by a culture-aware comparison: whitespace, controls, format characters (the
// zero-width ones, the byte-order mark), combining marks and variation selectors.
const PASSED_OVER = /[\s\p{Cc}\p{Cf}\p{M}\p{Z}]/gu

/** Whether the runner could read a workflow command from any line of `text`. */
export function couldCommand(text: string): boolean {
  return text.split(LINE_END).some(line => {
    const bare = line.replace(PASSED_OVER, '')
    return bare.startsWith('::') || bare.includes('##[')
  })
}

const freshToken = () => randomBytes(16).toString('hex')

/** `text` as printed to the log: as it is, or between stop-commands markers when the runner could act on it. */
export function guarded(text: string, token = freshToken()): string {
  const lines = text.endsWith('\n') ? text : `${text}\n`
  return couldCommand(text) ? `::stop-commands::${token}\n${lines}::${token}::\n` : lines
}

/** An info line whose text may hold outside values. Every info line of the action is printed through here. */
export function info(message: string): void {
  if (couldCommand(message)) process.stdout.write(guarded(message))
  else core.info(message)
}

// How long a tool's output waits to be printed with what follows it: one guarded block for a burst, not one a chunk.
const GATHER_MS = 50

/**
 * A tool's stdout and stderr on their way to the log, gathered for a moment and printed whole lines at a time (a
 * printed piece always ends its line, so no command can be made of two pieces), each piece guarded.
 */
export class ToolLog {
  private readonly decoders = { out: new StringDecoder('utf8'), err: new StringDecoder('utf8') }
  private pending = ''
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly write: (text: string) => void = text => process.stdout.write(text)) {}

  add(stream: 'out' | 'err', data: Buffer): void {
    this.pending += this.decoders[stream].write(data)
    this.timer ??= setTimeout(() => this.flush(), GATHER_MS)
  }

  /** Prints what is left; called when the tool has ended, before the run goes on. */
  end(): void {
    this.pending += this.decoders.out.end() + this.decoders.err.end()
    this.flush()
  }

  private flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending) this.write(guarded(this.pending))
    this.pending = ''
  }
}
