/** A linux target as Go and buildx both name it. */
export interface Platform {
  /** Canonical buildx/OCI spelling, also the binary's folder in the build context: linux/arm/v7. */
  id: string
  os: string
  arch: string
  variant?: string
}

// Go ports that have container images and a static, cgo-free build.
const KNOWN = [
  'linux/amd64',
  'linux/arm64',
  'linux/arm/v7',
  'linux/arm/v6',
  'linux/386',
  'linux/ppc64le',
  'linux/s390x',
  'linux/riscv64',
  'linux/loong64',
  'linux/mips64le'
]
// Spellings buildkit normalises to the same platform.
const ALIASES: Record<string, string> = {
  'linux/arm64/v8': 'linux/arm64',
  'linux/arm': 'linux/arm/v7',
  'linux/x86_64': 'linux/amd64',
  'linux/aarch64': 'linux/arm64'
}

export function parsePlatform(text: string): Platform {
  const lower = text.trim().toLowerCase()
  const id = ALIASES[lower] ?? lower
  if (!KNOWN.includes(id)) {
    // The process folder imports no other: a long value is cut here, as settings/ cuts the others.
    const said = text.length > 80 ? `${text.slice(0, 80)}… (${text.length} characters)` : text
    throw new Error(`unknown platform "${said}": use one of ${KNOWN.join(', ')}`)
  }
  const [os, arch, variant] = id.split('/')
  return variant ? { id, os, arch, variant } : { id, os, arch }
}

/** The Go environment that cross-compiles for the platform. */
export function goEnv(platform: Platform): Record<string, string> {
  const env: Record<string, string> = { GOOS: platform.os, GOARCH: platform.arch }
  if (platform.arch === 'arm' && platform.variant) env.GOARM = platform.variant.replace(/^v/, '')
  return env
}

/** The platform this process runs on, when it is one images are built for. */
export function hostPlatform(): Platform | undefined {
  const arch = ({ x64: 'amd64', arm64: 'arm64', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch]
  if (process.platform !== 'linux' || !arch) return undefined
  return parsePlatform(`linux/${arch}`)
}
