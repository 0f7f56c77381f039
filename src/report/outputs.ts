import * as core from '@actions/core'
import { mkdtempSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Injection } from '../build/index.js'
import type { BuildxMetadata, Packed } from '../image/index.js'
import type { Measurement } from '../measure/index.js'
import type { Published } from '../publish/index.js'
import { percentChange } from './gate.js'
import type { Report } from './model.js'

export interface OutputInput {
  report: Report
  markdown: string
  head: { packed: Packed[]; injections: Injection[]; measurement: Measurement; metadata: BuildxMetadata }
  published?: Published
  gate: string
  /** The first platform asked for: the single-value outputs describe it; report-json has every platform. */
  platform: string
}

const injected = (injections: Injection[], role: string) => String(injections.find(i => i.role === role)?.injected ?? false)

/** Every output action.yml declares but comment-id, which the comment phase sets. */
export function setOutputs({ report, markdown, head, published, gate, platform }: OutputInput): void {
  const image = head.measurement.images.find(i => i.platform === platform) ?? head.measurement.images[0]
  const packed = head.packed.find(p => p.binary.platform.id === image.platform) ?? head.packed[0]
  const baseWire = report.baseline?.images.find(b => b.platform === image.platform)?.wire
  const metadata: BuildxMetadata = published?.metadata ?? head.metadata
  core.setOutput('version', report.version.version)
  core.setOutput('build', report.version.build)
  core.setOutput('version-injected', injected(head.injections, 'version'))
  core.setOutput('build-injected', injected(head.injections, 'build'))
  core.setOutput('binary-path', packed.path)
  core.setOutput('binary-size', packed.size)
  core.setOutput('binary-size-unpacked', packed.binary.size)
  core.setOutput('image-size', image.wire)
  core.setOutput('image-size-uncompressed', image.unpacked)
  core.setOutput('imageid', image.imageId ?? metadata['containerimage.config.digest'] ?? '')
  core.setOutput('digest', report.digest ?? '')
  core.setOutput('metadata', JSON.stringify(metadata))
  core.setOutput('base-image-size', baseWire ?? '')
  core.setOutput('size-delta', baseWire === undefined ? '' : image.wire - baseWire)
  // Empty when there was nothing to compare with (no baseline, or a base that did not build).
  core.setOutput('baseline-source', report.baseline?.images.length ? report.baseline.source : '')
  core.setOutput('size-delta-percent', baseWire === undefined ? '' : percentChange(image.wire, baseWire).toFixed(2))
  core.setOutput('gate', gate)
  core.setOutput('report', markdown)
  core.setOutput('report-json', JSON.stringify(report))
  core.setOutput('history-json', report.history ? JSON.stringify(report.history) : '')
}

/**
 * report-json as a file of its own, for actions/upload-artifact and the merge action: a report can outgrow what
 * an environment variable or a command line may carry, so a workflow should not pass the output through one.
 */
export function writeReportFile(runnerTemp: string, report: Report): void {
  const file = path.join(mkdtempSync(path.join(runnerTemp, 'go-slim-report-')), 'report.json')
  writeFileSync(file, JSON.stringify(report))
  core.setOutput('report-file', file)
}
