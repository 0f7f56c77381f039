import type { Report } from '../../src/report/model.js'

/** One realistic report of one platform, as report-json carries it. */
export const sampleReport: Report = {
  format: 1,
  image: 'acme/hello',
  tags: ['acme/hello:v1.2.3'],
  digest: 'sha256:' + 'd'.repeat(64),
  version: { version: 'v1.2.3', build: '0123456789abcdef0123', commitTime: 1700000000, origin: { kind: 'input' as const } },
  goVersion: 'go1.26.8',
  goBuild: 'CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath "-ldflags=-s -w -X main.Version=v1.2.3 -X main.Build=0123" -o hello .',
  upx: 'lzma',
  finalStage: 'scratch-nonroot',
  binaries: [
    {
      platform: 'linux/amd64',
      unstripped: 8342488,
      stripped: 5767330,
      final: 1845796,
      packed: true,
      packMs: 3913,
      gzipUnpacked: 2455866,
      gzipPacked: 1845137,
      startupUnpackedMs: 3.3,
      startupPackedMs: 118.7,
      startupRuns: 11
    }
  ],
  measurement: {
    route: 'oci',
    images: [
      {
        platform: 'linux/amd64',
        manifestDigest: 'sha256:' + 'a'.repeat(64),
        imageId: 'sha256:' + 'c'.repeat(64),
        wire: 1973290,
        unpacked: 2075136,
        configSize: 1588,
        layers: [
          { digest: 'sha256:1', size: 126183, unpacked: 222720 },
          { digest: 'sha256:2', size: 217, unpacked: 3584 },
          { digest: 'sha256:3', size: 1845302, unpacked: 1848832 }
        ]
      }
    ]
  },
  timings: { preflight: 320, 'go build': 759, upx: 4225, 'buildx build': 489 },
  toolMs: 5600,
  smoke: { args: ['version'], stdout: 'Build: 0123\nVersion: v1.2.3\n', stderr: '' },
  warnings: []
}
