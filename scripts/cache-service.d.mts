export interface CacheEntry {
  id: number
  key: string
  version: string
  data: Buffer
  complete: boolean
}
export interface CacheFault {
  method: string
  path: RegExp
  /** Answer this status; without it, never answer (a hung service). */
  status?: number
  times: number
}
export declare class CacheService {
  readonly entries: CacheEntry[]
  readonly requests: Array<{ method: string; path: string }>
  readonly faults: CacheFault[]
  url: string
  start(): Promise<void>
  stop(): Promise<void>
  env(): Record<string, string>
  find(keyPart: string): CacheEntry[]
}
