import { symbolPackage } from '../../../src/build/buildinfo.js'
import { pcTableLength } from '../../../src/build/pclntab.js'
import { amd64, arm64 } from '../../../src/build/references.js'
import { carrierRegion, inRegions, stringCharges, usesIn } from '../../../src/build/strings.js'

describe('the package of a symbol, held to the packages of the build', () => {
  const known = new Set(['example.com/app/sqlite', 'database/sql', 'gopkg.in/yaml.v3', 'example.com/a.b/c'])

  it("a promoted method's wrapper of another package's unexported method is the embedding package's", () => {
    expect(symbolPackage('example.com/app/sqlite.(*Tx).database/sql.grabConn', known)).toBe('example.com/app/sqlite')
    expect(symbolPackage('example.com/app/sqlite.Tx.database/sql.awaitDone', known)).toBe('example.com/app/sqlite')
    // In package main too (traefik/whoami's server embeds a gRPC type's unimplemented methods).
    expect(symbolPackage('main.(*whoamiServer).github.com/traefik/whoami/grpc.mustEmbedUnimplementedWhoamiServer', known)).toBe('main')
    // Without the build's packages, the slash after the receiver misleads the plain reading.
    expect(symbolPackage('example.com/app/sqlite.Tx.database/sql.awaitDone')).not.toBe('example.com/app/sqlite')
  })

  it('takes the longest package with a dot in its last element, and an escaped dot', () => {
    expect(symbolPackage('gopkg.in/yaml.v3.Marshal', known)).toBe('gopkg.in/yaml.v3')
    expect(symbolPackage('example.com/a%2eb/c.F', new Set(['example.com/a.b/c']))).toBe('example.com/a.b/c')
    expect(symbolPackage('database/sql.(*Tx).Commit', known)).toBe('database/sql')
  })
})

describe('pc-value tables', () => {
  it('run to the zero value byte after the first pair, varints of any length included', () => {
    // (value 0, pc 2), (value +1 in a two-byte varint, pc 3), end.
    const table = Buffer.from([0x00, 0x02, 0x82, 0x01, 0x03, 0x00, 0xff, 0xff])
    expect(pcTableLength(table, 0)).toBe(6)
    expect(pcTableLength(Buffer.from([9, 9, 0x00, 9]), 0)).toBe(3)
  })
})

describe('string data by the places that use it', () => {
  const region = { start: 1000, end: 1100 }

  it('each string runs to the next one used; one used by two packages is split; what nothing points at is said', () => {
    const charges = stringCharges(region, [
      { target: 1010, pkg: 'a' },
      { target: 1040, pkg: 'b' },
      { target: 1040, pkg: 'c' },
      { target: 1040 },
      { target: 1090, pkg: 'a' },
      { target: 5000, pkg: 'far' }
    ])
    expect(Object.fromEntries(charges)).toEqual({ undefined: 10, a: 30 + 10, b: 25, c: 25 })
    expect([...charges.values()].reduce((s, v) => s + v, 0)).toBe(100)
  })

  it('finds the regions an address is in, and the uses of a region, by binary search', () => {
    const inside = inRegions([
      { start: 300, end: 400 },
      { start: 100, end: 200 }
    ])
    expect([99, 100, 199, 200, 250, 300, 399, 400].map(inside)).toEqual([false, true, true, false, false, true, true, false])
    const sorted = [10, 100, 150, 199, 200, 300].map(target => ({ target }))
    expect(usesIn(sorted, { start: 100, end: 200 }).map(u => u.target)).toEqual([100, 150, 199])
  })

  it("a carrier's region ends at the next symbol", () => {
    const symbols = [
      { name: 'go:string.*', size: 0, kind: 'r', address: 100 },
      { name: 'go:funcdesc', size: 0, kind: 'r', address: 180 },
      { name: 'runtime.x', size: 4, kind: 'D', address: 300 },
      { name: 'undefined', size: 0, kind: 'U' }
    ]
    expect(carrierRegion(symbols, 'go:string.*')).toEqual({ start: 100, end: 180 })
    expect(carrierRegion(symbols, 'type:*')).toBeUndefined()
  })
})

describe('addresses code takes, as go tool objdump decodes them', () => {
  const targets = (scan: typeof amd64, code: number[] | Buffer, pc: number) => {
    const found: number[] = []
    scan(Buffer.isBuffer(code) ? code : Buffer.from(code), pc, t => found.push(t))
    return found
  }

  it('amd64: LEAQ off(IP), reg, any register, backwards too', () => {
    // 0x49e1ca: 488d0de1070300  LEAQ 0x307e1(IP), CX (statik's init, above); 4c8d0df0ffffff  LEAQ -0x10(IP), R9.
    expect(targets(amd64, [0x48, 0x8d, 0x0d, 0xe1, 0x07, 0x03, 0x00], 0x49e1ca)).toEqual([0x49e1d1 + 0x307e1])
    expect(targets(amd64, [0x90, 0x4c, 0x8d, 0x0d, 0xf0, 0xff, 0xff, 0xff], 0x2000)).toEqual([0x2001 + 7 - 16])
    // MOVQ sym(SB), BX reads memory: not an address taken.
    expect(targets(amd64, [0x48, 0x8b, 0x1d, 0x2b, 0xd8, 0x12, 0x00], 0x1000)).toEqual([])
  })

  it('arm64: ADRP then ADD to the same register; words with the top bit set are read as unsigned', () => {
    // 0xa6290: b00001c1 ADRP 233472(PC), R1; 9122a421 ADD $2217, R1, R1.
    const pair = Buffer.alloc(8)
    pair.writeUInt32LE(0xb00001c1, 0)
    pair.writeUInt32LE(0x9122a421, 4)
    expect(targets(arm64, pair, 0xa6290)).toEqual([0xa6000 + 233472 + 2217])
    // The ADD of another register is not the pair's.
    pair.writeUInt32LE(0x91000442, 4)
    expect(targets(arm64, pair, 0xa6290)).toEqual([])
  })
})
