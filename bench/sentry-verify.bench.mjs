#!/usr/bin/env node
// sentry-verify: how fast the action notices the app's event and finishes.
//
// Against the Sentry stand-in (in this process) and the real example app
// (gunicorn from .venv, the real sentry-sdk), the committed bundle is run as
// the runner runs it, over several ingestion delays. Measured:
//
// - visible → finished: from the moment the stand-in makes the app's event
//   visible through its web API (`visibleAt`, control endpoint) to the
//   action's process exiting. Target: median under 1 s.
// - release + commit + finalize + deploy, cold start included: from spawning
//   the bundle to the stand-in answering the deploy (the DSN check, a single
//   request, is in it). Target: under 1 s (median).
// - reference, same run: a bare `node -e ''` and the bundle failing at once
//   on missing inputs (its cold start).
//
//   node bench/sentry-verify.bench.mjs [runs per delay, default 2]
//   BENCH_FAST=1 ...      one run at one delay, nothing judged
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { register } from 'tsx/esm/api'
import {
  FAST,
  bundleSnapshot,
  freePort,
  median,
  msSince,
  root,
  runBundle,
  writeResults
} from './lib.mjs'

register()
const { SentryStandIn } = await import('@shipyard/stand-ins')

// The bundle as it is now, safe from a rebuild during the run.
const bundle = await bundleSnapshot('sentry-verify')
const gunicorn = join(root, '.venv', 'bin', 'gunicorn')
const runsPerDelay = FAST ? 1 : Number(process.argv[2] ?? 2)
const DELAYS_MS = FAST ? [1000] : [1000, 2000, 3500, 5000]
const TOKEN = 'bench-verify-token-123'
const RELEASE = 'bench@1.0.0'

if (!existsSync(gunicorn)) {
  process.stderr.write('.venv is absent: run `bash scripts/python-env.sh`\n')
  process.exit(1)
}

const round = (n) => Math.round(n * 1000) / 1000

function cleanEnv(extra) {
  const env = {}
  for (const key of ['PATH', 'HOME', 'LANG'])
    if (process.env[key] !== undefined) env[key] = process.env[key]
  return { ...env, ...extra }
}

async function startApp(sentryDsn) {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'sv-bench-app-'))
  const child = spawn(
    gunicorn,
    [
      '--chdir',
      join(root, 'example'),
      '--bind',
      `127.0.0.1:${port}`,
      '--workers',
      '1',
      'shipyard_example.wsgi:application'
    ],
    {
      env: cleanEnv({
        DJANGO_ENV: 'development',
        DEBUG: 'false',
        SECRET_KEY: 'bench-secret-key',
        SQLITE_PATH: join(dir, 'db.sqlite3'),
        SENTRY_DSN: sentryDsn,
        SENTRY_ENVIRONMENT: 'production',
        SENTRY_RELEASE: RELEASE,
        SENTRY_VERIFY_TOKEN: TOKEN
      }),
      stdio: 'ignore'
    }
  )
  const url = `http://127.0.0.1:${port}`
  const started = Date.now()
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).status === 200) break
    } catch {
      // not yet
    }
    if (Date.now() - started > 30_000) throw new Error('app did not start')
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

async function runAction(inputs, runId) {
  const workspace = mkdtempSync(join(tmpdir(), 'sv-bench-run-'))
  try {
    const run = await runBundle('sentry-verify', {
      dir: workspace,
      inputs,
      env: cleanEnv({
        GITHUB_WORKSPACE: workspace,
        RUNNER_TEMP: workspace,
        GITHUB_SHA: 'c'.repeat(40),
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_RUN_ID: String(runId),
        GITHUB_RUN_ATTEMPT: '1'
      })
    })
    const eventId = run.outputs['event-id']
    return { ...run, status: run.code, eventId: eventId || undefined }
  } finally {
    rmSync(workspace, { recursive: true, force: true })
  }
}

function timeNode(args) {
  const started = process.hrtime.bigint()
  spawnSync(process.execPath, args, { env: cleanEnv({}), stdio: 'ignore' })
  return msSince(started)
}

const sentry = new SentryStandIn({ ingestionDelayMs: 1000 })
await sentry.start()
const env = sentry.env()
const app = await startApp(env.SENTRY_DSN)
const inputs = {
  'sentry-url': env.SENTRY_URL,
  'auth-token': env.SENTRY_AUTH_TOKEN,
  org: env.SENTRY_ORG,
  project: env.SENTRY_PROJECT,
  dsn: env.SENTRY_DSN,
  environment: 'production',
  release: RELEASE,
  'app-url': app.url,
  'trigger-path': '/_shipyard/sentry-verify/',
  'trigger-token': TOKEN,
  timeout: '60s'
}

const lags = []
const releasePhases = []
let runId = 1000
try {
  // Warm the app's worker once (its first request imports the views).
  await runAction(inputs, runId++)
  for (const delay of DELAYS_MS) {
    sentry.setIngestionDelay(delay)
    for (let i = 0; i < runsPerDelay; i++) {
      const id = runId++
      const seqBefore = sentry.requests.length
      const run = await runAction(inputs, id)
      if (run.status !== 0 || !run.eventId)
        throw new Error(`the action failed:\n${run.stdout}`)
      const events = await (
        await fetch(`${env.SENTRY_URL}/__control/sentry/events`)
      ).json()
      const event = events.find((e) => e.eventId === run.eventId)
      const lag = run.endedAt - Date.parse(event.visibleAt)
      const deploy = sentry.requests
        .slice(seqBefore)
        .find((r) => r.method === 'POST' && r.path.endsWith('/deploys/'))
      const releaseMs = Date.parse(deploy.time) - run.startedAt
      lags.push(lag)
      releasePhases.push(releaseMs)
      process.stdout.write(
        `delay ${delay} ms: visible → finished ${lag} ms; spawn → deploy recorded ${releaseMs} ms\n`
      )
    }
  }
} finally {
  await app.stop()
  await sentry.stop()
}

const bareNode = median([1, 2, 3].map(() => timeNode(['-e', ''])))
const coldStart = median([1, 2, 3].map(() => timeNode([bundle])))
const lagMedian = median(lags) / 1000
const releaseMedian = median(releasePhases) / 1000
const rows = [
  {
    name: `event visible → action finished (median of ${lags.length}, delays ${DELAYS_MS.join('/')} ms)`,
    figure: round(lagMedian),
    unit: 's',
    target: '< 1',
    pass: lagMedian < 1,
    note: `max ${round(Math.max(...lags) / 1000)} s`
  },
  {
    name: 'release + commit + finalize + deploy, cold start included (median)',
    figure: round(releaseMedian),
    unit: 's',
    target: '< 1',
    pass: releaseMedian < 1,
    note: `max ${round(Math.max(...releasePhases) / 1000)} s`
  },
  {
    name: "reference: the bundle's cold start (fails on missing inputs) / bare node -e ''",
    figure: round(coldStart / bareNode),
    unit: '×',
    target: 'info',
    pass: true,
    note: `${Math.round(coldStart)} ms vs ${Math.round(bareNode)} ms`
  }
]
writeResults('sentry-verify', rows)
