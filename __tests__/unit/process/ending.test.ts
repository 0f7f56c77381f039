import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execute, killChildren } from '../../../src/process/runner.js'

// Its own file: ending the run is for the rest of the process (jest gives each file a fresh module).
describe('a run that is ending', () => {
  it("starts no tool after it but a clean-up's: a stage going on to its next tool writes nothing into the folder being removed", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ending-'))
    const touch = (name: string) => ({ program: 'touch', args: [path.join(dir, name)] })
    await execute(touch('before'), { quiet: true })
    killChildren()
    const late = await execute(touch('late'), { quiet: true, allowFailure: true })
    expect(late.code).toBe(137)
    expect(late.stderr).toBe('not started: the run is ending')
    await expect(execute(touch('thrown'), { quiet: true })).rejects.toThrow(/failed with exit code 137/)
    await execute(touch('cleanup'), { quiet: true, cleanup: true })
    expect(['before', 'late', 'thrown', 'cleanup'].filter(name => existsSync(path.join(dir, name)))).toEqual(['before', 'cleanup'])
  })
})
