import * as core from '@actions/core'

// Every stage warns through here, so each warning is said once and reaches the report and the comment.
const said: string[] = []

export function warn(message: string): void {
  if (said.includes(message)) return
  said.push(message)
  core.warning(message)
}

/** The warnings so far, in the order they were said. */
export const warningsSaid = (): string[] => [...said]
