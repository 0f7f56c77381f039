// build/: the Go side: the version and build, listing the package, linking the shipped binary and its twin,
// proving it static, reading its symbols and build info, and splitting it by module and package.
export type { BuildInfo, ModuleVersion } from './buildinfo.js'
export { buildInfoStrings, elfBuildInfo } from './gobinary.js'
export { goBuildPlan, linkBinaries } from './gobuild.js'
export type { Binary, LinkFacts, Linking, Shipped } from './gobuild.js'
export { inspectPackage, requireGo } from './golist.js'
export type { CgoFacts, PackageFacts } from './golist.js'
export { versionLabel, withMainModule } from './split.js'
export type { Breakdown, SizeRow } from './split.js'
export type { Injection } from './symbols.js'
export type { TwinFindings } from './twin.js'
export { commitParents, replacedDefault, resolveVersion, versionOriginText } from './version.js'
export type { VersionInfo } from './version.js'
