import { renderDockerfile } from '../../src/stage.js'

describe('final stage Dockerfile', () => {
  it('scratch-nonroot: certs, passwd, non-root user, exec-form entrypoint, binary last', () => {
    expect(
      renderDockerfile({
        finalStage: { kind: 'scratch-nonroot', nonroot: true },
        binaryName: 'hello',
        expose: ['3000'],
        args: ['serve', '--port', '3000'],
        workdir: '/data'
      })
    ).toBe(
      [
        'FROM scratch',
        'ARG TARGETPLATFORM',
        'COPY rootfs/ /',
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
    expect(renderDockerfile({ finalStage: { kind: 'scratch', nonroot: false }, binaryName: 'a', expose: [], args: [], workdir: '' })).toBe(
      'FROM scratch\nARG TARGETPLATFORM\nCOPY ${TARGETPLATFORM}/ /\nENTRYPOINT ["/usr/bin/a"]\n'
    )
  })

  it('an image base keeps its own user', () => {
    const text = renderDockerfile({
      finalStage: { kind: 'image', base: 'gcr.io/distroless/static-debian12:nonroot', nonroot: true },
      binaryName: 'a',
      expose: [],
      args: [],
      workdir: ''
    })
    expect(text.split('\n')[0]).toBe('FROM gcr.io/distroless/static-debian12:nonroot')
    expect(text).not.toContain('USER')
  })
})
