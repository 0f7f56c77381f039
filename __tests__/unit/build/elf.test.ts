import { readElf, staticProblem } from '../../../src/build/elf.js'

/** A minimal 64-bit little-endian ELF: one PT_LOAD over the whole file, optionally an interpreter and DT_NEEDED. */
function elf64({ machine = 62, interp, needed = [] }: { machine?: number; interp?: string; needed?: string[] }): Buffer {
  const phnum = 1 + (interp ? 1 : 0) + (needed.length ? 1 : 0)
  const phoff = 64
  const dataStart = phoff + phnum * 56
  const strings = Buffer.from(`\0${interp ?? ''}\0${needed.join('\0')}\0`, 'latin1')
  const interpOffset = dataStart + 1
  let cursor = 1 + (interp?.length ?? 0) + 1
  const neededOffsets = needed.map(name => {
    const at = cursor
    cursor += name.length + 1
    return at
  })
  const dynStart = dataStart + strings.length
  const dyn = Buffer.alloc((needed.length + 2) * 16)
  const vaddrBase = 0x400000
  needed.forEach((_, i) => {
    dyn.writeBigUInt64LE(1n, i * 16)
    dyn.writeBigUInt64LE(BigInt(neededOffsets[i]), i * 16 + 8)
  })
  dyn.writeBigUInt64LE(5n, needed.length * 16) // DT_STRTAB, as a virtual address
  dyn.writeBigUInt64LE(BigInt(vaddrBase + dataStart), needed.length * 16 + 8)
  const total = dynStart + dyn.length
  const buf = Buffer.alloc(total)
  buf.writeUInt32BE(0x7f454c46, 0)
  buf[4] = 2
  buf[5] = 1
  buf.writeUInt16LE(machine, 18)
  buf.writeBigUInt64LE(BigInt(phoff), 32)
  buf.writeUInt16LE(56, 54)
  buf.writeUInt16LE(phnum, 56)
  const header = (index: number, type: number, offset: number, size: number) => {
    const at = phoff + index * 56
    buf.writeUInt32LE(type, at)
    buf.writeBigUInt64LE(BigInt(offset), at + 8)
    buf.writeBigUInt64LE(BigInt(vaddrBase + offset), at + 16)
    buf.writeBigUInt64LE(BigInt(size), at + 32)
  }
  let index = 0
  header(index++, 1, 0, total)
  if (interp) header(index++, 3, interpOffset, interp.length + 1)
  if (needed.length) header(index, 2, dynStart, dyn.length)
  strings.copy(buf, dataStart)
  dyn.copy(buf, dynStart)
  return buf
}

describe('ELF static check', () => {
  it('passes a static binary', () => {
    const facts = readElf(elf64({}))
    expect(facts).toMatchObject({ machine: 62, needed: [] })
    expect(facts.interpreter).toBeUndefined()
    // The one PT_LOAD covers the whole file, from its virtual base.
    expect(facts.loads).toEqual([{ vaddr: 0x400000, filesz: 64 + 56 + 3 + 32, offset: 0 }])
    expect(staticProblem(facts, 'amd64')).toBeUndefined()
  })

  it('names the loader and the libraries of a dynamic binary', () => {
    const facts = readElf(elf64({ interp: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6', 'libpthread.so.0'] }))
    expect(facts.interpreter).toBe('/lib64/ld-linux-x86-64.so.2')
    expect(facts.needed).toEqual(['libc.so.6', 'libpthread.so.0'])
    expect(staticProblem(facts, 'amd64')).toBe(
      'it asks for the dynamic loader /lib64/ld-linux-x86-64.so.2 and it needs the shared libraries libc.so.6, libpthread.so.0, which an empty (scratch) image does not have'
    )
  })

  it('catches a binary for the wrong CPU', () => {
    expect(staticProblem(readElf(elf64({ machine: 183 })), 'amd64')).toContain('ELF machine 183, not amd64')
  })

  it('refuses what is not ELF', () => {
    expect(() => readElf(Buffer.from('#!/bin/sh\necho hi\n'.repeat(5)))).toThrow('not an ELF file')
  })
})
