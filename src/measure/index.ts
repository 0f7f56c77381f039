// measure/: one commit built, imaged and measured (the same for the change and its base), and the sizes of an
// OCI layout.
export type { Measurement } from './image-size.js'
export { buildTarget } from './target.js'
export type { Target } from './target.js'
