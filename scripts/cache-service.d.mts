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
/** The v2 service of github.com: twirp on loopback, blobs in Azurite. */
export declare class CacheServiceV2 {
  readonly entries: Array<{ id: number; key: string; version: string; blob: string; complete: boolean }>
  readonly requests: Array<{ method: string; path: string }>
  readonly faults: CacheFault[]
  url: string
  start(): Promise<void>
  stop(): Promise<void>
  env(): Record<string, string>
  find(keyPart: string): Array<{ id: number; key: string; version: string; blob: string; complete: boolean }>
  blob(entry: { blob: string }): Promise<Buffer>
}
