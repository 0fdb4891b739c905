// The end of `make demo`: a short report of what ran, printed and written as
// <dir>/report.html (timeline, coverage, deploy, links), from the
// <action>.json files of run-action.mjs and foundation.env.
//
//   node scripts/demo/report.mjs <dir>
import * as fs from 'node:fs'
import * as path from 'node:path'

const dir = process.argv[2]
if (!dir) {
  process.stderr.write('usage: report.mjs <dir>\n')
  process.exit(2)
}
const ORDER = [
  'ci-test',
  'sphinx-docs',
  'docker-publish',
  'render-deploy',
  'sentry-verify'
]

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}
function readEnv(file) {
  const env = {}
  if (!fs.existsSync(file)) return env
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return env
}

const foundation = readEnv(path.join(dir, 'foundation.env'))
const extra = readEnv(path.join(dir, 'demo.env'))
const stages = []
if (foundation.DEMO_BUILD_SECONDS) {
  stages.push({
    name: 'foundation: image build',
    status: 'success',
    seconds: Number(foundation.DEMO_BUILD_SECONDS)
  })
  stages.push({
    name: 'foundation: run → /health',
    status: 'success',
    seconds: Number(foundation.DEMO_READY_SECONDS)
  })
}
if (extra.DEMO_PUSH_SECONDS)
  stages.push({
    name: 'push to the registry (podman)',
    status: 'success',
    seconds: Number(extra.DEMO_PUSH_SECONDS)
  })
const results = {}
for (const name of ORDER) {
  const result = readJson(path.join(dir, `${name}.json`))
  if (result) {
    results[name] = result
    stages.push({ name, status: result.status, seconds: result.seconds })
  } else {
    stages.push({
      name,
      status: extra[`DEMO_SKIP_${name.toUpperCase().replace(/-/g, '_')}`]
        ? 'skipped'
        : 'not run',
      seconds: 0
    })
  }
}
const out = (name, key) => results[name]?.outputs?.[key] ?? ''
const facts = [
  [
    'tests',
    out('ci-test', 'tests') &&
      `${out('ci-test', 'tests')} run, ${out('ci-test', 'failures') || 0} failed`
  ],
  ['coverage', out('ci-test', 'coverage') && `${out('ci-test', 'coverage')} %`],
  [
    'docs',
    out('sphinx-docs', 'pages') &&
      `${out('sphinx-docs', 'pages')} pages, ${out('sphinx-docs', 'warnings') || 0} warnings`
  ],
  [
    'Read the Docs',
    out('sphinx-docs', 'rtd-status') &&
      `${out('sphinx-docs', 'rtd-status')} ${out('sphinx-docs', 'rtd-url')}`
  ],
  ['image', out('docker-publish', 'image-ref') || extra.DEMO_IMAGE_REF],
  [
    'deploy',
    out('render-deploy', 'status') &&
      `${out('render-deploy', 'status')} (${out('render-deploy', 'deploy-id')}, ${out('render-deploy', 'duration')}s)`
  ],
  ['deploy URL', out('render-deploy', 'service-url')],
  ['Sentry event', out('sentry-verify', 'event-url')],
  [
    'Sentry latency',
    out('sentry-verify', 'latency-seconds') &&
      `${out('sentry-verify', 'latency-seconds')}s`
  ],
  ['Sentry verified', out('sentry-verify', 'verified')],
  ['total', extra.DEMO_TOTAL_SECONDS && `${extra.DEMO_TOTAL_SECONDS}s`]
].filter(([, v]) => v)

// Terminal.
const lines = ['', 'shipyard demo report', '']
for (const s of stages)
  lines.push(
    `  ${s.name.padEnd(32)} ${s.status.padEnd(8)} ${s.seconds ? `${s.seconds}s` : ''}`
  )
lines.push('')
for (const [k, v] of facts) lines.push(`  ${k.padEnd(16)} ${v}`)
lines.push('', `  HTML report: ${path.join(dir, 'report.html')}`, '')
process.stdout.write(lines.join('\n') + '\n')

// The deploy's status changes, from render-deploy's log lines
// `HH:MM:SS UTC (+1.0 s) deploy dep-…: live` and its health check.
function deployEvents(file) {
  if (!fs.existsSync(file)) return []
  const events = []
  let last = 0
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const status = /\(\+([\d.]+) s\) deploy \S+: ([\w-]+)/.exec(line)
    if (status) {
      last = Number(status[1])
      events.push({ seconds: last, label: status[2] })
    }
    const health = /(\S+) answered (\d{3})/.exec(line)
    if (health && events.length)
      events.push({ seconds: last, label: `health check ${health[2]}` })
  }
  return events
}

// HTML: the data as JSON, drawn by the page's own script as SVG charts (a
// timeline of the stages, the coverage, the deploy's timeline) and a table
// of results with links. Nothing is loaded from elsewhere; when every chart
// is drawn the script sets data-rendered="true" on <html>.
let startAt = 0
const data = {
  generated: new Date().toISOString(),
  stages: stages.map((s) => {
    const stage = { ...s, start: startAt }
    startAt += s.seconds || 0
    return stage
  }),
  coverage: out('ci-test', 'coverage')
    ? Number(out('ci-test', 'coverage'))
    : null,
  threshold: 80,
  deploy: {
    id: out('render-deploy', 'deploy-id'),
    status: out('render-deploy', 'status'),
    events: deployEvents(path.join(dir, 'render-deploy.log'))
  },
  facts
}
// Inside <script>, `<` would let the text close the element: escaped.
const json = JSON.stringify(data).replace(/</g, '\\u003c')
const html = `<!doctype html>
<html lang="en" data-rendered="false"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>shipyard demo report</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem .5rem;border-bottom:1px solid #eee;text-align:left;overflow-wrap:anywhere}th{width:9rem}
svg{display:block;width:100%;height:auto}svg text{font:12px system-ui,sans-serif;fill:#222}
.bar-success{fill:#4a7bd0}.bar-failure{fill:#b42318}.bar-skipped,.bar-not-run{fill:#bbb}
.axis{stroke:#999}.threshold{stroke:#b42318;stroke-dasharray:4 3}
</style></head><body>
<h1>shipyard demo report</h1>
<p id="generated"></p>
<h2>Timeline</h2>
<div id="timeline" class="chart"></div>
<h2>Coverage</h2>
<div id="coverage" class="chart"></div>
<h2>Deploy timeline</h2>
<div id="deploy" class="chart"></div>
<h2>Results</h2>
<table id="results"></table>
<script type="application/json" id="report-data">${json}</script>
<script>
'use strict'
const data = JSON.parse(document.getElementById('report-data').textContent)
const NS = 'http://www.w3.org/2000/svg'
function el(name, attrs, text) {
  const node = document.createElementNS(NS, name)
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v))
  if (text !== undefined) node.textContent = text
  return node
}
function svg(width, height, id) {
  return el('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', id: id })
}
function timeline() {
  const rows = data.stages, W = 900, left = 230, right = 60, rowH = 26
  const total = rows.reduce((sum, s) => sum + (s.seconds || 0), 0) || 1
  const chart = svg(W, rows.length * rowH + 30, 'timeline-chart')
  const scale = (W - left - right) / total
  rows.forEach((s, i) => {
    const y = i * rowH + 4
    chart.append(el('text', { x: 0, y: y + 14 }, s.name + ' (' + s.status + ')'))
    const bar = el('rect', {
      class: 'bar bar-' + s.status.replace(' ', '-'), x: left + s.start * scale,
      y: y, height: rowH - 8, width: Math.max((s.seconds || 0) * scale, 2)
    })
    bar.append(el('title', {}, s.name + ': ' + (s.seconds || 0) + ' s'))
    chart.append(bar)
    if (s.seconds)
      chart.append(el('text', { x: left + (s.start + s.seconds) * scale + 4, y: y + 14 }, s.seconds + ' s'))
  })
  const axisY = rows.length * rowH + 8
  chart.append(el('line', { class: 'axis', x1: left, x2: W - right, y1: axisY, y2: axisY }))
  chart.append(el('text', { x: left, y: axisY + 16 }, '0 s'))
  chart.append(el('text', { x: W - right - 40, y: axisY + 16 }, total.toFixed(1) + ' s'))
  return chart
}
function coverage() {
  if (data.coverage === null) {
    const p = document.createElement('p')
    p.textContent = 'ci-test did not run: no coverage.'
    return p
  }
  const W = 900, H = 54, pct = Math.max(0, Math.min(100, data.coverage))
  const chart = svg(W, H, 'coverage-chart')
  chart.append(el('rect', { x: 0, y: 4, width: W, height: 24, fill: '#eee' }))
  chart.append(el('rect', {
    class: 'bar', x: 0, y: 4, height: 24, width: (W * pct) / 100,
    fill: pct >= data.threshold ? '#17803d' : '#b42318'
  }))
  const tx = (W * data.threshold) / 100
  chart.append(el('line', { class: 'threshold', x1: tx, x2: tx, y1: 0, y2: 32 }))
  chart.append(el('text', { x: tx + 4, y: 46 }, 'threshold ' + data.threshold + ' %'))
  chart.append(el('text', { x: 4, y: 46 }, 'coverage ' + data.coverage + ' %'))
  return chart
}
function deploy() {
  const events = data.deploy.events
  if (!events.length) {
    const p = document.createElement('p')
    p.textContent = 'No deploy in this run.'
    return p
  }
  const W = 900, H = 40 + events.length * 18, left = 20, right = 200
  const end = Math.max(...events.map((e) => e.seconds)) || 1
  const chart = svg(W, H, 'deploy-chart')
  const x = (t) => left + (t / end) * (W - left - right)
  chart.append(el('line', { class: 'axis', x1: left, x2: W - right, y1: 20, y2: 20 }))
  events.forEach((e, i) => {
    const point = el('circle', { class: 'event', cx: x(e.seconds), cy: 20, r: 6, fill: '#4a7bd0' })
    point.append(el('title', {}, e.label + ' at +' + e.seconds + ' s'))
    chart.append(point)
    chart.append(el('text', { x: x(e.seconds) + 8, y: 40 + i * 18 }, '+' + e.seconds + ' s ' + e.label))
  })
  return chart
}
function results() {
  const table = document.getElementById('results')
  for (const [key, value] of data.facts) {
    const row = table.insertRow()
    const th = document.createElement('th')
    th.textContent = key
    row.append(th)
    const cell = row.insertCell()
    // Words that are web addresses become links.
    value.split(' ').forEach((word, i) => {
      if (i) cell.append(' ')
      if (word.startsWith('http://') || word.startsWith('https://')) {
        const a = document.createElement('a')
        a.href = word
        a.textContent = word
        cell.append(a)
      } else cell.append(word)
    })
  }
}
document.getElementById('generated').textContent = 'Generated ' + data.generated
document.getElementById('timeline').append(timeline())
document.getElementById('coverage').append(coverage())
document.getElementById('deploy').append(deploy())
results()
document.documentElement.dataset.rendered = 'true'
</script>
</body></html>
`
fs.writeFileSync(path.join(dir, 'report.html'), html)
