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
const escape = (s) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

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

// HTML: a timeline of the stages (bars to scale) and the facts.
const total = stages.reduce((sum, s) => sum + (s.seconds || 0), 0) || 1
let offset = 0
const bars = stages
  .map((s) => {
    const left = (offset / total) * 100
    const width = Math.max(((s.seconds || 0) / total) * 100, 0.5)
    offset += s.seconds || 0
    return (
      `<tr><td>${escape(s.name)}</td><td class="${escape(s.status.replace(' ', '-'))}">${escape(s.status)}</td>` +
      `<td>${s.seconds ? `${s.seconds}s` : ''}</td><td class="track"><span style="margin-left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></span></td></tr>`
    )
  })
  .join('\n')
const coverage = Number(out('ci-test', 'coverage'))
const coverageBar =
  Number.isFinite(coverage) && out('ci-test', 'coverage')
    ? `<h2>Coverage</h2><div class="meter"><span style="width:${coverage}%"></span></div><p>${coverage} %</p>`
    : ''
const link = (v) =>
  /^https?:\/\//.test(v) ? `<a href="${escape(v)}">${escape(v)}</a>` : escape(v)
const rows = facts
  .map(([k, v]) => `<tr><th>${escape(k)}</th><td>${link(v)}</td></tr>`)
  .join('\n')
const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>shipyard demo report</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem .5rem;border-bottom:1px solid #eee;text-align:left}
.track{width:45%}.track span{display:block;height:.9rem;background:#4a7bd0;border-radius:2px}
.success{color:#17803d}.failure{color:#b42318}.skipped,.not-run{color:#888}
.meter{background:#eee;height:1rem;width:100%;border-radius:3px}.meter span{display:block;height:100%;background:#17803d;border-radius:3px}
</style></head><body>
<h1>shipyard demo report</h1>
<p>Generated ${escape(new Date().toISOString())}</p>
<h2>Timeline</h2>
<table id="timeline">${bars}</table>
${coverageBar}
<h2>Results</h2>
<table id="results">${rows}</table>
</body></html>
`
fs.writeFileSync(path.join(dir, 'report.html'), html)
