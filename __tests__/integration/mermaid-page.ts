import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT } from './harness.js'

/**
 * What a reader sees of a Mermaid block: Debian's chromium, headless, loads the pinned Mermaid library (the npm
 * package, as GitHub's renderer loads its own) on a page holding the block, and gives back the SVG it drew.
 */

export function requireChromium(): void {
  if (spawnSync('chromium', ['--version']).status !== 0) throw new Error('chromium is not installed: .ci/setup-machine.sh installs it')
}

/** The page's DOM once Mermaid has drawn `block` (the text between the fences), or the error it gave. */
export function drawMermaid(block: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mermaid-page-'))
  try {
    const library = path.join(ROOT, 'node_modules/mermaid/dist/mermaid.min.js')
    const page = path.join(dir, 'page.html')
    writeFileSync(
      page,
      [
        '<!doctype html><html><body><pre id="chart"></pre>',
        `<script src="file://${library}"></script>`,
        '<script>',
        // The block as text, never as markup: JSON is a JavaScript string literal, and < cannot close the script.
        `document.getElementById('chart').textContent = ${JSON.stringify(block).replace(/</g, '\\u003c')};`,
        "mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });",
        "mermaid.run({ querySelector: '#chart' }).then(() => document.body.setAttribute('data-drawn', 'yes'), e => document.body.setAttribute('data-error', String(e)));",
        '</script></body></html>'
      ].join('\n')
    )
    const dom = execFileSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--user-data-dir=${path.join(dir, 'profile')}`,
        '--virtual-time-budget=20000',
        '--dump-dom',
        `file://${page}`
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 }
    )
    const error = /data-error="([^"]*)"/.exec(dom)?.[1]
    if (error || !dom.includes('data-drawn="yes"')) throw new Error(`Mermaid drew nothing: ${error ?? dom.slice(0, 500)}`)
    return dom.slice(dom.indexOf('<svg'), dom.lastIndexOf('</svg>') + 6)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A group's inner markup by its class (the first one), up to its matching end. */
function group(svg: string, className: string): string {
  const start = svg.indexOf(`<g class="${className}"`)
  if (start < 0) return ''
  let depth = 0
  for (const tag of svg.slice(start).matchAll(/<g[\s>]|<\/g>/g)) {
    depth += tag[0] === '</g>' ? -1 : 1
    if (depth === 0) return svg.slice(start, start + tag.index)
  }
  return svg.slice(start)
}

const texts = (markup: string) => [...markup.matchAll(/<text[^>]*translate\(([\d.-]+),\s*([\d.-]+)\)[^>]*>([^<]*)<\/text>/g)]

export interface DrawnChart {
  /** The x axis' labels, as drawn (entities decoded). */
  labels: string[]
  /** Each bar's value, read off the y axis from its top. */
  bars: number[]
  /** The line's values, read off the y axis, one per vertex. */
  line: number[]
  /** The y axis starts at 0: a bar's height is its value. */
  fromZero: boolean
}

const decode = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

/**
 * The chart as a reader reads it: labels, and values measured on the value axis' own ticks. Upright, the values go
 * up the left axis and a bar's top is its value; sideways (`horizontal`), they go along the top axis, the labels down
 * the left, and a bar's right end is its value.
 */
export function readChart(svg: string): DrawnChart & { sideways: boolean } {
  const sideways = svg.includes('<g class="top-axis"')
  const coordinate = (t: RegExpMatchArray) => Number(sideways ? t[1] : t[2])
  const ticks = texts(group(svg, sideways ? 'top-axis' : 'left-axis'))
    .map(t => ({ at: coordinate(t), value: Number(t[3]) }))
    .filter(t => Number.isFinite(t.value))
  if (ticks.length < 2) throw new Error('the chart has no value axis')
  const [a, b] = [ticks[0], ticks.at(-1)!]
  const valueAt = (at: number) => a.value + ((at - a.at) * (b.value - a.value)) / (b.at - a.at)
  const rects = [...group(svg, 'bar-plot-0').matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"/g)]
  const bars = rects.map(r => valueAt(sideways ? Number(r[1]) + Number(r[3]) : Number(r[2])))
  const d = /<path d="([^"]+)"/.exec(group(svg, 'line-plot-1'))?.[1] ?? ''
  const line = [...d.matchAll(/[ML]\s*([\d.]+),\s*([\d.]+)/g)].map(m => valueAt(Number(sideways ? m[1] : m[2])))
  const labels = texts(group(svg, sideways ? 'left-axis' : 'bottom-axis')).map(t => decode(t[3]))
  return { labels, bars, line, fromZero: ticks.some(t => t.value === 0), sideways }
}
