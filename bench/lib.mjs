// What the benchmarks share: medians, timed runs, free ports, running a
// bundled action as the runner does, writing bench/results/<name>.json, the
// fast mode of `make test-bench`, and the in-process profiler the pipeline
// and growth benchmarks use to tell the action's own time from the time it
// waits on the programs and services it drives.
//
// Fast mode (BENCH_FAST=1): every benchmark runs once, on its smallest sizes,
// so that `make test` proves the benchmark code still runs; its figures are
// written but no target is judged (each row's `pass` is null).
//
// The profiler: a node process started with
//   NODE_OPTIONS="--import <this file>" SHIPYARD_BENCH_PROFILE=<dir>
// whose script is an action bundle (actions/<name>/dist/index.js) records,
// from its start to its exit:
//   wall      performance.now() at exit (since the process's time origin)
//   idle      the event loop's idle time (performance.eventLoopUtilization):
//             the process waited, on a child process, a socket or a timer
//   sync      time blocked in spawnSync/execSync/execFileSync
//   children  the union of the intervals during which a child process ran
//   own       wall - idle - sync: the time the process itself was busy,
//             running JavaScript (our code, its libraries, node's startup);
//             on a loaded machine this includes the time the process was
//             ready to run but waited for a core
//   cpu       the process's own CPU time (user + system, all its threads),
//             which the machine's load does not inflate
// and writes it to <dir>/<action>-<pid>.json. Any other node process (the
// stand-ins, helpers) loads this file with no effect.
import { spawn, spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** The repository's root. */
export const root = join(here, '..')

/** Whether this is the quick run of `make test-bench` (BENCH_FAST=1). */
export const FAST = process.env['BENCH_FAST'] === '1'

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values) {
  if (values.length === 0) throw new Error('median of nothing')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** `n` rounded to `digits` decimals. */
export function round(n, digits = 2) {
  return Math.round(n * 10 ** digits) / 10 ** digits
}

/** A TCP port of 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** Milliseconds since `started` (a process.hrtime.bigint() reading). */
export function msSince(started) {
  return Number(process.hrtime.bigint() - started) / 1e6
}

/**
 * Runs a program to its end (spawnSync) and returns its wall time in ms;
 * throws, with the end of its output, when it exits non-zero.
 */
export function timed(command, args, options = {}) {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...options
  })
  const ms = msSince(started)
  if (result.status !== 0) {
    process.stderr.write(
      `${(result.stdout ?? '').slice(-3000)}${(result.stderr ?? '').slice(-3000)}`
    )
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`
    )
  }
  return ms
}

/** The environment variables of the runner's file commands, parsed back. */
export function readOutputs(file) {
  const outputs = {}
  const lines = readFileSync(file, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i])
    if (heredoc) {
      const values = []
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++)
        values.push(lines[i])
      outputs[heredoc[1]] = values.join('\n')
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=')
      outputs[lines[i].slice(0, eq)] = lines[i].slice(eq + 1)
    }
  }
  return outputs
}

/**
 * The path of actions/<action>/dist/index.js once the bundle is complete (its
 * licenses.txt, written last by scripts/bundle.mjs, is there), waiting up to
 * three minutes while it is being rebuilt.
 */
export async function waitForBundle(action) {
  const dist = join(root, 'actions', action, 'dist')
  const deadline = Date.now() + 180_000
  while (
    !existsSync(join(dist, 'index.js')) ||
    !existsSync(join(dist, 'licenses.txt'))
  ) {
    if (Date.now() > deadline) throw new Error(`${dist} has no complete bundle`)
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
  return join(dist, 'index.js')
}

const snapshots = new Map()
let snapshotRoot

/**
 * A copy of the action's complete bundle, taken at its first use in this
 * process and kept until the process exits, so that a rebuild of the
 * bundles in the working tree during a benchmark cannot break it. The copy
 * keeps the path's shape (…/actions/<name>/dist/index.js).
 */
export async function bundleSnapshot(action) {
  const known = snapshots.get(action)
  if (known) return known
  const original = await waitForBundle(action)
  if (!snapshotRoot) {
    snapshotRoot = mkdtempSync(join(tmpdir(), 'bench-bundles-'))
    process.once('exit', () =>
      rmSync(snapshotRoot, { recursive: true, force: true })
    )
  }
  const copy = join(snapshotRoot, 'actions', action, 'dist')
  cpSync(dirname(original), copy, { recursive: true })
  if (!existsSync(join(copy, 'licenses.txt')))
    throw new Error(`the bundle of ${action} changed while it was copied`)
  snapshots.set(action, join(copy, 'index.js'))
  return join(copy, 'index.js')
}

/**
 * Runs actions/<action>/dist/index.js (a snapshot of it, see bundleSnapshot)
 * once as the runner runs it: a fresh node process, inputs as INPUT_<NAME>,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files in `dir`. `env` is the whole
 * environment (add process.env yourself when wanted). Resolves when the
 * process has closed, with its exit code, output, outputs and its start and
 * end (Date.now()).
 */
export async function runBundle(action, { dir, inputs = {}, env = {}, cwd }) {
  mkdirSync(dir, { recursive: true })
  const output = join(dir, `${action}.output`)
  const summary = join(dir, `${action}.summary.md`)
  writeFileSync(output, '')
  writeFileSync(summary, '')
  const childEnv = {
    ...env,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary
  }
  for (const [key, value] of Object.entries(inputs))
    childEnv[`INPUT_${key.replace(/ /g, '_').toUpperCase()}`] = value
  const bundle = await bundleSnapshot(action)
  const startedAt = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], {
      cwd: cwd ?? dir,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    child.once('error', reject)
    child.once('close', (code) => {
      resolve({
        code,
        stdout,
        stderr,
        startedAt,
        endedAt: Date.now(),
        outputs: readOutputs(output),
        summary: readFileSync(summary, 'utf8')
      })
    })
  })
}

/**
 * Writes bench/results/<name>.json ({rows, ...extra}) and prints the rows. In
 * fast mode no target is judged: `pass` is null and the file says `fast`.
 */
export function writeResults(name, rows, extra = {}) {
  const judged = rows.map((row) =>
    FAST ? { ...row, pass: null, note: joinNote(row.note, 'fast mode') } : row
  )
  const dir = join(here, 'results')
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({ fast: FAST, rows: judged, ...extra }, null, 2) + '\n'
  )
  for (const row of judged)
    process.stdout.write(
      `${verdict(row.pass)} ${row.name}: ${row.figure}${row.unit ? ` ${row.unit}` : ''} (target ${row.target})${row.note ? ` — ${row.note}` : ''}\n`
    )
}

const joinNote = (note, extra) => (note ? `${note}; ${extra}` : extra)

/** How a row's `pass` reads in a table. */
export function verdict(pass) {
  if (pass === null || pass === undefined) return 'not judged'
  return pass ? 'pass' : 'FAIL'
}

// ----------------------------------------------------------------- profiler

/** The union length of [start, end] intervals. */
export function unionMs(intervals) {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0])
  let total = 0
  let end = -Infinity
  for (const [s, e] of sorted) {
    if (e <= end) continue
    total += e - Math.max(s, end)
    end = e
  }
  return total
}

/** Reads the profiles a run left in `dir`: {action: profile}, the latest of each. */
export function readProfiles(dir, files) {
  const profiles = {}
  for (const file of files) {
    if (!file.endsWith('.json')) continue
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'))
    const seen = profiles[profile.action]
    if (!seen || seen.startedAt < profile.startedAt)
      profiles[profile.action] = profile
  }
  return profiles
}

/** The NODE_OPTIONS entry that loads the profiler (this file). */
export const PROFILER_IMPORT = `--import=${new URL(import.meta.url).href}`

function installProfiler(outDir, action) {
  const cp = createRequire(import.meta.url)('node:child_process')
  const intervals = []
  let syncMs = 0
  const track = (command, child) => {
    const record = [performance.now(), undefined]
    intervals.push(record)
    const done = () => (record[1] ??= performance.now())
    child.once('close', done)
    child.once('exit', () => setImmediate(done))
    child.once('error', done)
    record.command = basename(String(command))
    return child
  }
  for (const name of ['spawn', 'execFile', 'exec', 'fork']) {
    const original = cp[name]
    cp[name] = function (...args) {
      return track(args[0], original.apply(this, args))
    }
  }
  for (const name of ['spawnSync', 'execSync', 'execFileSync']) {
    const original = cp[name]
    cp[name] = function (...args) {
      const started = performance.now()
      try {
        return original.apply(this, args)
      } finally {
        syncMs += performance.now() - started
      }
    }
  }
  syncBuiltinESMExports()
  process.once('exit', (code) => {
    const wall = performance.now()
    const { idle } = performance.eventLoopUtilization()
    const cpu = process.cpuUsage()
    const now = performance.now()
    const closed = intervals.map(([s, e]) => [s, e ?? now])
    const byCommand = {}
    for (const [i, [s, e]] of closed.entries()) {
      const command = intervals[i].command
      byCommand[command] = (byCommand[command] ?? 0) + (e - s)
    }
    const profile = {
      action,
      pid: process.pid,
      exitCode: code,
      startedAt: performance.timeOrigin,
      endedAt: performance.timeOrigin + wall,
      wallMs: wall,
      idleMs: idle,
      syncMs,
      childrenMs: unionMs(closed),
      childCount: closed.length,
      byCommand,
      ownMs: Math.max(0, wall - idle - syncMs),
      cpuMs: (cpu.user + cpu.system) / 1000
    }
    mkdirSync(outDir, { recursive: true })
    writeFileSync(
      join(outDir, `${action}-${process.pid}.json`),
      JSON.stringify(profile, null, 2)
    )
  })
}

const profileDir = process.env['SHIPYARD_BENCH_PROFILE']
const script = process.argv[1] ?? ''
const bundleMatch = /[\\/]actions[\\/]([^\\/]+)[\\/]dist[\\/]index\.js$/.exec(
  script
)
if (profileDir && bundleMatch) installProfiler(profileDir, bundleMatch[1])
