#!/usr/bin/env node
// make bench: runs every bench/*.bench.mjs in turn (each measures one thing
// against its reference in the same run and writes bench/results/<name>.json
// as {rows: [{name, figure, unit, target, pass, note?}]}), then prints one
// table of every row and writes bench/results/summary.json.
//
//   node bench/run.mjs [name ...]                only the named benchmarks
//   BENCH_FAST=1 node bench/run.mjs [--junit <file>] [name ...]
//
// Fast mode (make test-bench, part of make test): each benchmark runs once on
// its smallest sizes (BENCH_FAST=1 is passed on) so that its code cannot rot;
// no target is judged. A benchmark passes when it exits 0 within its time
// limit and wrote a fresh results file with at least one well-formed row.
// The results of a real `make bench` are kept: each file is moved aside for
// the fast run and put back afterwards. `--junit <file>` writes one test
// case per benchmark, for scripts/test-summary.mjs.
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FAST, verdict } from './lib.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const results = join(here, 'results')
const args = process.argv.slice(2)
const junitAt = args.indexOf('--junit')
const junitFile = junitAt >= 0 ? args[junitAt + 1] : undefined
if (junitAt >= 0 && !junitFile) {
  process.stderr.write('bench/run.mjs: --junit needs a file name\n')
  process.exit(2)
}
const wanted = args.filter((_, i) => i !== junitAt && i !== junitAt + 1)
const known = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.replace(/\.bench\.mjs$/, ''))
  .sort()
const unknown = wanted.filter((name) => !known.includes(name))
if (unknown.length > 0) {
  process.stderr.write(
    `bench/run.mjs: no benchmark ${unknown.join(', ')}; there are: ${known.join(', ')}\n`
  )
  process.exit(2)
}
const benches = known.filter(
  (name) => wanted.length === 0 || wanted.includes(name)
)
// A fast run that takes longer than this is broken (make test stays short).
const FAST_LIMIT_MS = 5 * 60_000

/** Why a results file is not a well-formed table, or undefined. */
function malformed(data) {
  if (!data || !Array.isArray(data.rows) || data.rows.length === 0)
    return 'no rows'
  for (const row of data.rows) {
    if (typeof row.name !== 'string' || !row.name) return 'a row has no name'
    if (typeof row.figure !== 'number' || !Number.isFinite(row.figure))
      return `row "${row.name}": figure ${JSON.stringify(row.figure)} is not a number`
    if (typeof row.target !== 'string') return `row "${row.name}" has no target`
  }
  return undefined
}

mkdirSync(results, { recursive: true })
const rows = []
const cases = []
for (const name of benches) {
  process.stdout.write(`\n== bench/${name}${FAST ? ' (fast)' : ''}\n`)
  const file = join(results, `${name}.json`)
  const kept = join(results, `${name}.json.kept`)
  if (FAST && existsSync(file)) renameSync(file, kept)
  else rmSync(file, { force: true })
  const started = Date.now()
  const result = spawnSync(
    process.execPath,
    [join(here, `${name}.bench.mjs`)],
    {
      stdio: 'inherit',
      env: FAST ? { ...process.env, BENCH_FAST: '1' } : process.env,
      timeout: FAST ? FAST_LIMIT_MS : undefined
    }
  )
  const seconds = (Date.now() - started) / 1000
  let problem
  let data
  if (result.error) problem = result.error.message
  else if (result.status !== 0)
    problem = `exited with ${result.status ?? result.signal}`
  else if (!existsSync(file)) problem = `wrote no ${name}.json`
  else {
    try {
      data = JSON.parse(readFileSync(file, 'utf8'))
      problem = malformed(data)
    } catch (error) {
      problem = `${name}.json: ${error.message}`
    }
  }
  if (FAST) {
    rmSync(file, { force: true })
    if (existsSync(kept)) renameSync(kept, file)
  }
  process.stdout.write(
    `bench/${name}: ${problem ? `BROKEN (${problem})` : 'done'} in ${seconds.toFixed(1)} s\n`
  )
  cases.push({ name, seconds, problem })
  if (problem) {
    rows.push({
      bench: name,
      name: `(broken: ${problem})`,
      figure: '',
      unit: '',
      target: '',
      pass: false
    })
    continue
  }
  for (const row of data.rows) rows.push({ bench: name, ...row })
}

const line = (cells) => `| ${cells.join(' | ')} |`
process.stdout.write(
  '\n' +
    [
      line(['bench', 'measure', 'figure', 'target', 'result']),
      line(['---', '---', '---', '---', '---']),
      ...rows.map((r) =>
        line([
          r.bench,
          r.name,
          `${r.figure}${r.unit ? ` ${r.unit}` : ''}`,
          r.target,
          // Fast mode judges nothing, whatever a benchmark wrote.
          r.name.startsWith('(broken')
            ? 'BROKEN'
            : verdict(FAST ? null : r.pass)
        ])
      )
    ].join('\n') +
    '\n'
)
const total = cases.reduce((sum, c) => sum + c.seconds, 0)
const broken = cases.filter((c) => c.problem).length
process.stdout.write(
  `${cases.length} benchmark(s) in ${total.toFixed(1)} s, ${broken} broken\n`
)
if (!FAST)
  writeFileSync(
    join(results, 'summary.json'),
    JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)
  )
if (junitFile) {
  const xml = (s) =>
    String(s).replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`)
  mkdirSync(dirname(junitFile), { recursive: true })
  writeFileSync(
    junitFile,
    [
      '<?xml version="1.0" encoding="utf-8"?>',
      `<testsuites><testsuite name="bench${FAST ? ' (fast)' : ''}" tests="${cases.length}" failures="${broken}" errors="0" skipped="0" time="${total.toFixed(3)}">`,
      ...cases.map(
        (c) =>
          `<testcase classname="bench" name="${xml(c.name)}" time="${c.seconds.toFixed(3)}">` +
          (c.problem
            ? `<failure message="${xml(c.problem)}">${xml(c.problem)}</failure>`
            : '') +
          '</testcase>'
      ),
      '</testsuite></testsuites>',
      ''
    ].join('\n')
  )
}
process.exit(broken ? 1 : 0)
