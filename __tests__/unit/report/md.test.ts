import { execFileSync, spawnSync } from 'node:child_process'
import type { Attribution } from '../../../src/compare/changes.js'
import { renderMerged } from '../../../src/merge/render.js'
import { renderMarkdown } from '../../../src/report/markdown.js'
import { code, codeCell, fence, htmlText, link, prose } from '../../../src/report/md.js'
import type { Report } from '../../../src/report/model.js'
import { sampleReport } from '../report-fixture.js'

describe('the Markdown writer', () => {
  it.each([
    ['plain', 'v1.2.3', '`v1.2.3`'],
    ['a backtick inside', 'a`b', '``a`b``'],
    ['backticks at both ends', '`x`', '`` `x` ``'],
    ['a line break', 'a\nb\r\nc', '`a b  c`'],
    ['nothing', '', '` `']
  ])('code spans hold %s', (_, value, expected) => expect(code(value)).toBe(expected))

  it('escapes pipes in a table cell, cuts long values', () => {
    expect(codeCell('a|b')).toBe('`a\\|b`')
    expect(code('x'.repeat(300), 10)).toBe('`xxxxxxxxxx… (300 characters)`')
  })

  it('fences text no line of it can close, inside an alert too', () => {
    expect(fence('a\n```\nb', '> ')).toBe('> ````text\n> a\n> ```\n> b\n> ````')
  })

  it('keeps prose readable: only what could start markup is escaped', () => {
    expect(prose('linux/amd64 grew by 3.86%, max-size 50MB')).toBe('linux/amd64 grew by 3.86%, max-size 50MB')
    expect(prose('[l](https://x.example) <b> *a* @acme-team #12 www.x.example')).toBe(
      '\\[l\\](https\\://x.example) \\<b> \\*a\\* @\u200bacme-team #\u200b12 www\\.x.example'
    )
    expect(prose('# heading\n1. item\n- item')).toBe('\\#\u200b heading\n1\\. item\n\\- item')
  })

  it('writes HTML text as entities, and links only to URLs that cannot end the link', () => {
    expect(htmlText('<img src=x> & @team')).toBe('&#60;img src=x&#62; &#38; @\u200bteam')
    expect(link('run', 'https://github.com/a/b/actions/runs/1')).toBe('[run](https://github.com/a/b/actions/runs/1)')
    expect(link('run', 'https://x.example/a) [b')).toBe('run')
    expect(link('run', 'javascript:alert(1)')).toBe('run')
  })
})

// Values a pull request, a cache entry or a report file can plant: links, images, HTML, mentions, a fake marker.
const PLANT = '[l](https://attacker.example) ![i](https://attacker.example/i.png) <b>bold</b> <img src=x> @acme-team #1 <!-- go-slim-image:x -->'

function hostileReport(): Report {
  const modules = [{ path: `example.com/lib ${PLANT}`, change: 'changed' as const, from: 'v1.0.0', to: `v1.0.0 => ./lib ${PLANT}` }]
  const row = { key: `example.com/app/pkg${PLANT}`, kind: 'package' as const, base: 1, head: 2, delta: 1, embeddedDelta: 0, isNew: true }
  const main = { ...row, key: `example.com/app ${PLANT}`, kind: 'main' as const, packages: [row] }
  const split = { binary: 10, explained: 2, rows: [], info: { mainPackage: 'x', mainModule: 'x', deps: [] } }
  const attribution: Attribution = {
    platform: 'linux/amd64',
    head: split,
    base: split,
    modules,
    rows: { top: [main, row], rest: { rows: 0, delta: 0 } },
    note: PLANT
  }
  return {
    ...sampleReport,
    version: { ...sampleReport.version, version: `v1\`${PLANT}`, replaced: { variable: 'main.Version', value: PLANT } },
    finalStage: PLANT,
    goVersion: PLANT,
    goBuild: `go build -ldflags=${PLANT}`,
    smoke: { args: ['version', PLANT], stdout: `${PLANT}\n\`\`\`\n${PLANT}`, stderr: PLANT },
    failures: [`smoke test: x exited with 3:\n${PLANT}\n\`\`\`\n${PLANT}`],
    warnings: [`a warning quoting ${PLANT}\nand a second line ${PLANT}`],
    binaries: [{ ...sampleReport.binaries[0], upxDeclined: PLANT }],
    attribution: [attribution],
    compression: PLANT,
    baseline: {
      source: 'cache',
      ref: 'a'.repeat(40),
      link: 'https://github.com/acme/hello/commit/' + 'a'.repeat(40),
      run: 'https://github.com/acme/hello/actions/runs/7',
      goVersion: PLANT,
      error: PLANT,
      detail: `${PLANT}\n\`\`\`\n${PLANT}`,
      images: [{ platform: 'linux/amd64', wire: 1 }]
    },
    gate: { result: 'fail', failures: [PLANT], skipped: [PLANT], checked: 1, limits: PLANT }
  }
}

/** What GitHub's renderer makes of the Markdown, raw HTML kept (GitHub's sanitizer would drop some, not all of it). */
function renderGfm(markdown: string): string {
  return execFileSync('cmark-gfm', ['--unsafe', '-e', 'table', '-e', 'autolink', '-e', 'strikethrough', '-e', 'tasklist'], {
    input: markdown,
    encoding: 'utf8'
  })
}

/** The rendered text outside code, where GitHub links @mentions and #references. */
const textOutsideCode = (html: string) => html.replace(/<pre[\s\S]*?<\/pre>|<code>[\s\S]*?<\/code>/g, '').replace(/<[^>]+>/g, '')

describe('a report holding hostile values, rendered by cmark-gfm', () => {
  beforeAll(() => {
    if (spawnSync('cmark-gfm', ['--version']).status !== 0) throw new Error('cmark-gfm is not installed: .ci/setup-machine.sh installs it')
  })

  it.each([
    ['the comment and the summary', () => renderMarkdown(hostileReport())],
    ['the merged comment of two images', () => renderMerged([hostileReport(), { ...hostileReport(), image: 'acme/other', tags: [`acme/other:${PLANT}`] }])]
  ])('%s: no link, image, HTML or mention comes from the values', (_, render) => {
    const markdown = render()
    const html = renderGfm(markdown)
    const links = [...html.matchAll(/<a href="([^"]*)"/g)].map(m => m[1])
    expect(links.filter(href => !href.startsWith('https://github.com/acme/hello/'))).toEqual([])
    expect(html).not.toMatch(/<img|<b>|<!--/)
    const tags = new Set([...html.matchAll(/<\/?([a-z0-9]+)/g)].map(m => m[1]))
    for (const tag of tags)
      expect([
        'p',
        'h3',
        'h4',
        'strong',
        'code',
        'pre',
        'a',
        'ul',
        'li',
        'blockquote',
        'table',
        'thead',
        'tbody',
        'tr',
        'th',
        'td',
        'details',
        'summary'
      ]).toContain(tag)
    expect(textOutsideCode(html)).not.toMatch(/@acme-team|#1\b/)
    // The values are still there, as text.
    expect(html).toContain('attacker.example')
  })
})
