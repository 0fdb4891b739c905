import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { inflateSync } from 'node:zlib'

// The demo's HTML report (scripts/demo/report.mjs), rendered by a real
// headless Chromium from a saved real demo run (tests/report/fixtures/demo:
// the <action>.json files, foundation.env, demo.env and render-deploy.log
// that `make demo` left, with this machine's paths taken out): the page's
// script draws every chart, nothing fails, nothing is loaded from elsewhere,
// and the screenshot shows a page, not a blank one.
const root = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..'
)
const fixture = path.join(root, 'tests', 'report', 'fixtures', 'demo')
const chromium = ['chromium', 'chromium-browser'].find(
  (name) => spawnSync(name, ['--version'], { encoding: 'utf8' }).status === 0
)
const WIDTH = 1000
const HEIGHT = 1400
let dir = ''

/** Runs report.mjs on a copy of the fixture in a fresh directory. */
function report(into: string): { stdout: string; html: string } {
  fs.mkdirSync(into, { recursive: true })
  for (const file of fs.readdirSync(fixture))
    fs.copyFileSync(path.join(fixture, file), path.join(into, file))
  const run = spawnSync(
    process.execPath,
    [path.join(root, 'scripts', 'demo', 'report.mjs'), into],
    { encoding: 'utf8' }
  )
  if (run.status !== 0) throw new Error(`report.mjs failed: ${run.stderr}`)
  return {
    stdout: run.stdout,
    html: fs.readFileSync(path.join(into, 'report.html'), 'utf8')
  }
}

interface Browser {
  status: number | null
  stdout: string
  stderr: string
}
/** Headless Chromium on a file, with its log (console included) on stderr. */
function browse(file: string, ...args: string[]): Browser {
  if (!chromium) throw new Error('chromium is not installed: make tools')
  const profile = fs.mkdtempSync(path.join(dir, 'profile-'))
  const run = spawnSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      `--user-data-dir=${profile}`,
      '--enable-logging=stderr',
      '--v=0',
      // Every host name resolves to nothing: a page that reached out to
      // the network would log a failed load.
      '--host-resolver-rules=MAP * ~NOTFOUND',
      '--virtual-time-budget=5000',
      `--window-size=${WIDTH},${HEIGHT}`,
      ...args,
      pathToFileURL(file).href
    ],
    { encoding: 'utf8', timeout: 60_000 }
  )
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** The page's console messages and script errors in Chromium's log. */
const consoleLines = (log: string): string[] =>
  log.split('\n').filter((line) => /CONSOLE|Uncaught/.test(line))

/** Decodes an 8-bit RGB or RGBA, non-interlaced PNG into its pixels. */
function decodePng(png: Buffer): {
  width: number
  height: number
  pixel: (x: number, y: number) => number[]
} {
  expect(png.subarray(0, 8)).toEqual(
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  )
  let offset = 8
  let width = 0
  let height = 0
  let channels = 0
  const idat: Buffer[] = []
  while (offset < png.length) {
    const length = png.readUInt32BE(offset)
    const type = png.toString('latin1', offset + 4, offset + 8)
    const body = png.subarray(offset + 8, offset + 8 + length)
    if (type === 'IHDR') {
      width = body.readUInt32BE(0)
      height = body.readUInt32BE(4)
      const [depth, colorType, , , interlace] = body.subarray(8, 13)
      expect([depth, interlace]).toEqual([8, 0])
      channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0
      expect(channels).toBeGreaterThan(0)
    } else if (type === 'IDAT') idat.push(body)
    offset += 12 + length
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = Buffer.alloc(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[y * stride + i - channels] : 0
      const b = y > 0 ? pixels[(y - 1) * stride + i] : 0
      const c =
        i >= channels && y > 0 ? pixels[(y - 1) * stride + i - channels] : 0
      let predictor: number
      if (filter === 0) predictor = 0
      else if (filter === 1) predictor = a
      else if (filter === 2) predictor = b
      else if (filter === 3) predictor = (a + b) >> 1
      else if (filter === 4) {
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      } else throw new Error(`bad PNG filter ${filter}`)
      pixels[y * stride + i] = (line[i] + predictor) & 0xff
    }
  }
  return {
    width,
    height,
    pixel: (x, y) => [
      ...pixels.subarray(
        y * stride + x * channels,
        y * stride + x * channels + 3
      )
    ]
  }
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'))
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('the demo report', () => {
  it('prints the stages, the results and where the HTML is', () => {
    const { stdout } = report(path.join(dir, 'terminal'))
    expect(stdout).toMatch(/ci-test\s+success\s+17\.2s/)
    expect(stdout).toMatch(/coverage\s+100\.0 %/)
    expect(stdout).toMatch(/deploy\s+live \(dep-suskpf3i8ihtm04sf3mj, 3s\)/)
    expect(stdout).toMatch(/Sentry verified\s+true/)
    expect(stdout).toContain(path.join(dir, 'terminal', 'report.html'))
  })

  it('loads nothing from elsewhere: no external resource, a strict CSP', () => {
    const { html } = report(path.join(dir, 'static'))
    expect(html).not.toMatch(/<(script|img|iframe|link)\b[^>]*\b(src|href)=/i)
    expect(html).not.toMatch(/@import|url\(/i)
    expect(html).toContain(`content="default-src 'none';`)
  })

  it('draws every chart and the links in headless Chromium', () => {
    const into = path.join(dir, 'dom')
    report(into)
    const run = browse(path.join(into, 'report.html'), '--dump-dom')
    expect(run.status).toBe(0)
    const dom = run.stdout
    // The marker the page's script sets last, after every chart.
    expect(dom).toMatch(/<html lang="en" data-rendered="true">/)
    // Timeline: one bar per stage (7 in the fixture).
    const timeline = /<svg[^>]*id="timeline-chart"[\s\S]*?<\/svg>/.exec(dom)
    expect(timeline?.[0].match(/<rect class="bar bar-success"/g)).toHaveLength(
      7
    )
    expect(timeline?.[0]).toContain('render-deploy (success)')
    // Coverage: the bar and the threshold line.
    const coverage = /<svg[^>]*id="coverage-chart"[\s\S]*?<\/svg>/.exec(dom)
    expect(coverage?.[0]).toContain('coverage 100 %')
    expect(coverage?.[0]).toContain('class="threshold"')
    // Deploy timeline: created, update_in_progress, live, health check.
    const deploy = /<svg[^>]*id="deploy-chart"[\s\S]*?<\/svg>/.exec(dom)
    expect(deploy?.[0].match(/<circle class="event"/g)).toHaveLength(4)
    for (const label of [
      'created',
      'update_in_progress',
      'live',
      'health check 200'
    ])
      expect(deploy?.[0]).toContain(label)
    // Links: Read the Docs, the deployed app and the Sentry event.
    const links = [...dom.matchAll(/<a href="([^"]+)">/g)].map((m) => m[1])
    expect(links).toEqual([
      'http://127.0.0.1:40869/projects/shipyard-example/builds/1/',
      'http://127.0.0.1:33733',
      'http://127.0.0.1:45865/organizations/shipyard/issues/6000000002/events/b699e8749ee14b29873294c784e8b6bc/'
    ])
    // No console output and no script error from the page, and no load
    // that the host resolver refused.
    expect(consoleLines(run.stderr)).toEqual([])
    expect(run.stderr).not.toMatch(/ERR_NAME_NOT_RESOLVED|net::ERR_/)
  })

  it('notices a script error (the check can fail)', () => {
    const into = path.join(dir, 'broken')
    const { html } = report(into)
    const file = path.join(into, 'report.html')
    fs.writeFileSync(
      file,
      html.replace("'use strict'", "'use strict'\nnotDefined()")
    )
    const run = browse(file, '--dump-dom')
    expect(run.stdout).toMatch(/data-rendered="false"/)
    expect(consoleLines(run.stderr).join('\n')).toMatch(
      /Uncaught ReferenceError: notDefined is not defined/
    )
  })

  it('takes a screenshot of the right size that is not blank', () => {
    const into = path.join(dir, 'screenshot')
    report(into)
    const shot = path.join(into, 'report.png')
    const run = browse(path.join(into, 'report.html'), `--screenshot=${shot}`)
    expect(run.status).toBe(0)
    const image = decodePng(fs.readFileSync(shot))
    expect([image.width, image.height]).toEqual([WIDTH, HEIGHT])
    // Many colours (text, bars, the coverage bar), and the coverage bar's
    // green somewhere: a blank or unstyled page has neither.
    const colours = new Set<string>()
    let green = 0
    for (let y = 0; y < image.height; y += 2)
      for (let x = 0; x < image.width; x += 2) {
        const [r, g, b] = image.pixel(x, y)
        colours.add(`${r},${g},${b}`)
        if (r === 0x17 && g === 0x80 && b === 0x3d) green++
      }
    expect(colours.size).toBeGreaterThan(50)
    expect(green).toBeGreaterThan(1000)
  })
})
