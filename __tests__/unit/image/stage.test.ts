import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { renderDockerfile, treeDigest } from '../../../src/image/stage.js'

describe('final stage Dockerfile', () => {
  it('scratch-nonroot: certs, passwd, non-root user, exec-form entrypoint, binary last', () => {
    expect(
      renderDockerfile({
        finalStage: { kind: 'scratch-nonroot', nonroot: true },
        binaryName: 'hello',
        expose: ['3000'],
        args: ['serve', '--port', '3000'],
        workdir: '/data',
        files: [{ source: '/etc/mime.types', destination: '/etc/mime.types' }],
        tzdata: true
      })
    ).toBe(
      [
        'FROM scratch',
        'ARG TARGETPLATFORM',
        'COPY rootfs/ /',
        'COPY tzdata/ /',
        'COPY files-0/ /',
        'COPY --chown=65532:65532 workdir/ /',
        'COPY ${TARGETPLATFORM}/ /',
        'USER 65532:65532',
        'WORKDIR /data',
        'EXPOSE 3000',
        'ENTRYPOINT ["/usr/bin/hello"]',
        'CMD ["serve","--port","3000"]',
        ''
      ].join('\n')
    )
  })

  it('plain scratch has the binary only', () => {
    expect(
      renderDockerfile({ finalStage: { kind: 'scratch', nonroot: false }, binaryName: 'a', expose: [], args: [], workdir: '', files: [], tzdata: false })
    ).toBe('FROM scratch\nARG TARGETPLATFORM\nCOPY ${TARGETPLATFORM}/ /\nENTRYPOINT ["/usr/bin/a"]\n')
  })

  it('an image base keeps its own user', () => {
    const text = renderDockerfile({
      finalStage: { kind: 'image', base: 'gcr.io/distroless/static-debian12:nonroot', nonroot: true },
      binaryName: 'a',
      expose: [],
      args: [],
      workdir: '',
      files: [],
      tzdata: false
    })
    expect(text.split('\n')[0]).toBe('FROM gcr.io/distroless/static-debian12:nonroot')
    expect(text).not.toContain('USER')
  })
})

describe('context digest', () => {
  it('changes when a binary changes but keeps its size and time, as an injected version does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tree-'))
    mkdirSync(path.join(dir, 'linux/amd64/usr/bin'), { recursive: true })
    const file = path.join(dir, 'linux/amd64/usr/bin/app')
    writeFileSync(file, 'Version: 1.0.0')
    utimesSync(file, 1700000000, 1700000000)
    const first = await treeDigest(dir)
    expect(await treeDigest(dir)).toBe(first)
    writeFileSync(file, 'Version: 2.0.0')
    utimesSync(file, 1700000000, 1700000000)
    expect(await treeDigest(dir)).not.toBe(first)
  })
})

describe('the Dockerfile is built from checked parts', () => {
  const spec = {
    finalStage: { kind: 'scratch-nonroot', nonroot: true } as const,
    binaryName: 'hello',
    expose: ['3000'],
    args: ['a\nRUN ["/bin/x"]', '$HOME', '"quoted"'],
    workdir: '/data',
    files: [],
    tzdata: false
  }

  it.each([
    ['workdir', { workdir: '/data\nUSER 0:0' }],
    ['workdir', { workdir: '/$HOME' }],
    ['expose', { expose: ['3000\nUSER 0'] }],
    ['binary-name', { binaryName: 'x"]\nUSER 0:0\nENTRYPOINT ["/x' }],
    ['final-stage', { finalStage: { kind: 'image', base: 'alpine\nRUN id', nonroot: false } as const }]
  ])('refuses a %s that would end its line', (_, change) => {
    expect(() => renderDockerfile({ ...spec, ...change })).toThrow(/refused to write .* into the Dockerfile/)
  })

  it('writes arguments as JSON: one line each, $ and quotes literal', () => {
    const lines = renderDockerfile(spec).trimEnd().split('\n')
    expect(lines.filter(line => /^(RUN|USER)/.test(line))).toEqual(['USER 65532:65532'])
    expect(JSON.parse(lines.at(-1)!.replace(/^CMD /, ''))).toEqual(spec.args)
  })
})
