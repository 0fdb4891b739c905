#!/usr/bin/env node
// Cold start of every bundled action, as issue #10 defines it: from spawning
// the process to its first line of output, with all inputs valid and the
// first call to the outside world stubbed: every service URL points at a
// closed port of 127.0.0.1, and PATH holds nothing but node, so that the
// programs an action drives first (python and pip for ci-test and
// sphinx-docs, docker or podman for docker-publish) are not there either.
//
// Measured in the same run, in turns (one run of each subject per round, the
// medians of all rounds compared):
//   node   `node -e ...` writing one byte: the bare start of Node
//   floor  an empty action: @actions/core reading an input and writing a
//          line, bundled here, at bench time, by ncc with the options of
//          scripts/bundle.mjs, on our node_modules: @actions/core carries
//          patches/'s `"sideEffects": false`, so that ncc leaves out its
//          unused OIDC client and, with it, @actions/http-client and undici
//   stock  the same empty action on @actions/core as npm ships it: what any
//          ncc-bundled ESM action on it pays before its first line (undici
//          evaluated at start; actions/toolkit#1697)
//   each action, to three lines of its output:
//     first    its first line (`::group::Inputs`)
//     checked  the end of that group: every input read and checked
//     body     the next line, written by the action's body, loaded by
//              import() once the inputs were valid: about the moment of its
//              first outside call
// The process is killed there; its peak memory (GNU time, %M) is measured on
// a run of its own, to the stubbed call's first failure (see peakMiB).
// Sizes: the entry (dist/index.js) and every chunk loaded later, each.
//
// Every process gets the runner's variables only, never this machine's
// environment: NODE_EXTRA_CA_CERTS, set on some machines, makes Node read and
// parse a whole CA bundle at every start (~90 ms here), which swells the
// `node -e` side and makes every ratio look about half of what a runner sees.
import { spawn, spawnSync } from 'node:child_process'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FAST, freePort, median, root, round, writeResults } from './lib.mjs'

const RUNS = FAST ? 1 : Number(process.env.BENCH_RUNS ?? 15)
const TARGET_RATIO = 2
const TARGET_MIB = 55
const TARGET_MB = 2

const scratch = mkdtempSync(join(tmpdir(), 'cold-start-'))
const port = await freePort()
const closed = `http://127.0.0.1:${port}`

// ----------------------------------------------------------------- the world

/** PATH: node alone. */
const bin = join(scratch, 'bin')
mkdirSync(bin)
symlinkSync(process.execPath, join(bin, 'node'))

/** A tiny workspace every action's inputs can be valid on. */
const workspace = join(scratch, 'workspace')
const files = {
  'requirements.txt': 'django\n',
  'manage.py': 'import sys\n',
  'app/__init__.py': '',
  'app/settings.py': 'SECRET_KEY = "cold-start"\n',
  'app/tests.py': 'def test_start():\n    assert True\n',
  'docs/conf.py': 'project = "cold-start"\n',
  'docs/index.rst': 'Cold start\n==========\n',
  'docs/requirements.txt': 'sphinx\n',
  Dockerfile: 'FROM scratch\nCOPY requirements.txt /\n'
}
for (const [file, text] of Object.entries(files)) {
  mkdirSync(join(workspace, file, '..'), { recursive: true })
  writeFileSync(join(workspace, file), text)
}

/** Valid inputs of each action; every service at the closed port. */
const inputs = {
  'ci-test': {
    'django-settings': 'app.settings',
    requirements: 'requirements.txt',
    'coverage-threshold': '80',
    comment: 'never'
  },
  'docker-publish': {
    image: `127.0.0.1:${port}/shipyard/cold-start`,
    registry: `127.0.0.1:${port}`,
    username: 'cold',
    password: 'start-password',
    push: 'false',
    'dockerhub-api-url': closed
  },
  'render-deploy': {
    'service-id': 'srv-coldstart1',
    'api-key': 'rnd_coldstartkey1234',
    'render-api-url': `${closed}/v1`,
    'image-url': 'docker.io/acme/app:1.2.3',
    'github-deployment': 'false'
  },
  'sentry-verify': {
    'sentry-url': closed,
    'auth-token': 'sntryu_coldstart0123456789abcdef',
    org: 'acme',
    project: 'app',
    dsn: `http://0123456789abcdef0123456789abcdef@127.0.0.1:${port}/1`,
    release: 'app@1.2.3',
    'app-url': closed,
    'trigger-path': '/verify-sentry',
    'trigger-token': 'verify-token-1234'
  },
  'sphinx-docs': {
    'docs-dir': 'docs',
    requirements: 'docs/requirements.txt',
    'rtd-project': 'cold-start',
    'rtd-token': 'rtd-coldstart-token',
    'rtd-api-url': `${closed}/api/v3/`
  }
}

/** The runner's environment for one run: its own files, the inputs. */
function runnerEnv(action) {
  const dir = mkdtempSync(join(scratch, 'run-'))
  const env = {
    PATH: bin,
    HOME: dir,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: dir,
    RUNNER_OS: 'Linux',
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ACTION_PATH: join(root, 'actions', action),
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_SERVER_URL: closed,
    GITHUB_API_URL: closed,
    GITHUB_RUN_ID: '1',
    GITHUB_JOB: 'cold-start'
  }
  for (const name of ['output', 'state', 'env', 'summary'])
    writeFileSync(join(dir, name), '')
  for (const [key, value] of Object.entries(inputs[action] ?? {}))
    env[`INPUT_${key.replace(/ /g, '_').toUpperCase()}`] = value
  return { env, dir }
}

// ----------------------------------------------------------------- the floor

/**
 * node_modules for the stock empty action: our packages, linked, except
 * @actions/core, copied without the `sideEffects` field patches/ adds.
 */
function stockModules(dir) {
  const modules = join(dir, 'node_modules')
  const link = (from, to) => symlinkSync(from, to, 'dir')
  mkdirSync(modules, { recursive: true })
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry !== '@actions') {
      link(join(root, 'node_modules', entry), join(modules, entry))
      continue
    }
    mkdirSync(join(modules, entry))
    for (const pkg of readdirSync(join(root, 'node_modules', entry))) {
      const from = join(root, 'node_modules', entry, pkg)
      if (pkg !== 'core') link(from, join(modules, entry, pkg))
    }
  }
  const core = join(modules, '@actions', 'core')
  cpSync(join(root, 'node_modules', '@actions', 'core'), core, {
    recursive: true
  })
  const manifest = JSON.parse(readFileSync(join(core, 'package.json'), 'utf8'))
  delete manifest.sideEffects
  writeFileSync(join(core, 'package.json'), JSON.stringify(manifest))
}

/** The empty action, bundled like ours (scripts/bundle.mjs's ncc options). */
function buildFloor(stock = false) {
  const dir = join(scratch, stock ? 'stock-action' : 'empty-action')
  mkdirSync(join(dir, 'src'), { recursive: true })
  if (stock) stockModules(dir)
  else symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir')
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(
    join(dir, 'src', 'index.js'),
    "import * as core from '@actions/core'\n\n" +
      "core.info(`ready ${core.getInput('name')}`)\n"
  )
  const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc')
  const result = spawnSync(
    process.execPath,
    [
      join(ncc, 'cli.js'),
      'build',
      'src/index.js',
      '--out',
      'dist',
      '--source-map',
      '--no-source-map-register',
      '--minify',
      '--quiet'
    ],
    { cwd: dir, encoding: 'utf8' }
  )
  if (result.status !== 0)
    throw new Error(`bundling the empty action failed: ${result.stderr}`)
  return join(dir, 'dist', 'index.js')
}

// ----------------------------------------------------------------- measuring

/**
 * One run: ms from spawn to the first line, to the `::endgroup::` closing the
 * inputs' group and to the line after it; the process is killed then.
 */
function timedRun(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const ms = () => Number(process.hrtime.bigint() - started) / 1e6
    const child = spawn(process.execPath, args, {
      env,
      cwd: workspace,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const marks = {}
    let pending = ''
    let lines = []
    const onData = (chunk) => {
      marks.first ??= ms()
      pending += chunk
      const parts = pending.split('\n')
      pending = parts.pop()
      lines = lines.concat(parts)
      if (marks.checked === undefined) {
        const end = lines.indexOf('::endgroup::')
        if (end >= 0) marks.checked = ms()
        if (end >= 0 && lines.length > end + 1) marks.body = ms()
      } else if (marks.body === undefined) marks.body = ms()
      if (marks.body !== undefined) child.kill('SIGKILL')
    }
    child.stdout.setEncoding('utf8').on('data', onData)
    child.stderr.setEncoding('utf8').on('data', onData)
    child.once('error', reject)
    child.once('close', () => resolve({ ...marks, lines: [...lines, pending] }))
  })
}

/**
 * Peak resident memory in MiB, from GNU time, of a run up to its first
 * outside call's failure: it exits by itself (a program not found), or, when
 * it says it will try again (`attempt 2 of …`: the kit's HTTP client backs
 * off and retries a refused connection for some 20 s), it is killed there.
 */
function peakMiB(args, env) {
  return new Promise((resolve, reject) => {
    const time = spawn(
      '/usr/bin/time',
      ['-f', '%M', process.execPath, ...args],
      { env, cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let stdout = ''
    let stderr = ''
    let stopped = false
    time.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk
      if (stopped || !/ attempt 2 of \d+/.test(stdout)) return
      stopped = true
      // GNU time's only child is the node process.
      const children = readFileSync(
        `/proc/${time.pid}/task/${time.pid}/children`,
        'utf8'
      ).trim()
      for (const pid of children.split(/\s+/).filter(Boolean))
        process.kill(Number(pid), 'SIGKILL')
    })
    time.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
    time.once('error', reject)
    time.once('close', () => {
      const kib = Number(stderr.trim().split('\n').pop())
      resolve({ mib: kib / 1024, stopped, output: stdout })
    })
  })
}

const MB = (file) => statSync(file).size / 1e6
const KB = (file) => Math.round(statSync(file).size / 1e3)

/**
 * Why a chunk may pass TARGET_MB, by the package holding most of its bytes.
 * Only chunks loaded on the path that needs them qualify, never an entry.
 */
const OVERSIZE = {
  '@azure/storage-blob':
    "@actions/cache's transfer to and from the GitHub cache service goes through the Azure Storage SDK; loaded only when the runner offers that service"
}

/** The package holding most of a chunk's bytes, from its source map. */
function mainPackage(file) {
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'))
  const bytes = new Map()
  map.sources.forEach((source, i) => {
    const name =
      /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)?.[1] ?? '(ours)'
    bytes.set(
      name,
      (bytes.get(name) ?? 0) + (map.sourcesContent?.[i]?.length ?? 0)
    )
  })
  return [...bytes].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '(unknown)'
}

/** The entry and every other chunk of actions/<name>/dist, in MB. */
function bundleSizes(name) {
  const dist = join(root, 'actions', name, 'dist')
  const chunks = readdirSync(dist)
    .filter((f) => f.endsWith('.js') && f !== 'index.js')
    .map((f) => {
      const mb = MB(join(dist, f))
      const main = mb > TARGET_MB ? mainPackage(join(dist, f)) : undefined
      return { file: f, mb, main, why: main && OVERSIZE[main] }
    })
    .sort((a, b) => b.mb - a.mb)
  return { entry: MB(join(dist, 'index.js')), chunks }
}

// ----------------------------------------------------------------- the run

const actions = Object.keys(inputs).filter((name) =>
  statSync(join(root, 'actions', name, 'dist', 'index.js'), {
    throwIfNoEntry: false
  })
)
process.stdout.write(`bundling the empty action (reference)…\n`)
const floorBundle = buildFloor()
const stockBundle = buildFloor(true)
const subjects = [
  { name: 'node', args: ['-e', "process.stdout.write('x\\n')"] },
  { name: 'floor', args: [floorBundle] },
  { name: 'stock', args: [stockBundle] },
  ...actions.map((name) => ({
    name,
    args: [join(root, 'actions', name, 'dist', 'index.js')]
  }))
]
const times = Object.fromEntries(
  subjects.map((s) => [s.name, { first: [], checked: [], body: [] }])
)
const lastLines = {}
// One unmeasured round first: the file cache, and each action's first lines
// checked to be what is measured.
for (let round = 0; round <= RUNS; round++) {
  for (const subject of subjects) {
    const { env, dir } = runnerEnv(subject.name)
    const run = await timedRun(subject.args, env)
    rmSync(dir, { recursive: true, force: true })
    if (round === 0) {
      lastLines[subject.name] = run.lines.filter(
        (line) => !/^::(add-mask|debug)::/.test(line)
      )
      continue
    }
    for (const mark of ['first', 'checked', 'body'])
      if (run[mark] !== undefined) times[subject.name][mark].push(run[mark])
  }
}
for (const name of actions) {
  // Past its inputs: the line after their group is the body's, not an error.
  const lines = lastLines[name]
  const after = lines[lines.indexOf('::endgroup::') + 1] ?? ''
  if (times[name].body.length < RUNS || after.startsWith('::error::')) {
    process.stderr.write(lastLines[name].join('\n') + '\n')
    throw new Error(
      `${name} did not get past its inputs (its first lines are above)`
    )
  }
}

const med = (name, mark = 'first') => median(times[name][mark])
const node = med('node')
const floor = med('floor')
const rows = []
const memory = {}
const nodeMemory = (await peakMiB(subjects[0].args, runnerEnv('node').env)).mib
const floorMemory = (await peakMiB(subjects[1].args, runnerEnv('floor').env))
  .mib
const stock = med('stock')
const stockMemory = (await peakMiB(subjects[2].args, runnerEnv('stock').env))
  .mib
rows.push(
  {
    name: 'empty @actions/core action (floor): start → first line',
    figure: round(floor / node),
    unit: '× node',
    target: '—',
    pass: true,
    note: `${floor.toFixed(0)} ms vs ${node.toFixed(0)} ms; ${round(floorMemory, 1)} MiB (node ${round(nodeMemory, 1)} MiB); ${KB(floorBundle)} kB`
  },
  {
    name: 'empty action on stock @actions/core: start → first line',
    figure: round(stock / node),
    unit: '× node',
    target: '—',
    pass: true,
    note: `${stock.toFixed(0)} ms vs ${node.toFixed(0)} ms; ${round(stockMemory, 1)} MiB; ${KB(stockBundle)} kB: without patches/, undici is evaluated before the first line`
  }
)
const table = [
  [
    'subject',
    'first ms',
    '× node',
    '× floor',
    'checked ms',
    'body ms',
    'MiB',
    'entry MB',
    'later chunks MB'
  ]
]
table.push([
  'node -e',
  node.toFixed(1),
  '1.00',
  '',
  '',
  '',
  nodeMemory.toFixed(1),
  '',
  ''
])
table.push([
  'empty action',
  floor.toFixed(1),
  (floor / node).toFixed(2),
  '1.00',
  '',
  '',
  floorMemory.toFixed(1),
  MB(floorBundle).toFixed(2),
  ''
])
table.push([
  'empty, stock core',
  stock.toFixed(1),
  (stock / node).toFixed(2),
  (stock / floor).toFixed(2),
  '',
  '',
  stockMemory.toFixed(1),
  MB(stockBundle).toFixed(2),
  ''
])
for (const name of actions) {
  const { env } = runnerEnv(name)
  const peak = await peakMiB(subjects.find((s) => s.name === name).args, env)
  memory[name] = peak.mib
  const first = med(name)
  const ratio = first / node
  const sizes = bundleSizes(name)
  const biggest = Math.max(sizes.entry, ...sizes.chunks.map((c) => c.mb))
  const unexplained = sizes.chunks.filter((c) => c.mb > TARGET_MB && !c.why)
  const explained = sizes.chunks.filter((c) => c.mb > TARGET_MB && c.why)
  table.push([
    name,
    first.toFixed(1),
    ratio.toFixed(2),
    (first / floor).toFixed(2),
    med(name, 'checked').toFixed(1),
    med(name, 'body').toFixed(1),
    peak.mib.toFixed(1),
    sizes.entry.toFixed(2),
    sizes.chunks.map((c) => c.mb.toFixed(2)).join(' + ')
  ])
  rows.push(
    {
      name: `${name}: start → first line`,
      figure: round(ratio),
      unit: '× node',
      target: `≤ ${TARGET_RATIO}`,
      pass: ratio <= TARGET_RATIO,
      note: `${first.toFixed(0)} ms vs node ${node.toFixed(0)} ms, ${round(first / floor)}× the empty action; inputs checked at ${med(name, 'checked').toFixed(0)} ms, body running at ${med(name, 'body').toFixed(0)} ms`
    },
    {
      name: `${name}: peak memory`,
      figure: round(peak.mib, 1),
      unit: 'MiB',
      target: `≤ ${TARGET_MIB}`,
      pass: peak.mib <= TARGET_MIB,
      note: `run to the stubbed call's first failure (${peak.stopped ? 'killed at its first retry notice' : 'exited by itself'}); empty action ${round(floorMemory, 1)} MiB`
    },
    {
      name: `${name}: largest bundle file`,
      figure: round(biggest),
      unit: 'MB',
      target: `≤ ${TARGET_MB}`,
      pass: sizes.entry <= TARGET_MB && unexplained.length === 0,
      note:
        `entry ${round(sizes.entry)} MB; loaded later: ${sizes.chunks.map((c) => `${c.file} ${round(c.mb)} MB${c.main ? ` (mostly ${c.main})` : ''}`).join(', ') || 'none'}` +
        explained
          .map((c) => `; over ${TARGET_MB} MB because ${c.why}`)
          .join('') +
        unexplained
          .map(
            (c) => `; ${c.file} over ${TARGET_MB} MB with no reason in OVERSIZE`
          )
          .join('')
    }
  )
}
const widths = table[0].map((_, i) =>
  Math.max(...table.map((r) => r[i].length))
)
for (const row of table)
  process.stdout.write(
    row
      .map((cell, i) => cell.padStart(i ? widths[i] : 0).padEnd(widths[i]))
      .join('  ') + '\n'
  )
process.stdout.write(`(${RUNS} runs of each, medians)\n`)
for (const name of actions) {
  const lines = lastLines[name]
  const body = lines[lines.indexOf('::endgroup::') + 1]
  process.stdout.write(
    `${name}: first line ${JSON.stringify(lines[0])}; body's first ${JSON.stringify(body?.slice(0, 100))}\n`
  )
}
writeResults('cold-start', rows, { runs: RUNS, table })
rmSync(scratch, { recursive: true, force: true })
