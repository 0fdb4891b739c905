#!/usr/bin/env node
// Cold start of every bundled action against a bare `node -e ''` on the same
// machine, in the same run: the time from spawning the process to its first
// line of output (the action has loaded and run its lifecycle up to the
// first thing it says), the peak memory, and the bundle's size.
//
// Each action runs with no inputs: it loads, reads its inputs and stops at
// the first missing one, without reaching the outside world, which is the
// cost every run of it pays before doing any work.
import { spawn, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const workspace = mkdtempSync(join(tmpdir(), 'cold-start-'))
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GITHUB_WORKSPACE: workspace,
  RUNNER_TEMP: workspace
}

/** ms from spawn to the first byte on stdout or stderr (or to exit). */
function firstOutput(args) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, args, { env, cwd: workspace })
    let done = false
    const finish = () => {
      if (done) return
      done = true
      resolve(Number(process.hrtime.bigint() - started) / 1e6)
    }
    child.stdout.once('data', finish)
    child.stderr.once('data', finish)
    child.on('exit', finish)
  })
}

/** Peak resident memory in MiB, from GNU time. */
function peakMiB(args) {
  const result = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', process.execPath, ...args],
    {
      env,
      cwd: workspace,
      encoding: 'utf8'
    }
  )
  const kib = Number(result.stderr.trim().split('\n').pop())
  return kib / 1024
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

async function measure(args) {
  const times = []
  // Interleaved with the baseline below by the caller's loop order.
  for (let i = 0; i < RUNS; i++) times.push(await firstOutput(args))
  return median(times)
}

const actions = readdirSync(join(root, 'actions'))
  .filter((name) => existsSync(join(root, 'actions', name, 'dist', 'index.js')))
  .sort()

const baselineArgs = ['-e', "process.stdout.write('x')"]
await measure(baselineArgs) // warm the file cache
const rows = []
for (const name of actions) {
  const bundle = join(root, 'actions', name, 'dist', 'index.js')
  await measure([bundle]) // warm the file cache
  // The baseline is measured right before each action, so both see the
  // same machine load.
  const base = await measure(baselineArgs)
  const ms = await measure([bundle])
  const ratio = ms / base
  const memory = peakMiB([bundle])
  const sizeMB = statSync(bundle).size / 1e6
  rows.push(
    {
      name: `${name}: start → first output`,
      figure: Number(ratio.toFixed(2)),
      unit: '× node',
      target: '≤ 2',
      pass: ratio <= 2,
      note: `${ms.toFixed(0)} ms vs ${base.toFixed(0)} ms`
    },
    {
      name: `${name}: peak memory`,
      figure: Number(memory.toFixed(1)),
      unit: 'MiB',
      target: '≤ 55',
      pass: memory <= 55
    },
    {
      name: `${name}: dist/index.js`,
      figure: Number(sizeMB.toFixed(2)),
      unit: 'MB',
      target: '≤ 2',
      pass: sizeMB <= 2
    }
  )
  process.stdout.write(
    `${name}: ${ms.toFixed(0)} ms (node ${base.toFixed(0)} ms) = ${ratio.toFixed(2)}×, ${memory.toFixed(1)} MiB, ${sizeMB.toFixed(2)} MB\n`
  )
}
const nodeMemory = peakMiB(baselineArgs)
rows.push({
  name: "node -e '' peak memory (reference)",
  figure: Number(nodeMemory.toFixed(1)),
  unit: 'MiB',
  target: '—',
  pass: true
})
writeFileSync(
  join(here, 'results', 'cold-start.json'),
  JSON.stringify({ rows }, null, 2)
)
