/**
 * The committed bundle, run as the runner runs it, against the Sentry
 * stand-in and the REAL example app (gunicorn from .venv, the real
 * sentry-sdk sending real envelopes). The app is started once for the file;
 * each case varies the action's inputs or the stand-in's faults.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { SentryStandIn } from '@shipyard/stand-ins'
import {
  everything,
  HAS_VENV,
  runBundle,
  startApp,
  TRIGGER_PATH,
  type App,
  type BundleRun
} from './fixtures/harness.js'

const APP_RELEASE = 'shop@1.4.2'
const APP_ENVIRONMENT = 'production'
const TRIGGER_TOKEN = 'verify-token-Zq81mN0pXy'

const sentry = new SentryStandIn({
  ingestionDelayMs: 300,
  extraProjects: [{ slug: 'other-app' }]
})
let app: App
let env: Record<string, string>

if (!HAS_VENV)
  process.stderr.write(
    'sentry-verify: .venv is absent; create it with `bash scripts/python-env.sh`\n'
  )
const suite = HAS_VENV ? describe : describe.skip

beforeAll(async () => {
  await sentry.start()
  env = sentry.env()
  if (!HAS_VENV) return
  app = await startApp({
    SENTRY_DSN: env['SENTRY_DSN'] ?? '',
    SENTRY_ENVIRONMENT: APP_ENVIRONMENT,
    SENTRY_RELEASE: APP_RELEASE,
    SENTRY_VERIFY_TOKEN: TRIGGER_TOKEN
  })
}, 60_000)

afterAll(async () => {
  await app?.stop()
  await sentry.stop()
})

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'sentry-url': env['SENTRY_URL'] ?? '',
    'auth-token': env['SENTRY_AUTH_TOKEN'] ?? '',
    org: env['SENTRY_ORG'] ?? '',
    project: env['SENTRY_PROJECT'] ?? '',
    dsn: env['SENTRY_DSN'] ?? '',
    environment: APP_ENVIRONMENT,
    release: APP_RELEASE,
    'app-url': app.url,
    'trigger-path': TRIGGER_PATH,
    'trigger-token': TRIGGER_TOKEN,
    timeout: '20s',
    ...extra
  }
}

/** The secrets of a run: none may appear in anything it wrote. */
function expectNoSecrets(run: BundleRun): void {
  const text = everything(run)
  const project = sentry.project
  for (const secret of [
    env['SENTRY_AUTH_TOKEN'],
    env['SENTRY_CI_TOKEN'],
    env['SENTRY_DSN'],
    project.publicKey,
    project.secretKey,
    TRIGGER_TOKEN
  ])
    expect(text).not.toContain(secret)
}

function errorLine(run: BundleRun): string {
  return run.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? ''
}

suite('sentry-verify bundle against the example app', () => {
  it('records the release and deploy, finds the event and verifies every check', async () => {
    const before = sentry.requests.length
    const run = await runBundle(inputs())
    expect(errorLine(run)).toBe('')
    expect(run.status).toBe(0)

    const sent = sentry.requests.slice(before)
    const create = sent.find(
      (r) => r.method === 'POST' && r.path.endsWith('/releases/')
    )
    expect(create?.status).toBe(201)
    expect(create?.body).toEqual({
      version: APP_RELEASE,
      projects: ['example']
    })
    const finalize = sent.find((r) => r.method === 'PUT')
    expect(finalize?.path).toBe(
      `/api/0/organizations/shipyard/releases/${encodeURIComponent(APP_RELEASE)}/`
    )
    expect(finalize?.body).toMatchObject({
      dateReleased: expect.any(String) as unknown,
      commits: [{ id: 'a'.repeat(40), repository: 'acme/shop' }]
    })
    const deploys = await (
      await fetch(
        `${env['SENTRY_URL']}/api/0/organizations/shipyard/releases/${encodeURIComponent(APP_RELEASE)}/deploys/`,
        { headers: { authorization: `Bearer ${env['SENTRY_AUTH_TOKEN']}` } }
      )
    ).json()
    expect(deploys).toEqual([
      expect.objectContaining({
        environment: APP_ENVIRONMENT,
        name: 'shipyard 4242.1',
        url: `${app.url}/`
      })
    ])
    const release = await (
      await fetch(
        `${env['SENTRY_URL']}/api/0/organizations/shipyard/releases/${encodeURIComponent(APP_RELEASE)}/`,
        { headers: { authorization: `Bearer ${env['SENTRY_AUTH_TOKEN']}` } }
      )
    ).json()
    expect(release).toMatchObject({
      version: APP_RELEASE,
      commitCount: 1,
      dateReleased: expect.any(String) as unknown
    })

    // The outputs point at the real event the app sent through sentry-sdk.
    const { outputs } = run
    expect(outputs['verified']).toBe('true')
    expect(outputs['release']).toBe(APP_RELEASE)
    const stored = sentry
      .storedEvents()
      .find((e) => e.eventId === outputs['event-id'])
    expect(stored).toBeDefined()
    expect(stored?.client).toMatch(/^sentry\.python/)
    expect(outputs['issue-id']).toBe(stored?.groupId)
    expect(outputs['issue-url']).toBe(
      `${env['SENTRY_URL']}/organizations/shipyard/issues/${stored?.groupId}/`
    )
    expect(outputs['event-url']).toBe(
      `${env['SENTRY_URL']}/organizations/shipyard/issues/${stored?.groupId}/events/${outputs['event-id']}/`
    )
    expect(Number(outputs['latency-seconds'])).toBeGreaterThanOrEqual(0.3)
    expect(Number(outputs['latency-seconds'])).toBeLessThan(10)

    // The summary lists every check, passed, with the links and timings.
    for (const check of [
      'tag shipyard.nonce',
      'release',
      'environment',
      'level',
      'exception',
      'breadcrumb',
      'no personal data',
      "action's own event"
    ])
      expect(run.summary).toMatch(new RegExp(`\\| ${check} \\|[^\\n]*✅ pass`))
    // The action's own event: sent by @sentry/node with the DSN (the SDK
    // authenticates in the query string), tagged with the run id.
    const own = sentry
      .storedEvents()
      .find(
        (e) =>
          e.view.tags.some((t) => t.key === 'shipyard.synthetic') &&
          e.view.tags.some(
            (t) => t.key === 'shipyard.run_id' && t.value === '4242'
          )
      )
    expect(own?.view.release).toBe(APP_RELEASE)
    expect(own?.auth).toBe('query')
    expect(own?.view.message).toContain(
      'shipyard sentry-verify: synthetic event'
    )
    expect(run.summary).toContain('ShipyardVerificationError')
    expect(run.summary).toContain('Sentry verification started')
    expect(run.summary).toContain(outputs['event-url'])
    expect(run.summary).toContain('| Wait for the events |')
    expect(run.summary).toContain('Release created (201)')
    expectNoSecrets(run)
  })

  it('accepts a release that exists (208) and creates no second one', async () => {
    const before = sentry.requests.length
    const run = await runBundle(inputs())
    expect(errorLine(run)).toBe('')
    expect(run.status).toBe(0)
    const creates = sentry.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.path.endsWith('/releases/'))
    expect(creates.map((r) => r.status)).toEqual([208])
    expect(run.summary).toContain('Release already there (208)')
    const releases = (await (
      await fetch(
        `${env['SENTRY_URL']}/api/0/organizations/shipyard/releases/`,
        {
          headers: { authorization: `Bearer ${env['SENTRY_AUTH_TOKEN']}` }
        }
      )
    ).json()) as Array<{ version: string }>
    expect(releases.filter((r) => r.version === APP_RELEASE)).toHaveLength(1)
    expectNoSecrets(run)
  })

  it('refuses the DSN of another project before changing or triggering anything', async () => {
    const other = sentry.projects[1]
    if (!other) throw new Error('no second project')
    const before = sentry.requests.length
    const eventsBefore = sentry.storedEvents().length
    const run = await runBundle(
      inputs({ dsn: sentry.dsn(other), release: 'never-1' })
    )
    expect(run.status).toBe(1)
    expect(errorLine(run)).toContain(
      "The DSN given in 'dsn' is not a client key of the Sentry project shipyard/example"
    )
    expect(errorLine(run)).toContain(
      `points at project id ${other.id}, but shipyard/example is project id ${sentry.project.id}`
    )
    const sent = sentry.requests.slice(before)
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/0/projects/shipyard/example/keys/'
    ])
    expect(sentry.storedEvents()).toHaveLength(eventsBefore)
    expect(run.outputs['verified']).toBe('false')
    expect(run.summary).toContain('Sentry verification failed')
    expect(everything(run)).not.toContain(other.publicKey)
    expectNoSecrets(run)
  })

  it('names the wrong release and the wrong environment the app reports', async () => {
    const run = await runBundle(
      inputs({ release: 'shop@2.0.0', environment: 'staging' })
    )
    expect(run.status).toBe(1)
    const error = errorLine(run)
    expect(error).toContain(
      'release: expected shop@2.0.0, the event has shop@1.4.2'
    )
    expect(error).toContain(
      'environment: expected staging, the event has production'
    )
    expect(error).toContain('SENTRY_RELEASE')
    expect(error).toContain('SENTRY_ENVIRONMENT')
    // The other checks passed, and the event is still linked.
    expect(run.summary).toMatch(
      /\| release \| shop@2\.0\.0 \| shop@1\.4\.2 \| ❌ fail/
    )
    expect(run.summary).toMatch(/\| level \| error \| error \| ✅ pass/)
    expect(run.outputs['verified']).toBe('false')
    expect(run.outputs['event-id']).toMatch(/^[0-9a-f]{32}$/)
    expectNoSecrets(run)
  })

  it('explains a CI-only organization token: the wrong kind of token, and the scopes needed', async () => {
    const run = await runBundle(
      inputs({ 'auth-token': env['SENTRY_CI_TOKEN'] ?? '' })
    )
    expect(run.status).toBe(1)
    const error = errorLine(run)
    expect(error).toContain('403')
    expect(error).toContain('organization token (sntrys_…)')
    expect(error).toContain('project:read')
    expect(error).toContain('event:read')
    expect(run.stdout).toContain('::warning::')
    expectNoSecrets(run)
  })

  it('names a wrong trigger token, and a disabled endpoint', async () => {
    const wrong = await runBundle(
      inputs({
        'trigger-token': 'not-the-token-123',
        'create-release': 'false'
      })
    )
    expect(wrong.status).toBe(1)
    expect(errorLine(wrong)).toContain(
      "answered 403: the app refused the token. 'trigger-token' must equal the app's SENTRY_VERIFY_TOKEN"
    )
    const missing = await runBundle(
      inputs({
        'trigger-path': '/no-such-endpoint/',
        'create-release': 'false'
      })
    )
    expect(missing.status).toBe(1)
    expect(errorLine(missing)).toContain('answered 404')
    expect(errorLine(missing)).toContain('SENTRY_VERIFY_TOKEN')
    expectNoSecrets(wrong)
    expectNoSecrets(missing)
  })

  it('survives 429 and 5xx bursts on the web API without a duplicate release or deploy', async () => {
    for (const fault of [
      {
        kind: 'error-burst' as const,
        path: '/releases/$',
        method: 'POST',
        count: 2
      },
      {
        kind: 'rate-limit' as const,
        path: '/releases/[^/]+/$',
        method: 'PUT',
        count: 1
      },
      {
        kind: 'error-burst' as const,
        path: '/deploys/$',
        method: 'POST',
        count: 1,
        status: 502
      },
      {
        kind: 'rate-limit' as const,
        path: '/organizations/shipyard/events/$',
        count: 2
      },
      {
        kind: 'error-burst' as const,
        path: '/projects/shipyard/example/events/',
        count: 2
      }
    ])
      sentry.addFault(fault)
    const before = sentry.requests.length
    const run = await runBundle(inputs(), { GITHUB_RUN_ID: '5151' })
    const sent = sentry.requests.slice(before)
    expect(errorLine(run)).toBe('')
    expect(run.status).toBe(0)
    expect(sent.filter((r) => r.fault).length).toBe(8)
    const creates = sent.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/releases/')
    )
    expect(creates.map((r) => r.status)).toEqual([503, 503, 208])
    const deploys = (await (
      await fetch(
        `${env['SENTRY_URL']}/api/0/organizations/shipyard/releases/${encodeURIComponent(APP_RELEASE)}/deploys/`,
        { headers: { authorization: `Bearer ${env['SENTRY_AUTH_TOKEN']}` } }
      )
    ).json()) as Array<{ name: string }>
    expect(deploys.filter((d) => d.name === 'shipyard 5151.1')).toHaveLength(1)
    expect(run.outputs['verified']).toBe('true')
    expectNoSecrets(run)
  }, 60_000)
})
