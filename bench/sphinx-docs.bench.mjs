#!/usr/bin/env node
// bench/sphinx-docs: the bundled action against the raw commands it stands
// for (sphinx-apidoc + sphinx-build -W --keep-going in a shell script) on
// shipyard's own docs, both with the repository's .venv, in the same run.
//
//   cold: no docs/_build, no docs/api (every document read and written)
//   warm: the same again with Sphinx's saved environment (doctrees) kept
//
// Targets: the action's overhead over the raw commands at most 5 % (cold and
// warm), and a warm build at most half a cold one. Each figure is the median
// of RUNS runs, cold and warm interleaved, action and raw alternated
// (BENCH_RUNS, default 5; fast mode, BENCH_FAST=1: one run, nothing judged).
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
  copyFileSync,
  existsSync,
  readdirSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import {
  FAST,
  bundleSnapshot,
  median,
  root,
  timed,
  writeResults
} from './lib.mjs'

// The bundle as it is now, safe from a rebuild during the run.
const bundle = await bundleSnapshot('sphinx-docs')
const RUNS = FAST ? 1 : Number(process.env['BENCH_RUNS'] ?? 5)
const python = join(root, '.venv', 'bin', 'python')
if (!existsSync(python)) {
  console.error('bench/sphinx-docs needs .venv: run bash scripts/python-env.sh')
  process.exit(1)
}

// A copy of what the docs need, so the repository's own docs/_build is untouched.
const workspace = mkdtempSync(join(tmpdir(), 'bench-sphinx-docs-'))
const skip = new Set([
  '_build',
  'api',
  '__pycache__',
  '.reports',
  'staticfiles'
])
for (const name of ['docs', 'sphinx_src', 'example']) {
  cpSync(join(root, name), join(workspace, name), {
    recursive: true,
    filter: (source) => !skip.has(basename(source))
  })
}
copyFileSync(join(root, 'package.json'), join(workspace, 'package.json'))
// The docs' reference pages are generated from every action.yml.
for (const action of readdirSync(join(root, 'actions'))) {
  const meta = join(root, 'actions', action, 'action.yml')
  if (!existsSync(meta)) continue
  mkdirSync(join(workspace, 'actions', action), { recursive: true })
  copyFileSync(meta, join(workspace, 'actions', action, 'action.yml'))
}
const runnerTemp = join(workspace, '.runner-temp')
mkdirSync(runnerTemp)

// The raw commands, as a user would write them in a workflow's run: step.
const script = join(workspace, 'raw.sh')
writeFileSync(
  script,
  [
    '#!/bin/sh',
    'set -e',
    `"${python}" -m sphinx.ext.apidoc --force -o docs/api sphinx_src '*/migrations/*' '*/tests/*'`,
    `"${python}" -m sphinx -b html -d docs/_build/doctrees -W --keep-going docs docs/_build/html`,
    ''
  ].join('\n')
)

function clean() {
  rmSync(join(workspace, 'docs', '_build'), { recursive: true, force: true })
  rmSync(join(workspace, 'docs', 'api'), { recursive: true, force: true })
}

const time = (command, args, env = {}) =>
  timed(command, args, { cwd: workspace, env: { ...process.env, ...env } })

const action = () => {
  const output = join(runnerTemp, 'output')
  writeFileSync(output, '')
  writeFileSync(join(runnerTemp, 'summary'), '')
  return time(process.execPath, [bundle], {
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary'),
    RUNNER_TEMP: runnerTemp,
    INPUT_PYTHON: python
  })
}
const raw = () => time('sh', [script])

const samples = { action: { cold: [], warm: [] }, raw: { cold: [], warm: [] } }
const contenders = [
  ['action', action],
  ['raw', raw]
]
try {
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 === 0 ? contenders : [...contenders].reverse()
    for (const [name, run] of order) {
      clean()
      samples[name].cold.push(run())
      samples[name].warm.push(run())
    }
    process.stdout.write('.')
  }
  process.stdout.write('\n')
} finally {
  rmSync(workspace, { recursive: true, force: true })
}

const m = {
  actionCold: median(samples.action.cold),
  actionWarm: median(samples.action.warm),
  rawCold: median(samples.raw.cold),
  rawWarm: median(samples.raw.warm)
}
const round = (n, digits = 2) => Number(n.toFixed(digits))
const ratio = (a, b) => round(a / b)
const rows = [
  {
    name: 'cold: action / raw commands',
    figure: ratio(m.actionCold, m.rawCold),
    unit: '×',
    target: '≤ 1.05',
    pass: m.actionCold / m.rawCold <= 1.05,
    note: `${round(m.actionCold / 1000)} s vs ${round(m.rawCold / 1000)} s`
  },
  {
    name: 'warm: action / raw commands',
    figure: ratio(m.actionWarm, m.rawWarm),
    unit: '×',
    target: '≤ 1.05',
    pass: m.actionWarm / m.rawWarm <= 1.05,
    note: `${round(m.actionWarm / 1000)} s vs ${round(m.rawWarm / 1000)} s`
  },
  {
    name: 'action: warm / cold',
    figure: ratio(m.actionWarm, m.actionCold),
    unit: '×',
    target: '≤ 0.5',
    pass: m.actionWarm / m.actionCold <= 0.5
  },
  {
    name: 'raw commands: warm / cold',
    figure: ratio(m.rawWarm, m.rawCold),
    unit: '×',
    target: '(reference)',
    pass: true
  }
]
writeResults('sphinx-docs', rows, { runs: RUNS, medians_ms: m })
