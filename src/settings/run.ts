import { splitFields } from './lists.js'
import type { Reading } from './reading.js'
import type { SmokeSettings } from './types.js'
import { shown } from './values.js'

// The smoke group: what the smoke test in the sandbox reads.

export const MAX_TIMER_SECONDS = 2147483

export function readSmoke({ get, attempt, problems }: Reading): SmokeSettings {
  const text = get('smoke-test')
  const command = text ? attempt(() => splitFields(text, 'smoke-test'), undefined) : undefined
  const timeoutText = get('smoke-test-timeout')
  const timeoutSeconds = Number(timeoutText)
  if (!(timeoutSeconds > 0)) problems.push(`smoke-test-timeout "${shown(timeoutText)}" must be a positive number of seconds`)
  // Node's timers hold at most 2^31-1 ms; a longer one would fire at once.
  else if (timeoutSeconds > MAX_TIMER_SECONDS)
    problems.push(`smoke-test-timeout "${shown(timeoutText)}" is over ${MAX_TIMER_SECONDS} seconds (24 days): give a shorter one`)
  return { command, timeoutSeconds }
}
