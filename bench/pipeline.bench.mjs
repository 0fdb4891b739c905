#!/usr/bin/env node
// bench/pipeline: the whole pipeline on example/, as `make demo` runs it
// (scripts/demo.sh: the five bundled actions through scripts/demo/
// run-action.mjs, against the registry and the stand-ins of
// scripts/services.sh), in a run directory, registry port and services file
// of its own so that it disturbs no other run.
//
// Measured, from the actions' own processes (bench/lib.mjs's profiler, loaded
// with NODE_OPTIONS=--import into every node process of the demo; only the
// action bundles record anything):
//
// - each stage's start and end (the action process's time origin and exit);
// - wall time: first stage's start to last stage's end, stages one after the
//   other as the demo runs them;
// - the critical path of .github/workflows/pipeline.yml's graph, a runner per
//   job: test ∥ docs, image after test, deploy after image and docs, verify
//   after deploy, so max(test + image, docs) + deploy + verify, and which
//   stages are on it;
// - the share of time in our own code: for each action, its wall time minus
//   the time its event loop sat idle (waiting on a child process, a socket or
//   a timer) minus the time blocked in a synchronous child process, over its
//   wall time. What is left is the JavaScript the process ran: the bundle
//   (ours and the libraries bundled in it) and node's own startup, so it is an
//   upper bound; on a loaded machine it also holds the time the process was
//   ready but waited for a core, so the processes' own CPU time (user +
//   system) is reported beside it, as is the union of the intervals in which
//   a child ran. Target, in the spirit of "close to nothing": ≤ 5 %.
//
// The bundles run are a snapshot taken at the start (run-action.mjs's
// DEMO_ACTIONS_DIR). One run (BENCH_ROUNDS=n: n runs, medians per stage).
// The demo's foundation stage (image build and smoke run before the
// pipeline) is not timed here.
// Fast mode (BENCH_FAST=1, make test-bench): one action (sphinx-docs on
// shipyard's docs, in a copy) through run-action.mjs, the rest of the graph
// empty, nothing judged.
import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import {
  FAST,
  PROFILER_IMPORT,
  bundleSnapshot,
  freePort,
  median,
  readProfiles,
  root,
  round,
  writeResults
} from './lib.mjs'

const ROUNDS = FAST ? 1 : Number(process.env['BENCH_ROUNDS'] ?? 1)
const STAGES = [
  { stage: 'test', action: 'ci-test' },
  { stage: 'docs', action: 'sphinx-docs' },
  { stage: 'image', action: 'docker-publish' },
  { stage: 'deploy', action: 'render-deploy' },
  { stage: 'verify', action: 'sentry-verify' }
]
const python = join(root, '.venv', 'bin', 'python')
if (!existsSync(python)) {
  process.stderr.write('bench/pipeline needs .venv: run make venv\n')
  process.exit(1)
}

/**
 * The critical path of pipeline.yml's jobs from stage durations (seconds):
 * test ∥ docs, image needs test, deploy needs image and docs, verify needs
 * deploy.
 */
export function criticalPath(d) {
  const viaTest = d.test + d.image
  const before = viaTest >= d.docs ? ['test', 'image'] : ['docs']
  return {
    seconds: Math.max(viaTest, d.docs) + d.deploy + d.verify,
    stages: [...before, 'deploy', 'verify']
  }
}

/**
 * The actions/ directory of a snapshot of the five bundles, which
 * run-action.mjs runs (DEMO_ACTIONS_DIR): a rebuild of the bundles in the
 * working tree during the run cannot break it.
 */
async function snapshotActions() {
  let bundle
  for (const { action } of STAGES) bundle = await bundleSnapshot(action)
  return dirname(dirname(dirname(bundle)))
}

function profilingEnv(profiles, extra = {}) {
  const env = { ...process.env, ...extra }
  env['NODE_OPTIONS'] = [env['NODE_OPTIONS'], PROFILER_IMPORT]
    .filter(Boolean)
    .join(' ')
  env['SHIPYARD_BENCH_PROFILE'] = profiles
  return env
}

/** The whole demo, in its own run directory; the profiles of its actions. */
async function runDemo(tmp, round) {
  const runDir = join(tmp, `run-${round}`)
  const profiles = join(tmp, `profiles-${round}`)
  mkdirSync(runDir, { recursive: true })
  const port = await freePort()
  const log = join(tmp, `demo-${round}.log`)
  const env = profilingEnv(profiles, {
    SHIPYARD_RUN_DIR: runDir,
    SERVICES_ENV_FILE: join(runDir, 'services.env'),
    REGISTRY_PORT: String(port),
    DEMO_IMAGE: 'localhost/shipyard/example:bench-pipeline',
    DEMO_PYTHON: python,
    DEMO_ACTIONS_DIR: await snapshotActions()
  })
  process.stdout.write(
    `round ${round}: scripts/demo.sh (log ${basename(log)})\n`
  )
  const result = spawnSync('bash', ['scripts/demo.sh'], {
    cwd: root,
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024
  })
  writeFileSync(log, `${result.stdout}\n${result.stderr}`)
  removeImages(join(runDir, 'demo'))
  if (result.status !== 0) {
    process.stderr.write(
      result.stdout.slice(-4000) + result.stderr.slice(-4000)
    )
    throw new Error(`scripts/demo.sh exited with ${result.status}`)
  }
  return { profiles, demoDir: join(runDir, 'demo') }
}

/** Untags what the run tagged: its own image, and what docker-publish pushed. */
function removeImages(demoDir) {
  const refs = ['localhost/shipyard/example:bench-pipeline']
  const published = join(demoDir, 'docker-publish.json')
  if (existsSync(published)) {
    const { outputs } = JSON.parse(readFileSync(published, 'utf8'))
    for (const tag of (outputs?.tags ?? '').split('\n').filter(Boolean))
      refs.push(`${outputs.image}:${tag}`)
  }
  spawnSync(
    'bash',
    [
      '-c',
      '. scripts/containers/env.sh && podman rmi --force --ignore "$@"',
      'rmi',
      ...refs
    ],
    { cwd: root, stdio: 'ignore', timeout: 120_000 }
  )
}

/** Fast mode: sphinx-docs alone, through run-action.mjs, on a copy of the docs. */
async function runFast(tmp) {
  const workspace = join(tmp, 'workspace')
  const skip = new Set(['_build', 'api', '__pycache__', '.reports'])
  for (const name of ['docs', 'sphinx_src', 'example'])
    cpSync(join(root, name), join(workspace, name), {
      recursive: true,
      filter: (source) => !skip.has(basename(source))
    })
  copyFileSync(join(root, 'package.json'), join(workspace, 'package.json'))
  for (const action of readdirSync(join(root, 'actions'))) {
    const meta = join(root, 'actions', action, 'action.yml')
    if (!existsSync(meta)) continue
    mkdirSync(join(workspace, 'actions', action), { recursive: true })
    copyFileSync(meta, join(workspace, 'actions', action, 'action.yml'))
  }
  const profiles = join(tmp, 'profiles-1')
  const demoDir = join(tmp, 'demo')
  mkdirSync(join(tmp, 'runner'), { recursive: true })
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'scripts', 'demo', 'run-action.mjs'),
      'sphinx-docs',
      demoDir,
      'docs-dir=docs',
      'source-dir=sphinx_src',
      `python=${python}`
    ],
    {
      cwd: workspace,
      env: profilingEnv(profiles, {
        GITHUB_WORKSPACE: workspace,
        RUNNER_TEMP: join(tmp, 'runner'),
        DEMO_ACTIONS_DIR: await snapshotActions()
      }),
      encoding: 'utf8'
    }
  )
  if (result.status !== 0) {
    process.stderr.write(
      result.stdout.slice(-4000) + result.stderr.slice(-4000)
    )
    throw new Error(`run-action.mjs sphinx-docs exited with ${result.status}`)
  }
  return { profiles, demoDir }
}

function measureRound({ profiles, demoDir }) {
  const found = existsSync(profiles)
    ? readProfiles(profiles, readdirSync(profiles))
    : {}
  const stages = {}
  for (const { stage, action } of STAGES) {
    const profile = found[action]
    const ran = existsSync(join(demoDir, `${action}.json`))
      ? JSON.parse(readFileSync(join(demoDir, `${action}.json`), 'utf8'))
      : undefined
    if (!profile || !ran) {
      if (!FAST) throw new Error(`${action} did not run (no profile or result)`)
      continue
    }
    if (ran.status !== 'success')
      throw new Error(`${action} ended ${ran.status} (exit ${ran.exitCode})`)
    stages[stage] = profile
  }
  return stages
}

const tmp = mkdtempSync(join(tmpdir(), 'bench-pipeline-'))
const rounds = []
try {
  for (let i = 1; i <= ROUNDS; i++)
    rounds.push(measureRound(FAST ? await runFast(tmp) : await runDemo(tmp, i)))
} finally {
  rmSync(tmp, { recursive: true, force: true })
}

// Per stage: the median over rounds of each figure (ms).
const figure = (stage, key) => {
  const values = rounds.map((r) => r[stage]?.[key]).filter((v) => v >= 0)
  return values.length ? median(values) : 0
}
const seconds = Object.fromEntries(
  STAGES.map(({ stage }) => [stage, figure(stage, 'wallMs') / 1000])
)
const walls = rounds.map((r) => {
  const ps = Object.values(r)
  return (
    (Math.max(...ps.map((p) => p.endedAt)) -
      Math.min(...ps.map((p) => p.startedAt))) /
    1000
  )
})
const wall = median(walls)
const path = criticalPath(seconds)
let ownTotal = 0
let wallTotal = 0
let cpuTotal = 0
const stageRows = []
const timeline = []
for (const { stage, action } of STAGES) {
  if (!rounds[0][stage]) continue
  const own = figure(stage, 'ownMs')
  const total = figure(stage, 'wallMs')
  const children = figure(stage, 'childrenMs')
  const cpu = figure(stage, 'cpuMs')
  ownTotal += own
  cpuTotal += cpu
  wallTotal += total
  const first = rounds[0][stage]
  const t0 = Math.min(...Object.values(rounds[0]).map((p) => p.startedAt))
  timeline.push({
    stage,
    action,
    startS: round((first.startedAt - t0) / 1000),
    endS: round((first.endedAt - t0) / 1000),
    wallMs: round(total, 0),
    ownMs: round(own, 0),
    childrenMs: round(children, 0),
    idleMs: round(figure(stage, 'idleMs'), 0),
    cpuMs: round(cpu, 0),
    byCommand: first.byCommand
  })
  stageRows.push({
    name: `${stage} (${action}): own code / wall`,
    figure: round((own / total) * 100, 1),
    unit: '%',
    target: 'info',
    pass: true,
    note: `own ${round(own / 1000)} s (CPU ${round(cpu / 1000)} s) of ${round(total / 1000)} s; a child process ran ${round(children / 1000)} s${path.stages.includes(stage) ? '; on the critical path' : ''}`
  })
}
const share = (ownTotal / wallTotal) * 100
const rows = [
  {
    name: `pipeline wall time, stages in turn as make demo runs them${ROUNDS > 1 ? ` (median of ${ROUNDS})` : ''}`,
    figure: round(wall, 1),
    unit: 's',
    target: 'info',
    pass: true,
    note: STAGES.filter(({ stage }) => rounds[0][stage])
      .map(({ stage }) => `${stage} ${round(seconds[stage], 1)} s`)
      .join(', ')
  },
  {
    name: "critical path of pipeline.yml's graph (a runner per job)",
    figure: round(path.seconds, 1),
    unit: 's',
    target: 'info',
    pass: true,
    note: path.stages.join(' → ')
  },
  {
    name: 'share of the actions’ wall time in our own code (all stages)',
    figure: round(share, 1),
    unit: '%',
    target: '≤ 5 %',
    pass: share <= 5,
    note: `${round(ownTotal / 1000)} s of ${round(wallTotal / 1000)} s`
  },
  {
    name: 'the same with the actions’ own CPU time instead (load-independent)',
    figure: round((cpuTotal / wallTotal) * 100, 1),
    unit: '%',
    target: 'info',
    pass: true,
    note: `${round(cpuTotal / 1000)} s of CPU in ${round(wallTotal / 1000)} s`
  },
  ...stageRows
]
writeResults('pipeline', rows, {
  rounds: ROUNDS,
  criticalPath: path,
  timeline
})
