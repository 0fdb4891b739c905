// Turns the log of an act run of the pipeline (tests/act/act.sh run) into
// the files scripts/demo/report.mjs reads: <action>.json per pipeline job
// ({status, seconds, outputs}, as scripts/demo/run-action.mjs writes them)
// and render-deploy.log (the deploy job's output, for the deploy timeline).
//
//   node tests/act/results.mjs <act.log> <dir>
//
// A job that did not run (skipped, or never reached) gets no file; the
// report shows it as not run. Exits 1 when a job failed.
import * as fs from 'node:fs'
import * as path from 'node:path'

const [logFile, dir] = process.argv.slice(2)
if (!logFile || !dir) {
  process.stderr.write('usage: results.mjs <act.log> <dir>\n')
  process.exit(2)
}

// pipeline.yml's job names → the action each runs, and that action's step.
const JOBS = {
  Test: { action: 'ci-test', step: 'Lint, test and check' },
  Docs: { action: 'sphinx-docs', step: 'Build the docs' },
  Image: { action: 'docker-publish', step: 'Build, smoke-test and push' },
  Deploy: { action: 'render-deploy', step: 'Deploy to Render' },
  'Verify Sentry': {
    action: 'sentry-verify',
    step: 'Prove the app reports to Sentry'
  }
}

/** Seconds in a Go duration as act prints it: 1m29.5s, 38.6s, 100.7ms. */
function seconds(duration) {
  let total = 0
  for (const [, value, unit] of duration.matchAll(/([\d.]+)(h|ms|m|s|µs|ns)/g))
    total +=
      Number(value) *
      { h: 3600, m: 60, s: 1, ms: 1e-3, µs: 1e-6, ns: 1e-9 }[unit]
  return Math.round(total * 10) / 10
}

const jobs = {}
const job = (name) =>
  (jobs[name] ??= { status: '', seconds: 0, outputs: {}, lines: [] })
for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
  const prefix = /^\[[^\]]*\/([^/\]]+)\]\s(.*)$/.exec(line)
  if (!prefix || !(prefix[1] in JOBS)) continue
  const [, name, rest] = prefix
  const output = /^\s+⚙\s+::set-output:: ([\w-]+)=(.*)$/.exec(rest)
  if (output) job(name).outputs[output[1]] = output[2]
  const result = /^🏁\s+Job (succeeded|failed)$/.exec(rest)
  if (result)
    job(name).status = result[1] === 'succeeded' ? 'success' : 'failure'
  const step = /^\s+(?:✅|❌)\s+(?:Success|Failure) - Main (.+) \[(.+)\]$/.exec(
    rest
  )
  if (step && step[1] === JOBS[name].step) job(name).seconds = seconds(step[2])
  const text = /^\s+\| (.*)$/.exec(rest)
  if (text) job(name).lines.push(text[1])
}

fs.mkdirSync(dir, { recursive: true })
let failed = false
for (const [name, { action }] of Object.entries(JOBS)) {
  const found = jobs[name]
  if (!found?.status) continue
  failed ||= found.status === 'failure'
  fs.writeFileSync(
    path.join(dir, `${action}.json`),
    JSON.stringify(
      {
        action,
        status: found.status,
        exitCode: found.status === 'success' ? 0 : 1,
        seconds: found.seconds,
        outputs: found.outputs,
        via: 'act'
      },
      null,
      2
    ) + '\n'
  )
  if (action === 'render-deploy')
    fs.writeFileSync(
      path.join(dir, 'render-deploy.log'),
      found.lines.join('\n')
    )
}
process.exit(failed ? 1 : 0)
