import { upxDownload } from '../../../src/image/upx-install.js'

describe('upx download', () => {
  const official = { version: '4.2.4', url: 'https://github.com/upx/upx/releases/download/v{version}/upx-{version}-{arch}_linux.tar.xz' }
  it('knows the official archives', () => {
    expect(upxDownload(official, 'x64')).toEqual({
      url: 'https://github.com/upx/upx/releases/download/v4.2.4/upx-4.2.4-amd64_linux.tar.xz',
      sha256: '75cab4e57ab72fb4585ee45ff36388d280c7afd72aa03e8d4b9c3cbddb474193',
      arch: 'amd64'
    })
    expect(upxDownload(official, 'arm64').url).toContain('upx-4.2.4-arm64_linux.tar.xz')
  })
  it('wants a checksum for anything else', () => {
    expect(() => upxDownload({ ...official, version: '5.0.0' }, 'x64')).toThrow('set upx-sha256')
    expect(() => upxDownload({ ...official, url: 'https://mirror/{version}/{arch}.tar.xz' }, 'x64')).toThrow('set upx-sha256')
    expect(upxDownload({ ...official, url: 'https://mirror/{version}/{arch}.tar.xz', sha256: 'ab'.repeat(32) }, 'x64').url).toBe(
      'https://mirror/4.2.4/amd64.tar.xz'
    )
  })
})
