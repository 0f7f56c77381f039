// settings/: the inputs, parsed once into one typed group per stage that reads them, every problem reported at
// once before anything is built; the checks on values and image references the other stages reuse.
export type { Budget } from './budget.js'
export { SAFE_VALUE, SAFE_VALUE_RULE, withBuild, withMainPackage } from './build.js'
export { readBudget, readComment } from './compare.js'
export { readGitHub, readPullRequest } from './github.js'
export { portProblem } from './image.js'
export { parseList, quoteField, splitFields } from './lists.js'
export { pushTargets } from './publish.js'
export { boundInputs, INPUT_LIMITS, InputError, MERGE_INPUT_LIMITS, openReading, readActionInput } from './reading.js'
export type { InputReader } from './reading.js'
export { byRepository, fullName, isImageReference, isRepository, isTagName, manifestReference, pushTarget, repositoryOf, tagOf } from './references.js'
export type { PushTarget } from './references.js'
export { readSettings } from './settings.js'
export { IMAGE_SHAPING, NO_VARIABLE, UPX_RELEASE_URL, ZSTD_LEVEL } from './types.js'
export type {
  BuildSettings,
  CommentSettings,
  Compression,
  ExtraFile,
  FinalStage,
  GitHubContext,
  PublishSettings,
  Settings,
  UpxInstall,
  UpxLevel
} from './types.js'
export { binaryNameProblem, clip, shown, workdirProblem } from './values.js'
