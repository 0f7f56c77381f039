import * as core from '@actions/core'
import { parseIncrease, parseSize, type Budget } from './budget.js'
import { PULL_REQUEST_EVENTS } from './github.js'
import { type Reading, parseBoolean } from './reading.js'
import { isImageReference } from './references.js'
import type { Baseline, CommentSettings, CompareSettings } from './types.js'
import { baseRefProblem, shown } from './values.js'

// The compare, comment and budget groups: what the comparison with the base, the comment and the gate read.

/** Masked in the log from the start, so that a server echoing it back cannot leak it. */
function secret(token: string): string {
  if (token) core.setSecret(token)
  return token
}

export function readCompare({ get, attempt, problems, env }: Reading, pullRequest: boolean): CompareSettings {
  const compare = get('compare').toLowerCase()
  const baselineImage = get('baseline-image')
  const baseRef = get('base-ref') || undefined
  let baseline: Baseline = { kind: 'off' }
  if (!['auto', 'build', 'off'].includes(compare)) problems.push(`compare "${shown(compare)}" must be auto, build or off`)
  if (baselineImage && !isImageReference(baselineImage)) problems.push(`baseline-image "${shown(baselineImage)}" is not a valid image reference`)
  const baseRefWhy = baseRef === undefined ? undefined : baseRefProblem(baseRef)
  if (baseRefWhy) problems.push(baseRefWhy)
  const comparing = compare === 'build' || (compare === 'auto' && (PULL_REQUEST_EVENTS.includes(env.GITHUB_EVENT_NAME ?? '') || baseRef !== undefined))
  if (comparing) {
    if (baselineImage) baseline = { kind: 'image', reference: baselineImage }
    else if (baseRef || pullRequest) baseline = { kind: 'build', ref: baseRef }
    else problems.push('compare: build needs something to compare with: run on a pull_request event, or set base-ref (a branch or commit) or baseline-image')
  }
  return { baseline, cache: attempt(() => parseBoolean('baseline-cache', get('baseline-cache')), true) }
}

export function readComment({ get, attempt, problems }: Reading): CommentSettings {
  const timeoutText = get('comment-timeout')
  const timeoutSeconds = Number(timeoutText)
  if (!(timeoutSeconds > 0 && timeoutSeconds <= 3600)) problems.push(`comment-timeout "${shown(timeoutText)}" must be a number of seconds from 1 to 3600`)
  const key = get('comment-key')
  if (!/^[\w.-]+$/.test(key)) problems.push(`comment-key "${shown(key)}" may hold letters, digits, . _ - only`)
  return { enabled: attempt(() => parseBoolean('comment', get('comment')), true), key, timeoutSeconds, token: secret(get('github-token')) }
}

export function readBudget({ get, attempt }: Reading): Budget {
  const [maxSizeText, maxIncreaseText] = [get('max-size'), get('max-increase')]
  return {
    maxSize: maxSizeText ? attempt(() => parseSize(maxSizeText, 'max-size'), undefined) : undefined,
    maxIncrease: maxIncreaseText ? attempt(() => parseIncrease(maxIncreaseText, 'max-increase'), undefined) : undefined
  }
}
