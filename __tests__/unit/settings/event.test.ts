import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readPullRequest } from '../../../src/settings/github.js'

describe('the event file of a pull request', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'event-'))
  const file = (name: string, payload: unknown) => {
    const at = path.join(dir, name)
    writeFileSync(at, JSON.stringify(payload))
    return at
  }

  it('gives the pull request of a pull_request event', () => {
    const at = file('pr.json', { pull_request: { number: 7, base: { ref: 'main', sha: 'a'.repeat(40) }, head: { sha: 'b'.repeat(40) } } })
    expect(readPullRequest(at, 'pull_request')).toEqual({ number: 7, baseRef: 'main', baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) })
  })

  it.each([
    [
      'a file that is gone',
      path.join(dir, 'gone.json'),
      /^this is a pull_request event, but its event file GITHUB_EVENT_PATH \(.*gone\.json\) does not exist: the runner writes/
    ],
    ['no path at all', undefined, /^this is a pull_request event, but GITHUB_EVENT_PATH is not set/],
    ['a file with no pull request', 'push-payload', /^this is a pull_request event, but its event file GITHUB_EVENT_PATH \(.*\) holds no pull_request/]
  ])('on a pull_request event, says %s as that, not as a run on another event', (_, eventPath, message) => {
    const at = eventPath === 'push-payload' ? file('push.json', { ref: 'refs/heads/main' }) : eventPath
    expect(() => readPullRequest(at, 'pull_request')).toThrow(message)
  })

  it('is no pull request on a push, with or without a file', () => {
    expect(readPullRequest(undefined, 'push')).toBeUndefined()
    expect(readPullRequest(file('push2.json', { ref: 'refs/heads/main' }), 'push')).toBeUndefined()
  })
})
