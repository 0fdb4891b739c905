/**
 * The committed bundle against the Sentry stand-in in the slow and failing
 * cases: `probe-command` (a real sentry-sdk process, uncaught exception)
 * through a 20 s ingestion delay; personal data in the event; and the
 * example app started WITHOUT a DSN, whose event never arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { SentryStandIn } from '@shipyard/stand-ins'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  everything,
  HAS_VENV,
  runBundle,
  startApp,
  TRIGGER_PATH,
  VENV_BIN,
  type App,
  type BundleRun
} from './fixtures/harness.js'

const PROBE = join(
  dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'probe.py'
)
const PROBE_COMMAND = `"${join(VENV_BIN, 'python')}" "${PROBE}"`
const TRIGGER_TOKEN = 'verify-token-Pr0beCase77'

const sentry = new SentryStandIn({ ingestionDelayMs: 300 })
let app: App
let env: Record<string, string>

const suite = HAS_VENV ? describe : describe.skip

beforeAll(async () => {
  await sentry.start()
  env = sentry.env()
  if (!HAS_VENV) return
  // No SENTRY_DSN: sentry-sdk stays off, and nothing ever reaches Sentry.
  app = await startApp({
    SENTRY_RELEASE: 'shop@9.9.9',
    SENTRY_VERIFY_TOKEN: TRIGGER_TOKEN
  })
}, 60_000)

afterAll(async () => {
  await app?.stop()
  await sentry.stop()
})

function baseInputs(): Record<string, string> {
  return {
    'sentry-url': env['SENTRY_URL'] ?? '',
    'auth-token': env['SENTRY_AUTH_TOKEN'] ?? '',
    org: env['SENTRY_ORG'] ?? '',
    project: env['SENTRY_PROJECT'] ?? '',
    dsn: env['SENTRY_DSN'] ?? '',
    environment: 'probe-env',
    release: 'probe@1.0.0'
  }
}

/** The probe's sentry-sdk configuration, given as a workflow's `env:` would. */
function probeEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SENTRY_DSN: env['SENTRY_DSN'] ?? '',
    SENTRY_RELEASE: 'probe@1.0.0',
    SENTRY_ENVIRONMENT: 'probe-env',
    ...extra
  }
}

function expectNoSecrets(run: BundleRun): void {
  const text = everything(run)
  for (const secret of [
    env['SENTRY_AUTH_TOKEN'],
    sentry.project.publicKey,
    sentry.project.secretKey,
    TRIGGER_TOKEN
  ])
    expect(text).not.toContain(secret)
}

function errorLine(run: BundleRun): string {
  return run.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? ''
}

suite('sentry-verify bundle: probe-command, slow ingestion, failures', () => {
  it('verifies a probe-command event through a 20 s ingestion delay', async () => {
    sentry.setIngestionDelay(20_000)
    try {
      const run = await runBundle(
        {
          ...baseInputs(),
          'probe-command': PROBE_COMMAND,
          timeout: '60s'
        },
        probeEnv()
      )
      expect(errorLine(run)).toBe('')
      expect(run.status).toBe(0)
      expect(run.outputs['verified']).toBe('true')
      const latency = Number(run.outputs['latency-seconds'])
      expect(latency).toBeGreaterThanOrEqual(20)
      expect(latency).toBeLessThan(30)
      const stored = sentry
        .storedEvents()
        .find((e) => e.eventId === run.outputs['event-id'])
      expect(stored?.client).toMatch(/^sentry\.python/)
      // The nonce reached the probe through SENTRY_VERIFY_NONCE.
      expect(run.summary).toMatch(
        /\| tag shipyard\.nonce \| (sv-[0-9a-f]+) \| \1 \| ✅ pass/
      )
      expect(run.summary).toContain('ProbeError: Probe failure (nonce=sv-')
      expect(run.summary).toContain('probe-command (exit code 1)')
      expect(run.summary).toMatch(
        /\| breadcrumb \|[^\n]*Probe started[^\n]*✅ pass/
      )
      // It polled with backoff rather than hammering the API.
      const searches = sentry.requests.filter(
        (r) =>
          r.path === '/api/0/organizations/shipyard/events/' &&
          r.time >= new Date(run.startedAt).toISOString()
      )
      expect(searches.length).toBeGreaterThan(20)
      expect(searches.length).toBeLessThan(80)
      expectNoSecrets(run)
    } finally {
      sentry.setIngestionDelay(300)
    }
  }, 90_000)

  it('fails the check when the event carries personal data', async () => {
    const run = await runBundle(
      { ...baseInputs(), 'probe-command': PROBE_COMMAND, timeout: '20s' },
      probeEnv({ PROBE_SEND_PII: '1' })
    )
    expect(run.status).toBe(1)
    expect(errorLine(run)).toContain(
      'no personal data: expected no cookies, Authorization or token headers, user data or secrets, the event has user.ip_address, user.email'
    )
    expect(errorLine(run)).toContain('send_default_pii')
    expect(run.summary).toMatch(/\| release \|[^\n]*✅ pass/)
    expect(run.outputs['verified']).toBe('false')
    expectNoSecrets(run)
  })

  it('gives up within the timeout, naming the likely causes, when the app has no DSN', async () => {
    const run = await runBundle({
      ...baseInputs(),
      'create-release': 'false',
      'app-url': app.url,
      'trigger-path': TRIGGER_PATH,
      'trigger-token': TRIGGER_TOKEN,
      timeout: '5s'
    })
    expect(run.status).toBe(1)
    const error = errorLine(run)
    expect(error).toContain(
      "The app's event did not appear in shipyard/example within 5s"
    )
    // The action's own event arrived: the app is the side that fails.
    expect(error).toContain(
      "The action's own event, sent with the same DSN, arrived in"
    )
    expect(error).toContain('the app does not send its errors with this DSN')
    expect(error).toContain('SENTRY_DSN not set on the service')
    expect(error).toContain('another project')
    expect(run.endedAt - run.startedAt).toBeLessThan(12_000)
    // The app did raise: the trigger worked, nothing arrived.
    expect(run.summary).toContain('→ 500')
    expect(run.summary).toMatch(
      /\| app's event \| visible within 5s \| not visible \| ❌ fail/
    )
    expect(run.summary).toMatch(
      /\| action's own event \|[^\n]*visible after[^\n]*✅ pass/
    )
    expect(run.outputs['verified']).toBe('false')
    expect(run.outputs['event-id']).toBeUndefined()
    expectNoSecrets(run)
  }, 30_000)

  it('names the rate limit when Sentry refuses every event sent with the DSN', async () => {
    sentry.setIngestRateLimit({ retryAfter: 60 })
    try {
      const run = await runBundle(
        {
          ...baseInputs(),
          'create-release': 'false',
          'probe-command': PROBE_COMMAND,
          timeout: '5s'
        },
        probeEnv()
      )
      expect(run.status).toBe(1)
      const error = errorLine(run)
      expect(error).toContain("The app's event did not appear")
      expect(error).toContain(
        "The action's own event could not be sent either: Sentry rate-limits events sent with this DSN (429)"
      )
      expect(run.summary).toMatch(
        /\| action's own event \|[^\n]*not sent[^\n]*❌ fail/
      )
      expectNoSecrets(run)
    } finally {
      sentry.setIngestRateLimit(null)
    }
  }, 30_000)
})
