#!/usr/bin/env node
// ci-test against the same work done by raw commands in a shell script, on
// a copy of example/, in the same run:
//
//   raw    python -m venv, pip install the requirements, flake8, pytest under
//          coverage (branch) with JUnit XML, coverage json + xml, check
//          --deploy, makemigrations --check: one after the other
//   cold   the bundled action with an empty environment cache
//   warm   the bundled action again, its environment cached
//
// "Cold" is a fresh runner: no environment cache. pip's own cache is left as
// the machine has it for both (here the package index sends responses pip
// does not cache, so both download every package each cold run).
//
// Figures are medians over ROUNDS rounds (default 3; BENCH_ROUNDS overrides),
// each round running raw, cold and warm in turn. Writes
// bench/results/ci-test.json.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.join(here, '..')
const bundle = path.join(root, 'actions', 'ci-test', 'dist', 'index.js')
// BENCH_FAST=1 (make test-bench): one round, so the code cannot rot.
const ROUNDS = Number(
  process.env.BENCH_ROUNDS || (process.env.BENCH_FAST === '1' ? 1 : 3)
)
const python = process.env.PYTHON || 'python3'

const RAW_SCRIPT = `set -eu
cd "$PROJECT"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off -q \\
  -r requirements-dev.txt -r requirements.txt
"$VENV/bin/python" -m flake8 .
export COVERAGE_FILE="$REPORTS/.coverage"
"$VENV/bin/python" -m coverage run --branch -m pytest -q -p no:cacheprovider \\
  --junitxml="$REPORTS/junit.xml" -o junit_family=xunit1
"$VENV/bin/python" -m coverage json -q -o "$REPORTS/coverage.json" || true
"$VENV/bin/python" -m coverage xml -q -o "$REPORTS/coverage.xml" || true
DEBUG=False DJANGO_ENV=production SECRET_KEY="$PROD_SECRET" \\
  "$VENV/bin/python" manage.py check --deploy --fail-level WARNING
"$VENV/bin/python" manage.py makemigrations --check --dry-run --noinput
`

function copyExample(workspace) {
  fs.cpSync(path.join(root, 'example'), path.join(workspace, 'example'), {
    recursive: true,
    filter: (source) =>
      !/(^|[\\/])(\.reports|\.pytest_cache|__pycache__|db\.sqlite3|staticfiles|\.env)$/.test(
        source
      )
  })
}

function timed(command, args, options) {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (result.status !== 0) {
    process.stderr.write(
      result.stdout.slice(-3000) + result.stderr.slice(-3000)
    )
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}`)
  }
  return seconds
}

function raw(tmp) {
  const workspace = fs.mkdtempSync(path.join(tmp, 'raw-'))
  copyExample(workspace)
  const reports = path.join(workspace, 'reports')
  fs.mkdirSync(reports)
  const script = path.join(workspace, 'raw.sh')
  fs.writeFileSync(script, RAW_SCRIPT)
  return timed('bash', [script], {
    env: {
      ...process.env,
      PROJECT: path.join(workspace, 'example'),
      VENV: path.join(workspace, 'venv'),
      REPORTS: reports,
      PYTHON: python,
      PROD_SECRET: randomBytes(48).toString('base64url')
    }
  })
}

function action(tmp, cacheDir) {
  const workspace = fs.mkdtempSync(path.join(tmp, 'action-'))
  copyExample(workspace)
  const runnerTemp = path.join(workspace, '.runner')
  fs.mkdirSync(runnerTemp)
  const output = path.join(runnerTemp, 'output')
  const summary = path.join(runnerTemp, 'summary')
  fs.writeFileSync(output, '')
  fs.writeFileSync(summary, '')
  return timed(process.execPath, [bundle], {
    cwd: workspace,
    env: {
      ...process.env,
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: runnerTemp,
      'INPUT_WORKING-DIRECTORY': 'example',
      'INPUT_CACHE-DIR': cacheDir,
      INPUT_PYTHON: python,
      INPUT_INSTALLER: 'pip'
    }
  })
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const round2 = (n) => Math.round(n * 100) / 100

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ci-test-'))
const times = { raw: [], cold: [], warm: [] }
try {
  for (let i = 1; i <= ROUNDS; i++) {
    const cacheDir = fs.mkdtempSync(path.join(tmp, 'cache-'))
    times.raw.push(raw(tmp))
    times.cold.push(action(tmp, cacheDir))
    times.warm.push(action(tmp, cacheDir))
    process.stdout.write(
      `round ${i}/${ROUNDS}: raw ${times.raw.at(-1).toFixed(1)} s, cold ${times.cold.at(-1).toFixed(1)} s, warm ${times.warm.at(-1).toFixed(1)} s\n`
    )
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true })
}

// Ratios are taken within each round (its runs are close in time, so they
// share the machine's load of the moment), then their median.
const raw50 = median(times.raw)
const cold50 = median(times.cold)
const warm50 = median(times.warm)
const coldRatio = round2(median(times.cold.map((t, i) => t / times.raw[i])))
const warmRatio = round2(median(times.warm.map((t, i) => t / times.cold[i])))
const note = `medians of ${ROUNDS}: raw ${raw50.toFixed(1)} s, cold ${cold50.toFixed(1)} s, warm ${warm50.toFixed(1)} s`
const rows = [
  {
    name: 'cold action / raw script',
    figure: coldRatio,
    unit: '×',
    target: '≤ 1.05',
    pass: coldRatio <= 1.05,
    note
  },
  {
    name: 'warm / cold',
    figure: warmRatio,
    unit: '×',
    target: '≤ 0.33',
    pass: warmRatio <= 0.33,
    note
  }
]
fs.mkdirSync(path.join(here, 'results'), { recursive: true })
fs.writeFileSync(
  path.join(here, 'results', 'ci-test.json'),
  JSON.stringify({ rows, times }, null, 2) + '\n'
)
for (const row of rows) {
  process.stdout.write(
    `${row.name}: ${row.figure} ${row.unit} (target ${row.target}) ${row.pass ? 'pass' : 'FAIL'}\n`
  )
}
process.stdout.write(`${note}\n`)
