// compare/: the base of a comparison: its commit and checkout, its stored measurement in the Actions cache (or
// a rebuild, or a published image), the zstd road not taken, and what changed between the two splits.
export { startBaseline } from './baseline.js'
export { entryFolder } from './cache.js'
export { storeDeferred } from './deferred.js'
export { attributions, dominantRow } from './changes.js'
export type { Attribution, RowChange } from './changes.js'
export { openMemory, rememberHead } from './memory.js'
export { headRoad } from './road.js'
export { breakBefore, type Break, type HistoryPoint } from './history.js'
export type { BaselineReport, Road } from './types.js'
