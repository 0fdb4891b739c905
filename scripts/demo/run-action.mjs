// Runs one bundled action as the runner does: a fresh node process, inputs
// as INPUT_<NAME> variables (upper-cased, hyphens kept), GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, and writes what happened to <dir>/<name>.json
// ({status, exitCode, seconds, outputs}) for the demo's report.
//
//   node scripts/demo/run-action.mjs <action> <dir> [input=value | input=@VAR]...
//
// `input=@VAR` takes the value from the environment variable VAR, so that
// secrets never appear on a command line. Bash cannot export names with
// hyphens (INPUT_API-KEY), hence this helper.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

const [name, dir, ...specs] = process.argv.slice(2)
if (!name || !dir) {
  process.stderr.write(
    'usage: run-action.mjs <action> <dir> [input=value]...\n'
  )
  process.exit(2)
}
const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
  '..'
)
// DEMO_ACTIONS_DIR: another copy of actions/ (the pipeline benchmark runs a
// snapshot of the bundles, safe from a rebuild during its run).
const bundle = path.join(
  process.env.DEMO_ACTIONS_DIR || path.join(root, 'actions'),
  name,
  'dist',
  'index.js'
)
fs.mkdirSync(dir, { recursive: true })
const output = path.join(dir, `${name}.output`)
const summary = path.join(dir, `${name}.summary.md`)
const log = path.join(dir, `${name}.log`)
fs.writeFileSync(output, '')
fs.writeFileSync(summary, '')

const env = {
  ...process.env,
  GITHUB_OUTPUT: output,
  GITHUB_STEP_SUMMARY: summary
}
for (const key of Object.keys(env))
  if (key.startsWith('INPUT_')) delete env[key]
const secretValues = []
for (const spec of specs) {
  const eq = spec.indexOf('=')
  if (eq <= 0) throw new Error(`bad input ${spec}: expected name=value`)
  const input = spec.slice(0, eq)
  let value = spec.slice(eq + 1)
  if (value.startsWith('@')) {
    const variable = value.slice(1)
    if (!(variable in process.env)) throw new Error(`${variable} is not set`)
    value = process.env[variable] ?? ''
    if (/KEY|TOKEN|PASSWORD|SECRET|DSN/.test(variable)) secretValues.push(value)
  }
  env[`INPUT_${input.replace(/ /g, '_').toUpperCase()}`] = value
}

// The runner's file-command format: name=value, or name<<DELIMITER lines.
function readOutputs(file) {
  const outputs = {}
  const lines = fs.readFileSync(file, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const values = []
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++)
        values.push(lines[i])
      outputs[heredoc[1]] = values.join('\n')
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(
        line.indexOf('=') + 1
      )
    }
  }
  return outputs
}

// As the runner does: `::add-mask::` lines are consumed, never shown, and
// every masked value (and every input taken from a variable whose name says
// it is a secret: KEY, TOKEN, PASSWORD, SECRET, DSN) prints as ***.
const masks = new Set(secretValues.filter((v) => v.length > 3))
function mask(line) {
  const found = /^::add-mask::(.*)$/.exec(line)
  if (found) {
    if (found[1].length > 3) masks.add(found[1])
    return undefined
  }
  let shown = line
  for (const value of masks) shown = shown.split(value).join('***')
  return shown
}

const logStream = fs.createWriteStream(log)
const started = Date.now()
const child = spawn(process.execPath, [bundle], {
  env,
  stdio: ['ignore', 'pipe', 'pipe']
})
const pending = new Map()
function emit(line) {
  const shown = mask(line)
  if (shown === undefined) return
  process.stdout.write(shown + '\n')
  logStream.write(shown + '\n')
}
for (const stream of [child.stdout, child.stderr]) {
  pending.set(stream, '')
  stream.setEncoding('utf8')
  stream.on('data', (chunk) => {
    const lines = (pending.get(stream) + chunk).split('\n')
    pending.set(stream, lines.pop() ?? '')
    for (const line of lines) emit(line)
  })
}
const forward = (signal) => child.kill(signal)
process.on('SIGINT', forward)
process.on('SIGTERM', forward)
child.on('close', (code, signal) => {
  for (const rest of pending.values()) if (rest) emit(rest)
  const exitCode = code ?? 1
  const seconds = Math.round((Date.now() - started) / 100) / 10
  const result = {
    action: name,
    status: exitCode === 0 ? 'success' : 'failure',
    exitCode,
    signal,
    startedAt: new Date(started).toISOString(),
    seconds,
    outputs: readOutputs(output)
  }
  fs.writeFileSync(
    path.join(dir, `${name}.json`),
    JSON.stringify(result, null, 2) + '\n'
  )
  logStream.end(() => process.exit(exitCode))
})
