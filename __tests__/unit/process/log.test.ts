import { couldCommand, guarded, ToolLog } from '../../../src/process/log.js'
import { runnerCommands } from '../../runner-log.js'

// What a pull request's program, or a file name in its go build errors, can print.
const HOSTILE = [
  '::warning::pwned',
  '   ::add-mask::Go',
  '\t::error file=main.go,line=1::fake annotation',
  '\u00a0::save-state name=workDir::/tmp/victim',
  '\u200b::stop-commands::',
  'output ##[error]legacy command, mid-line',
  '##[set-output name=digest]sha256:0',
  'ok\r::notice::after a carriage return',
  '::STOP-COMMANDS::x'
]

describe('the runner model the log is checked against', () => {
  it.each(HOSTILE)('is taken over by %j printed as it is: a command of its own, or ours lost', line => {
    const carried = runnerCommands(`${line}\n::error::ours\n`).map(c => `${c.name}:${c.data}`)
    expect(carried).not.toEqual(['error:ours'])
  })

  it('ignores everything between stop-commands and its token, and resumes after', () => {
    const log = '::stop-commands::abc\n::warning::inside\n::abc::\n::warning::after\n'
    expect(runnerCommands(log).map(c => c.data)).toEqual(['after'])
  })

  it('never resumes after an empty stop-commands token: the rest of the log would lose its commands', () => {
    expect(runnerCommands('::stop-commands::\n::error::ours\n')).toEqual([])
  })
})

describe('couldCommand', () => {
  it.each(HOSTILE)('finds a command the runner could read in %j', line => {
    expect(couldCommand(`first line\n${line}\nlast line`)).toBe(true)
  })

  it.each(['a::b', 'std::vector<int>', 'note: x::y', '# heading', '[x] done', 'go: downloading golang.org/x/net v0.1.0', '#[derive(Debug)]'])(
    'leaves %j alone',
    line => expect(couldCommand(line)).toBe(false)
  )
})

describe('guarded', () => {
  it('prints plain text as it is, one line end added', () => {
    expect(guarded('go: downloading x\nbuilt')).toBe('go: downloading x\nbuilt\n')
    expect(guarded('done\n')).toBe('done\n')
  })

  it('puts text the runner could act on between stop-commands markers; our own commands before and after still work', () => {
    const hostile = HOSTILE.join('\n')
    const log = `::warning::ours before\n${guarded(hostile)}::error::ours after\n`
    expect(runnerCommands(log).map(c => `${c.name}:${c.data}`)).toEqual(['warning:ours before', 'error:ours after'])
  })

  it('takes a fresh token every time, so text cannot end the block it is in', () => {
    const [a, b] = [guarded('::warning::x'), guarded('::warning::x')]
    const token = /^::stop-commands::([0-9a-f]{32})\n/.exec(a)![1]
    expect(b).not.toContain(token)
    expect(a.endsWith(`::${token}::\n`)).toBe(true)
  })
})

describe('ToolLog', () => {
  it('joins what a tool printed in pieces before judging it: a command split across chunks is still caught', () => {
    const printed: string[] = []
    const log = new ToolLog(text => printed.push(text))
    log.add('out', Buffer.from('building…\n##'))
    log.add('out', Buffer.from('[warning]split\n::add-'))
    log.add('err', Buffer.from('mask::Go'))
    log.end()
    expect(printed).toHaveLength(1)
    expect(runnerCommands(`${printed.join('')}::error::ours\n`).map(c => c.name)).toEqual(['error'])
  })

  it('ends every piece it prints with a line end, so the next piece starts a line of its own', async () => {
    const printed: string[] = []
    const log = new ToolLog(text => printed.push(text))
    log.add('out', Buffer.from('partial ##'))
    await new Promise(resolve => setTimeout(resolve, 120))
    log.add('out', Buffer.from('[warning]x'))
    log.end()
    expect(printed).toEqual(['partial ##\n', '[warning]x\n'])
    expect(runnerCommands(printed.join(''))).toEqual([])
  })

  it('keeps a character split between chunks whole', () => {
    const printed: string[] = []
    const log = new ToolLog(text => printed.push(text))
    const arrow = Buffer.from('→')
    log.add('out', arrow.subarray(0, 1))
    log.add('out', arrow.subarray(1))
    log.end()
    expect(printed).toEqual(['→\n'])
  })
})
