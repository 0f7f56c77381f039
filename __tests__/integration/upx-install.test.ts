import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { helloRepository, requireTools, runAction } from './harness.js'

beforeAll(() => requireTools('go', 'upx', 'docker', 'git', 'tar', 'xz'))

const which = (tool: string) => execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim()

/** A PATH with what the action needs except upx. */
function pathWithoutUpx(): string {
  const bin = mkdtempSync(path.join(tmpdir(), 'no-upx-bin-'))
  for (const tool of ['git', 'go', 'docker', 'tar', 'xz']) symlinkSync(realpathSync(which(tool)), path.join(bin, tool))
  return bin
}

/** A release archive laid out like UPX's (upx-<v>-<arch>_linux/upx), holding this machine's upx. */
function releaseArchive(): { file: string; sha256: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'upx-release-'))
  mkdirSync(path.join(dir, 'upx-4.2.4-amd64_linux'))
  copyFileSync(realpathSync(which('upx')), path.join(dir, 'upx-4.2.4-amd64_linux/upx'))
  const file = path.join(dir, 'upx-4.2.4-amd64_linux.tar.xz')
  execFileSync('tar', ['-cJf', file, '-C', dir, 'upx-4.2.4-amd64_linux'])
  return { file, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') }
}

describe('UPX missing from PATH', () => {
  const archive = releaseArchive()
  const requests: string[] = []
  let server: Server
  let url: string

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '')
      if (req.url === '/v4.2.4/upx-4.2.4-amd64_linux.tar.xz') res.end(readFileSync(archive.file))
      else res.writeHead(404).end()
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v{version}/upx-{version}-{arch}_linux.tar.xz`
  })
  afterAll(() => new Promise(resolve => server.close(resolve)))

  const repo = helloRepository()
  const toolCache = mkdtempSync(path.join(tmpdir(), 'tool-cache-'))
  const env = { PATH: pathWithoutUpx(), RUNNER_TOOL_CACHE: toolCache }

  it('is downloaded, checked against its SHA-256, cached, and used', async () => {
    const image = `slim-test/upx-download-${Date.now()}`
    const run = await runAction({ upx: '9', 'upx-download-url': url, 'upx-sha256': archive.sha256, image }, { workspace: repo.dir, env })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(requests).toEqual(['/v4.2.4/upx-4.2.4-amd64_linux.tar.xz'])
    expect(existsSync(path.join(toolCache, 'upx/4.2.4/amd64/upx'))).toBe(true)
    expect(Number(run.outputs['binary-size'])).toBeLessThan(Number(run.outputs['binary-size-unpacked']))

    // The second run finds it in the tool cache.
    const again = await runAction({ upx: '9', 'upx-download-url': url, 'upx-sha256': archive.sha256, image }, { workspace: repo.dir, env })
    expect(again.code).toBe(0)
    expect(requests).toHaveLength(1)
  })

  it('is refused when the checksum does not match', async () => {
    const run = await runAction(
      { upx: '9', 'upx-download-url': url, 'upx-sha256': 'f'.repeat(64) },
      { workspace: repo.dir, env: { ...env, RUNNER_TOOL_CACHE: mkdtempSync(path.join(tmpdir(), 'tool-cache-')) } }
    )
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toContain(`has SHA-256 ${archive.sha256}, not the expected ${'f'.repeat(64)}: refusing to run it`)
  })

  it('leaves no archive behind in RUNNER_TEMP, whatever the download gave', async () => {
    const run = await runAction(
      { upx: '9', 'upx-download-url': url, 'upx-sha256': 'f'.repeat(64) },
      { workspace: repo.dir, env: { ...env, RUNNER_TOOL_CACHE: mkdtempSync(path.join(tmpdir(), 'tool-cache-')) } }
    )
    expect(run.code).toBe(1)
    // The runner's own files only: GITHUB_OUTPUT, the summary and the state.
    expect(readdirSync(run.runnerTemp).sort()).toEqual(['output', 'state', 'summary'])
  })

  it('a server that accepts and never answers costs the idle bound, and Node exits at once', async () => {
    const sockets: Socket[] = []
    const hung = createNetServer(socket => sockets.push(socket))
    await new Promise<void>(resolve => hung.listen(0, '127.0.0.1', resolve))
    const started = Date.now()
    const run = await runAction(
      { upx: '9', 'upx-download-url': `http://127.0.0.1:${(hung.address() as AddressInfo).port}/upx.tar.xz`, 'upx-sha256': archive.sha256 },
      { workspace: repo.dir, env: { ...env, RUNNER_TOOL_CACHE: mkdtempSync(path.join(tmpdir(), 'tool-cache-')) } }
    )
    const seconds = (Date.now() - started) / 1000
    for (const socket of sockets) socket.destroy()
    hung.close()
    expect(run.code).toBe(1)
    expect(run.errors).toEqual([
      expect.stringMatching(/^could not download upx from http:\/\/127\.0\.0\.1:\d+\/upx\.tar\.xz \(the server sent nothing for 20 s\)/)
    ])
    // The idle bound (20 s), and the process ends with it instead of waiting on an open socket.
    expect(seconds).toBeGreaterThan(19)
    expect(seconds).toBeLessThan(40)
  })
})
