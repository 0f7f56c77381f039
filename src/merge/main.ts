import * as core from '@actions/core'
import type { Published } from '../publish/index.js'
import { fitMarkdown, LIMITS, type Report } from '../report/index.js'
import { combineReports, judgeMerged, mergeGates } from './combine.js'
import { planMerge, type ImageGroup } from './plan.js'
import { renderMerged } from './render.js'
import { loadReports } from './reports.js'
import { readMergeSettings, type MergeSettings } from './settings.js'
import { indexWrite, writeIndexes, type IndexWrite, type Tagged } from './tagging.js'
import { verifyGroups, type VerifiedGroup } from './verify.js'
import { info } from '../process/index.js'

export async function runMerge(): Promise<void> {
  try {
    await merge()
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}

/** Reads and checks everything first (files, then the registry), judges, and only then writes the indexes. */
async function merge(): Promise<void> {
  const settings = readMergeSettings()
  const groups = planMerge(await loadReports(settings.reports, settings.workspace, settings.runnerTemp), settings.tags)
  for (const group of groups) info(describeGroup(group))
  const verified = await verifyGroups(groups)
  const drafts = groups.map(group => judged(settings, combineReports(reportsOf(group), { tags: group.tags, failures: [] })))
  const tagged = await tagAsAllowed(settings, groups, verified, drafts)
  const reports = groups.map((group, i) =>
    judged(settings, combineReports(reportsOf(group), { tags: group.tags, published: publishedOf(tagged.get(group)), failures: tagged.failures[i] }))
  )
  await tell(settings, reports)
}

const reportsOf = (group: ImageGroup) => group.reports.map(r => r.report)

/** The jobs' verdicts and the merge's own budget, as one. */
// The merge's own max-size is the history's line too.
const judged = (settings: MergeSettings, report: Report): Report => ({
  ...report,
  gate: mergeGates([report.gate, judgeMerged(report, settings.budget)]),
  history: report.history && { ...report.history, maxSize: settings.budget.maxSize ?? report.history.maxSize }
})

function describeGroup(group: ImageGroup): string {
  const platforms = group.reports.map(r => `${r.report.measurement.images.map(i => i.platform).join(', ')} (${r.file})`).join(', ')
  const what = group.pushed ? `pushed by digest; the index goes under ${group.tags.join(', ')}` : 'not pushed: merged into the report only'
  return `${group.image}: ${platforms}; ${what}`
}

/** Why nothing may be tagged: a job that failed, or a budget broken anywhere. */
function blockers(drafts: Report[]): string | undefined {
  if (drafts.some(d => (d.failures?.length ?? 0) > 0)) return 'a job whose report is merged failed'
  if (drafts.some(d => d.gate?.result === 'fail')) return 'the size budget is broken'
  return undefined
}

interface TagOutcome {
  get: (group: ImageGroup) => Tagged | undefined
  /** Per group, what went wrong with its index. */
  failures: string[][]
}

async function tagAsAllowed(settings: MergeSettings, groups: ImageGroup[], verified: Map<ImageGroup, VerifiedGroup>, drafts: Report[]): Promise<TagOutcome> {
  const pushed = groups.filter(g => g.pushed)
  const failures = groups.map(() => [] as string[])
  const why = blockers(drafts)
  if (pushed.length === 0) return { get: () => undefined, failures }
  if (why) {
    for (const [i, group] of groups.entries())
      if (group.pushed) failures[i].push(`nothing was tagged (${why}): ${group.tags.join(', ')} would have been written`)
    return { get: () => undefined, failures }
  }
  const writes: IndexWrite[] = pushed.map(group => indexWrite(group.image, group.tags, verified.get(group)!, settings.annotations))
  const results = await writeIndexes(writes)
  for (const [i, result] of results.entries()) if (result.error) failures[groups.indexOf(pushed[i])].push(result.error)
  return { get: group => results[pushed.indexOf(group)], failures }
}

/** What the registry serves under the tags written; none when no tag got out. */
function publishedOf(tagged: Tagged | undefined): Published | undefined {
  if (!tagged || tagged.references.length === 0) return undefined
  return { digest: tagged.digest, references: tagged.references, images: tagged.images, metadata: { 'containerimage.digest': tagged.digest } }
}

/** Report everywhere it goes, then the verdict: a failed comment never hides a failure. */
async function tell(settings: MergeSettings, reports: Report[]): Promise<void> {
  const markdown = renderMerged(reports)
  const gate = mergeGates(reports.map(r => r.gate))?.result ?? 'skipped'
  const first = reports[0]
  core.setOutput('digest', first.published?.digest ?? '')
  core.setOutput('image-size', Math.max(...first.measurement.images.map(i => i.wire)))
  core.setOutput('gate', gate)
  core.setOutput('report', fitMarkdown(markdown, LIMITS.output))
  core.setOutput('report-json', JSON.stringify({ images: reports, gate }))
  await core.summary.addRaw(fitMarkdown(markdown, LIMITS.summary)).write()
  info(markdown)
  if (settings.comment.enabled && settings.github.pullRequest && settings.github.repository) {
    const { commentOnPullRequest } = await import('../report/comment.js')
    await commentOnPullRequest(settings, fitMarkdown(markdown, LIMITS.comment))
  }
  const failures = reports.flatMap(r => r.failures ?? [])
  const broken = reports.flatMap(r => (r.gate?.result === 'fail' ? r.gate.failures : []))
  const verdict = [...(broken.length > 0 ? [`Size budget broken:\n${broken.join('\n')}`] : []), ...failures]
  if (verdict.length > 0) core.setFailed(verdict.join('\n'))
}
