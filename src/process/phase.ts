import * as core from '@actions/core'

/** A named part of the run: its log is one group, its wall time goes into the report. */
export type Phase = <T>(name: string, work: () => Promise<T>) => Promise<T>

export function timedPhases(timings: Record<string, number>): Phase {
  return async (name, work) => {
    const begun = performance.now()
    try {
      return await core.group(name, work)
    } finally {
      // A phase run twice (a second link once the version variable is found) counts both times.
      timings[name] = (timings[name] ?? 0) + performance.now() - begun
    }
  }
}

/** For work that runs beside the phases (the base build): no group of its own, no time of its own. */
export const quietPhase: Phase = (_name, work) => work()
