// report/: the report's model and its Markdown (one file per section), fitted to GitHub's limits; the gate,
// the outputs and (lazily, through report/comment.ts) the pull request comment.
export { assembleReport, describeBudget } from './assemble.js'
export { baselineOrigin } from './comparison.js'
export { LIMITS, fitMarkdown } from './fit.js'
export { change, human, signedHuman, trend } from './format.js'
export { judge } from './gate.js'
export type { GateOutcome } from './gate.js'
export { renderMarkdown } from './markdown.js'
export { REPORT_FORMAT, largest } from './model.js'
export type { Report } from './model.js'
export { setOutputs, writeReportFile } from './outputs.js'
export { code, codeCell } from './md.js'
export { mainCause } from './split.js'
