import { isTagName, pushTarget, repositoryOf, shown } from '../settings/index.js'
import type { LoadedReport } from './reports.js'

/** The reports of one image (one job per platform), and what the merge writes for it. Pure. */
export interface ImageGroup {
  image: string
  /** In the order of their platforms, so that the index and the report do not depend on the order files were found. */
  reports: LoadedReport[]
  /** Every job pushed its image by digest: the merge writes the index. */
  pushed: boolean
  /** The references the index goes under (none when nothing was pushed). */
  tags: string[]
}

const platformsOf = (loaded: LoadedReport) => loaded.report.measurement.images.map(i => i.platform)
const sameRepository = (a: string, b: string) => {
  const [x, y] = [pushTarget(a), pushTarget(b)]
  return x.host === y.host && x.name === y.name
}
const listed = (files: string[]) => files.join(', ')

/** The commit each report was built from: all must be one, or the index would mix two versions of the program. */
function commitProblem(loaded: LoadedReport[]): string | undefined {
  const byCommit = new Map<string, string[]>()
  for (const { file, report } of loaded) {
    const commit = report.version.commit ?? `(no commit; build ${report.version.build})`
    byCommit.set(commit, [...(byCommit.get(commit) ?? []), file])
  }
  if (byCommit.size < 2) return undefined
  const which = [...byCommit].map(([commit, files]) => `${listed(files)} of ${shown(commit.slice(0, 12))}`).join('; ')
  return `the reports are of different commits (${which}): merge the reports of one workflow run, whose jobs built one commit`
}

function groupProblems(image: string, reports: LoadedReport[]): string[] {
  const problems: string[] = []
  const seen = new Map<string, string>()
  for (const loaded of reports) {
    for (const platform of platformsOf(loaded)) {
      const first = seen.get(platform)
      if (first)
        problems.push(
          `${first} and ${loaded.file} both hold ${platform} of ${image}: each platform comes from one job, so two reports of it are two runs (download only this run's artifacts) or a matrix that builds it twice`
        )
      else seen.set(platform, loaded.file)
    }
  }
  const tagged = reports.filter(r => r.report.published && !r.report.published.byDigest)
  for (const { file, report } of tagged)
    problems.push(
      `${file}: its job pushed ${image} under its own tags (${shown(report.published!.references.join(', '))}), not by digest: set push-by-digest: true in that job, and tags here`
    )
  const pushed = reports.filter(r => r.report.published?.byDigest)
  const unpushed = reports.filter(r => !r.report.published)
  if (pushed.length > 0 && unpushed.length > 0)
    problems.push(
      `of ${image}, ${listed(pushed.map(r => r.file))} ${pushed.length === 1 ? 'was' : 'were'} pushed by digest but ${listed(unpushed.map(r => r.file))} ${unpushed.length === 1 ? 'was' : 'were'} not (push false, or the push failed): an index needs every platform pushed`
    )
  const versions = [...new Set(reports.map(r => r.report.version.version))]
  if (versions.length > 1) problems.push(`the reports of ${image} carry different versions (${shown(versions.join(', '))}): its jobs must build one version`)
  return problems
}

/** The full references of `tags` for one image: bare tags go to every image, a reference to its own repository's. */
function tagsFor(image: string, version: string, tags: string[]): string[] {
  if (tags.length === 0) return [`${image}:${version}`]
  return tags.flatMap(tag => (isTagName(tag) ? [`${image}:${tag}`] : sameRepository(repositoryOf(tag), image) ? [tag] : []))
}

function strayTags(groups: Array<{ image: string }>, tags: string[]): string[] {
  const images = groups.map(g => g.image)
  return tags
    .filter(tag => !isTagName(tag) && !images.some(image => sameRepository(repositoryOf(tag), image)))
    .map(
      tag =>
        `tag "${shown(tag)}" is in ${repositoryOf(tag)}, but the reports' images are ${listed(images)}: the merge tags the repository the digests were pushed to (the jobs' image input)`
    )
}

/** Groups the reports by image and checks that they make one index each; every problem is said at once, before any write. */
export function planMerge(loaded: LoadedReport[], tags: string[]): ImageGroup[] {
  const grouped: Array<{ image: string; reports: LoadedReport[] }> = []
  for (const entry of loaded) {
    const group = grouped.find(g => sameRepository(g.image, entry.report.image))
    if (group) group.reports.push(entry)
    else grouped.push({ image: entry.report.image, reports: [entry] })
  }
  const groups = grouped.map(({ image, reports }) => {
    const sorted = [...reports].sort((a, b) => platformsOf(a)[0].localeCompare(platformsOf(b)[0]))
    const pushed = sorted.length > 0 && sorted.every(r => r.report.published?.byDigest)
    return { image, reports: sorted, pushed, tags: pushed ? tagsFor(image, sorted[0].report.version.version, tags) : [] }
  })
  const problems = [
    commitProblem(loaded),
    ...grouped.flatMap(g => groupProblems(g.image, g.reports)),
    ...strayTags(groups, tags),
    ...groups.flatMap(tagProblems)
  ].filter(p => p !== undefined)
  if (problems.length > 0) throw new Error(`Cannot merge, so nothing was tagged: ${problems.length === 1 ? problems[0] : `\n- ${problems.join('\n- ')}`}`)
  return groups
}

/** A pushed image needs a tag, and a default tag needs a version that can be one. */
function tagProblems(group: ImageGroup): string[] {
  if (!group.pushed) return []
  if (group.tags.length === 0) return [`none of the tags is for ${group.image}: add a bare tag (like 1.2.3, for every image) or a reference in its repository`]
  const bad = group.tags.filter(tag => !isTagName(tag.slice(repositoryOf(tag).length + 1)))
  return bad.map(tag => `the default tag "${shown(tag)}" is not a valid reference (the version is not a tag): give tags`)
}
