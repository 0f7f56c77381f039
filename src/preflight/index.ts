// preflight/: every check that can fail before anything is built, and the head's first links started.
export { preflight, warnDroppedCgo } from './preflight.js'
