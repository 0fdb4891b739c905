/**
 * Secrets never leak: every committed bundle, run as the runner runs it
 * against the stand-ins, on success and failure paths (debug logging on,
 * HTTP errors whose body echoes the request, answers that make the code
 * fail unexpectedly, crashes reported with `self-report-dsn`), with a
 * distinct random sentinel for every secret input. Everything a run
 * produces is scanned for every sentinel in every form (plain, URL-encoded,
 * base64, split across lines): stdout, stderr, GITHUB_OUTPUT, GITHUB_ENV,
 * GITHUB_STATE, the job summary, every file left in the workspace and
 * RUNNER_TEMP, and the request logs of every service a secret does not
 * belong to. Each scenario also proves it reached the path it claims.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  DockerHubStandIn,
  GitHubStandIn,
  ReadTheDocsStandIn,
  RenderStandIn,
  SentryStandIn,
  type StandIn
} from '@shipyard/stand-ins'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { FakeRuntime } from '../../actions/render-deploy/__tests__/fixtures/fake-runtime.js'
import { TIMINGS } from '../../actions/render-deploy/__tests__/fixtures/world.js'
import {
  djangoProject,
  DJANGO
} from '../../actions/ci-test/__tests__/support/django-fixture.js'
import { sharedCache } from '../../actions/ci-test/__tests__/support/run-bundle.js'
import { smallProject } from '../../actions/sphinx-docs/__tests__/run-action.js'
import {
  BASE_IMAGE,
  containerEnv,
  registryTags,
  removeImages,
  startRegistry,
  stopRegistry,
  type Registry
} from '../../actions/docker-publish/__tests__/harness.js'
import {
  hex,
  placesOf,
  ROOT,
  runBundle,
  runnerView,
  scan,
  scratchDir,
  serviceSecrets,
  type ActionName,
  type Finding,
  type Run
} from './harness.js'

const VENV_BIN = path.join(ROOT, '.venv', 'bin')
const VENV_PYTHON = path.join(VENV_BIN, 'python')
const PROBE = path.join(
  ROOT,
  'actions',
  'sentry-verify',
  '__tests__',
  'fixtures',
  'probe.py'
)
const SMOKE_APP = 'actions/docker-publish/__tests__/fixtures/smoke-app'
const REPOSITORY = 'shipyard/example'
const IMAGE = '127.0.0.1:5999/shipyard/example'

/** One distinct random value per secret input. */
const S = {
  ...serviceSecrets(),
  triggerToken: `trig-${hex(12)}`,
  ciEnvSecretKey: `django-insecure-${hex(20)}`,
  ciEnvApiToken: `shop/tok+${hex(10)}==`,
  smokeEnvValue: `smoke-${hex(12)}`,
  buildSecret: `build-${hex(12)}`,
  wrongPassword: `Wrong-${hex(10)}`
}
/** Known once the services start. */
const late: Record<string, string> = {}

function secrets(): Record<string, string> {
  return { ...S, ...late }
}

/** The secrets each service may receive (its own credentials). */
const BELONGS: Record<string, string[]> = {
  Render: ['renderApiKey', 'hookKey'],
  GitHub: ['githubToken'],
  Sentry: ['sentryToken', 'dsnPublicKey', 'selfReportKey'],
  'Read the Docs': ['rtdToken'],
  'Docker Hub': ['dockerhubToken', 'registryPassword'],
  liar: ['renderApiKey', 'sentryToken', 'rtdToken', 'githubToken'],
  app: ['triggerToken']
}

interface Logged {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * A small HTTP server for the cases the stand-ins do not play: an app whose
 * verification endpoint fails echoing the request, and a service that
 * answers nonsense (valid JSON of the wrong shape), echoing its credentials.
 */
class Echo {
  readonly log: Logged[] = []
  #server?: Server
  url = ''
  constructor(
    readonly name: string,
    public answer: (req: Logged) => { status: number; body: string }
  ) {}

  async start(): Promise<void> {
    this.#server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (d: string) => (body += d))
      req.on('end', () => {
        const entry = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body
        }
        this.log.push(entry)
        const reply = this.answer(entry)
        res.writeHead(reply.status, { 'content-type': 'application/json' })
        res.end(reply.body)
      })
    })
    await new Promise<void>((resolve) =>
      this.#server?.listen(0, '127.0.0.1', resolve)
    )
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()))
  }
}

const echoOf = (req: Logged): string =>
  JSON.stringify({
    message: `cannot handle ${req.method} ${req.url}`,
    request: req
  })

const fake = new FakeRuntime()
fake.addImage(`${IMAGE}:v1`, 'healthy')
fake.addImage(`${IMAGE}:v2`, 'healthy')
fake.addImage(`${IMAGE}:crash`, 'crash')
fake.addImage(`${IMAGE}:sick`, 'sick-after-live')
fake.addImage(`${IMAGE}:hang`, 'hang')
const render = new RenderStandIn({
  apiKey: S.renderApiKey,
  registry: { host: '127.0.0.1:5999', username: 'shipyard', password: 'pw' },
  imagePath: `${IMAGE}:latest`,
  runtime: fake,
  timings: TIMINGS
})
const github = new GitHubStandIn({ token: S.githubToken })
const sentry = new SentryStandIn({
  authToken: S.sentryToken,
  publicKey: S.dsnPublicKey,
  ingestionDelayMs: 200,
  extraProjects: [
    {
      slug: 'shipyard-self',
      id: '4507000000000099',
      publicKey: S.selfReportKey
    }
  ]
})
const rtd = new ReadTheDocsStandIn({
  token: S.rtdToken,
  stepDelayMs: 100,
  projects: [{ slug: 'mylib' }]
})
const dockerhub = new DockerHubStandIn({ token: S.dockerhubToken })
const standIns: StandIn[] = [render, github, sentry, rtd, dockerhub]
const app = new Echo('app', (req) => ({ status: 500, body: echoOf(req) }))
const liar = new Echo('liar', () => ({ status: 200, body: 'null' }))
let registry: Registry | undefined
let podmanEnv: Record<string, string> = {}

const findings: Finding[] = []
const ran: Array<{ name: string; action: ActionName; ms: number }> = []

beforeAll(async () => {
  await Promise.all([
    ...standIns.map((s) => s.start()),
    app.start(),
    liar.start()
  ])
  late['hookKey'] =
    new URL(render.deployHookUrl()).searchParams.get('key') ?? ''
  podmanEnv = containerEnv()
  registry = await startRegistry(podmanEnv)
  late['registryPassword'] = registry.password
}, 120_000)

afterAll(async () => {
  if (registry) {
    removeImages(podmanEnv, `${registry.host}/`)
    stopRegistry(registry)
  }
  await Promise.all([...standIns.map((s) => s.stop()), app.stop(), liar.stop()])
  const byAction = new Map<string, number>()
  for (const r of ran) byAction.set(r.action, (byAction.get(r.action) ?? 0) + 1)
  process.stdout.write(
    `secret scan: ${ran.length} scenarios (${[...byAction].map(([a, n]) => `${a} ${n}`).join(', ')}), ${Object.keys(secrets()).length} sentinels, ${findings.length} findings\n`
  )
})

const DEBUG = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }

function sentryDsn(key: string, projectId: string): string {
  const url = new URL(sentry.url)
  return `http://${key}@${url.host}/${projectId}`
}
const appDsn = (): string => sentryDsn(S.dsnPublicKey, '4507000000000001')
const selfDsn = (): string => sentryDsn(S.selfReportKey, '4507000000000099')

function githubEnv(): Record<string, string> {
  return {
    GITHUB_API_URL: github.url,
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_SHA: github.branchSha(REPOSITORY),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_EVENT_NAME: 'push'
  }
}

/** Envelopes the self-report project received since the scenario began. */
function selfReports(): number {
  return sentry.requests.filter((r) =>
    r.path.startsWith('/api/4507000000000099/')
  ).length
}

function resetWorld(): void {
  for (const s of standIns) {
    s.requests.length = 0
    s.clearFaults()
  }
  render.resetLimits()
  app.log.length = 0
  liar.log.length = 0
}

/** Every service's request log, as the places a misplaced secret would show. */
function logsOf(): Array<[string, string]> {
  return [
    ...standIns.map((s): [string, string] => [
      s.name,
      JSON.stringify(s.requests, null, 1)
    ]),
    ['app', JSON.stringify(app.log, null, 1)],
    ['liar', JSON.stringify(liar.log, null, 1)]
  ]
}

function scanAll(name: string, run: Run): Finding[] {
  const all = secrets()
  const found = scan(name, all, placesOf(run))
  for (const [service, text] of logsOf()) {
    const foreign = Object.fromEntries(
      Object.entries(all).filter(([k]) => !(BELONGS[service] ?? []).includes(k))
    )
    found.push(...scan(name, foreign, { [`${service} request log`]: text }))
  }
  return found
}

interface Scenario {
  name: string
  action: ActionName
  /** Faults, seeds; what runs before the bundle. */
  setup?: () => Promise<void> | void
  inputs: () => Record<string, string>
  env?: () => Record<string, string>
  /** Default: a fresh empty one. */
  workspace?: () => string
  /** Proves the run went the way the scenario says. */
  check: (run: Run) => void | Promise<void>
  timeoutMs?: number
}

const errorText = (run: Run): string => run.errors.join('\n')

// ---------------------------------------------------------------- render-deploy

function renderInputs(
  extra: Record<string, string> = {}
): Record<string, string> {
  return {
    'service-id': render.serviceId,
    'api-key': S.renderApiKey,
    'render-api-url': `${render.url}/v1`,
    'github-token': S.githubToken,
    timeout: '10s',
    ...extra
  }
}

const renderScenarios: Scenario[] = [
  {
    name: 'render-deploy: API deploy goes live, GitHub deployment recorded',
    action: 'render-deploy',
    inputs: () => renderInputs({ 'image-url': `${IMAGE}:v1` }),
    env: githubEnv,
    check: (run) => {
      expect(run.errors).toEqual([])
      expect(run.code).toBe(0)
      expect(run.outputs['status']).toBe('live')
      expect(github.received('/deployments', 'POST').length).toBeGreaterThan(0)
    }
  },
  {
    name: 'render-deploy: API deploy live, debug logging on',
    action: 'render-deploy',
    inputs: () => renderInputs({ 'image-url': `${IMAGE}:v2` }),
    env: () => ({ ...githubEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(0)
      expect(run.outputs['status']).toBe('live')
      expect(run.stdout).toMatch(/^::debug::/m)
    }
  },
  {
    name: 'render-deploy: deploy hook, debug on',
    action: 'render-deploy',
    inputs: () => ({
      'deploy-hook-url': render.deployHookUrl(),
      'image-url': `${IMAGE}:v1`,
      'github-deployment': 'false'
    }),
    env: () => ({ ...githubEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(0)
      expect(render.received('^/deploy/', 'POST').length).toBe(1)
    }
  },
  {
    name: 'render-deploy: the deploy fails (update_failed), self-report on',
    action: 'render-deploy',
    inputs: () =>
      renderInputs({
        'image-url': `${IMAGE}:crash`,
        'self-report-dsn': selfDsn()
      }),
    env: () => ({ ...githubEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/ended update_failed/)
    }
  },
  {
    name: 'render-deploy: health check fails after live, rolled back',
    action: 'render-deploy',
    inputs: () =>
      renderInputs({ 'image-url': `${IMAGE}:sick`, 'health-path': '/health' }),
    env: githubEnv,
    check: (run) => {
      expect(run.code).toBe(1)
      expect(run.outputs['rolled-back']).toBe('true')
    },
    timeoutMs: 60_000
  },
  {
    name: 'render-deploy: the new deploy never answers its health check (update_failed)',
    action: 'render-deploy',
    inputs: () => renderInputs({ 'image-url': `${IMAGE}:hang` }),
    env: () => ({ ...githubEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/ended update_failed.*still serving/)
    },
    timeoutMs: 60_000
  },
  {
    name: 'render-deploy: wrong API key (401)',
    action: 'render-deploy',
    inputs: () =>
      renderInputs({ 'api-key': S.wrongPassword, 'image-url': `${IMAGE}:v1` }),
    env: githubEnv,
    check: (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/401/)
    }
  },
  {
    name: 'render-deploy: Render answers an error echoing the request, debug on',
    action: 'render-deploy',
    setup: () => {
      render.addFault({ kind: 'echo', status: 400, count: -1, path: '^/v1/' })
    },
    inputs: () => renderInputs({ 'image-url': `${IMAGE}:v1` }),
    env: () => ({ ...githubEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/400/)
      expect(render.requests.some((r) => r.fault === 'echo')).toBe(true)
    }
  },
  {
    name: 'render-deploy: the deploy hook answers an error echoing its URL',
    action: 'render-deploy',
    setup: () => {
      render.addFault({
        kind: 'echo',
        status: 400,
        count: -1,
        path: '^/deploy/'
      })
    },
    inputs: () => ({
      'deploy-hook-url': render.deployHookUrl(),
      'image-url': `${IMAGE}:v1`,
      'github-deployment': 'false'
    }),
    env: () => ({ ...githubEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(render.requests.some((r) => r.fault === 'echo')).toBe(true)
    }
  },
  {
    name: 'render-deploy: GitHub answers an error echoing the request',
    action: 'render-deploy',
    setup: () => {
      github.addFault({ kind: 'echo', status: 422, count: -1 })
    },
    inputs: () => renderInputs({ 'image-url': `${IMAGE}:v2` }),
    env: () => ({ ...githubEnv(), ...DEBUG }),
    check: (run) => {
      expect(github.requests.some((r) => r.fault === 'echo')).toBe(true)
      expect(run.stdout).toMatch(
        /^::warning::No GitHub deployment recorded.*Bad request: POST/m
      )
      expect(run.outputs['status']).toBe('live')
    }
  },
  {
    name: 'render-deploy: Render answers JSON of the wrong shape (crash), self-report on',
    action: 'render-deploy',
    setup: () => {
      liar.answer = () => ({ status: 200, body: 'null' })
    },
    inputs: () =>
      renderInputs({
        'render-api-url': `${liar.url}/v1`,
        'image-url': `${IMAGE}:v1`,
        'self-report-dsn': selfDsn()
      }),
    env: () => ({ ...githubEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(liar.log.length).toBeGreaterThan(0)
      expect(selfReports()).toBeGreaterThan(0)
      expect(run.errors.length).toBe(1)
    }
  },
  {
    name: 'render-deploy: Render answers truncated JSON',
    action: 'render-deploy',
    setup: () => {
      render.addFault({ kind: 'malformed', count: -1, path: '^/v1/' })
    },
    inputs: () =>
      renderInputs({
        'image-url': `${IMAGE}:v1`,
        'self-report-dsn': selfDsn()
      }),
    env: () => ({ ...githubEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(render.requests.some((r) => r.fault === 'malformed')).toBe(true)
    }
  }
]

// ---------------------------------------------------------------- sentry-verify

function sentryInputs(
  extra: Record<string, string> = {}
): Record<string, string> {
  return {
    'sentry-url': sentry.url,
    'auth-token': S.sentryToken,
    org: 'shipyard',
    project: 'example',
    dsn: appDsn(),
    environment: 'sec-env',
    release: 'sec@1.0.0',
    ...extra
  }
}

function probeEnv(): Record<string, string> {
  return {
    ...githubEnv(),
    SENTRY_DSN: appDsn(),
    SENTRY_RELEASE: 'sec@1.0.0',
    SENTRY_ENVIRONMENT: 'sec-env'
  }
}
const probeCommand = `"${VENV_PYTHON}" "${PROBE}"`

const sentryScenarios: Scenario[] = [
  {
    name: 'sentry-verify: probe event verified',
    action: 'sentry-verify',
    inputs: () =>
      sentryInputs({ 'probe-command': probeCommand, timeout: '30s' }),
    env: probeEnv,
    check: (run) => {
      expect(run.errors).toEqual([])
      expect(run.outputs['verified']).toBe('true')
    }
  },
  {
    name: 'sentry-verify: probe event verified, debug on',
    action: 'sentry-verify',
    inputs: () =>
      sentryInputs({
        'probe-command': probeCommand,
        timeout: '30s',
        'self-report-dsn': selfDsn()
      }),
    env: () => ({ ...probeEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.outputs['verified']).toBe('true')
      expect(run.stdout).toMatch(/^::debug::/m)
    }
  },
  {
    name: 'sentry-verify: wrong auth token (401)',
    action: 'sentry-verify',
    inputs: () =>
      sentryInputs({
        'auth-token': `sntryu_${hex(32)}`,
        'probe-command': probeCommand
      }),
    env: () => ({ ...probeEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/401|auth-token/)
    }
  },
  {
    name: 'sentry-verify: Sentry API answers an error echoing the request, debug on',
    action: 'sentry-verify',
    setup: () => {
      sentry.addFault({
        kind: 'echo',
        status: 400,
        count: -1,
        path: '^/api/0/'
      })
    },
    inputs: () => sentryInputs({ 'probe-command': probeCommand }),
    env: () => ({ ...probeEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(sentry.requests.some((r) => r.fault === 'echo')).toBe(true)
    }
  },
  {
    name: 'sentry-verify: the app endpoint fails echoing the token',
    action: 'sentry-verify',
    inputs: () =>
      sentryInputs({
        'create-release': 'false',
        'app-url': app.url,
        'trigger-path': '/_shipyard/sentry-verify/',
        'trigger-token': S.triggerToken,
        timeout: '5s'
      }),
    env: () => ({ ...githubEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(app.log.length).toBeGreaterThan(0)
      expect(run.summary).toContain('500')
    },
    timeoutMs: 40_000
  },
  {
    name: 'sentry-verify: the event never arrives (probe sends nothing)',
    action: 'sentry-verify',
    inputs: () =>
      sentryInputs({
        'create-release': 'false',
        'probe-command': 'true',
        timeout: '5s',
        'self-report-dsn': selfDsn()
      }),
    env: () => ({ ...probeEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/did not appear/)
    },
    timeoutMs: 40_000
  },
  {
    name: 'sentry-verify: Sentry answers JSON of the wrong shape (crash), self-report on',
    action: 'sentry-verify',
    setup: () => {
      liar.answer = (req) => ({
        status: 200,
        body: JSON.stringify([null, { id: req.headers['authorization'] }])
      })
    },
    inputs: () =>
      sentryInputs({
        'sentry-url': liar.url,
        'probe-command': probeCommand,
        'self-report-dsn': selfDsn()
      }),
    env: () => ({ ...probeEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(liar.log.length).toBeGreaterThan(0)
      expect(selfReports()).toBeGreaterThan(0)
    }
  },
  {
    name: 'sentry-verify: Sentry answers truncated JSON',
    action: 'sentry-verify',
    setup: () => {
      sentry.addFault({ kind: 'malformed', count: -1, path: '^/api/0/' })
    },
    inputs: () => sentryInputs({ 'probe-command': probeCommand }),
    env: () => ({ ...probeEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(sentry.requests.some((r) => r.fault === 'malformed')).toBe(true)
    }
  }
]

// ---------------------------------------------------------------- sphinx-docs

const workspaces: string[] = []
function sphinxWorkspace(): string {
  const dir = smallProject()
  workspaces.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of workspaces) fs.rmSync(dir, { recursive: true, force: true })
})

function rtdInputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    python: VENV_PYTHON,
    'rtd-project': 'mylib',
    'rtd-token': S.rtdToken,
    'rtd-api-url': `${rtd.url}/api/v3/`,
    ...extra
  }
}

const sphinxScenarios: Scenario[] = [
  {
    name: 'sphinx-docs: local build, Read the Docs build triggered and waited for',
    action: 'sphinx-docs',
    workspace: sphinxWorkspace,
    inputs: () => rtdInputs(),
    env: () => ({ ...DEBUG }),
    check: (run) => {
      expect(run.errors).toEqual([])
      expect(run.outputs['rtd-status']).toBe('success')
    },
    timeoutMs: 120_000
  },
  {
    name: 'sphinx-docs: Read the Docs answers an error echoing the request',
    action: 'sphinx-docs',
    workspace: sphinxWorkspace,
    setup: () => {
      rtd.addFault({ kind: 'echo', status: 400, count: -1, path: '^/api/v3/' })
    },
    inputs: () => rtdInputs({ 'self-report-dsn': selfDsn() }),
    env: () => ({ ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(rtd.requests.some((r) => r.fault === 'echo')).toBe(true)
    },
    timeoutMs: 120_000
  },
  {
    name: 'sphinx-docs: wrong Read the Docs token (401)',
    action: 'sphinx-docs',
    workspace: sphinxWorkspace,
    inputs: () => rtdInputs({ 'rtd-token': S.wrongPassword }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/401|rtd-token/)
    },
    timeoutMs: 120_000
  },
  {
    name: 'sphinx-docs: Read the Docs answers JSON of the wrong shape (crash)',
    action: 'sphinx-docs',
    workspace: sphinxWorkspace,
    setup: () => {
      liar.answer = (req) => ({
        status: 202,
        body: JSON.stringify({ build: req.headers['authorization'] })
      })
    },
    inputs: () =>
      rtdInputs({
        'rtd-api-url': `${liar.url}/api/v3/`,
        'self-report-dsn': selfDsn()
      }),
    env: () => ({ ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(liar.log.length).toBeGreaterThan(0)
      expect(selfReports()).toBeGreaterThan(0)
    },
    timeoutMs: 120_000
  },
  {
    name: 'sphinx-docs: no conf.py (local failure), Read the Docs never called',
    action: 'sphinx-docs',
    workspace: () => {
      const dir = smallProject({ docs: false })
      workspaces.push(dir)
      return dir
    },
    inputs: () => rtdInputs({ 'self-report-dsn': selfDsn() }),
    env: () => ({ ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(rtd.requests).toEqual([])
      expect(errorText(run)).toMatch(/conf\.py/)
    }
  }
]

// ---------------------------------------------------------------- ci-test

function ciWorkspace(): string {
  const dir = scratchDir('sec-ci-')
  workspaces.push(dir)
  djangoProject(dir, {
    requiredEnv: ['SECRET_KEY', 'SHOP_API_TOKEN'],
    files: { 'requirements.txt': `${DJANGO}\n` }
  })
  return dir
}
const ciEnvInput = (): string =>
  `SECRET_KEY=${S.ciEnvSecretKey}\nSHOP_API_TOKEN=${S.ciEnvApiToken}`

function pipEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (
      value &&
      /^(PIP_|UV_|SSL_CERT_|REQUESTS_CA_BUNDLE$|CURL_CA_BUNDLE$|(HTTPS?|NO)_PROXY$)/i.test(
        name
      )
    )
      env[name] = value
  }
  return env
}

const ciScenarios: Scenario[] = [
  {
    name: 'ci-test: tests pass with env secrets (cached environment), debug on',
    action: 'ci-test',
    workspace: ciWorkspace,
    inputs: () => ({
      env: ciEnvInput(),
      'cache-dir': sharedCache,
      'self-report-dsn': selfDsn()
    }),
    env: () => ({ ...pipEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.errors).toEqual([])
      expect(run.code).toBe(0)
      expect(run.outputs['tests']).toBe('2')
    },
    timeoutMs: 240_000
  },
  {
    name: 'ci-test: a failing test prints its environment (secrets in the output)',
    action: 'ci-test',
    workspace: () => {
      const dir = ciWorkspace()
      fs.writeFileSync(
        path.join(dir, 'test_leak.py'),
        [
          'import os',
          '',
          '',
          'def test_prints_the_secrets():',
          '    print("SECRET_KEY is", os.environ["SECRET_KEY"])',
          '    assert os.environ["SHOP_API_TOKEN"] == "something else"',
          ''
        ].join('\n')
      )
      return dir
    },
    inputs: () => ({
      env: ciEnvInput(),
      'cache-dir': sharedCache,
      'test-runner': 'pytest',
      'coverage-threshold': '0'
    }),
    env: () => ({ ...pipEnv(), ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/test_prints_the_secrets|failed/)
    },
    timeoutMs: 240_000
  },
  {
    name: 'ci-test: no Django project in the workspace',
    action: 'ci-test',
    inputs: () => ({ env: ciEnvInput(), 'self-report-dsn': selfDsn() }),
    env: () => ({ ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/manage\.py/)
    }
  },
  {
    name: 'ci-test: the Python interpreter does not exist',
    action: 'ci-test',
    workspace: ciWorkspace,
    inputs: () => ({
      env: ciEnvInput(),
      python: '/nonexistent/python3',
      'self-report-dsn': selfDsn()
    }),
    env: () => ({ ...DEBUG }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/python/i)
    }
  },
  {
    name: 'ci-test: a malformed env line (values masked before the error)',
    action: 'ci-test',
    workspace: ciWorkspace,
    inputs: () => ({ env: `${ciEnvInput()}\nnot a pair` }),
    check: (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/'env' on line 3/)
    }
  }
]

// ---------------------------------------------------------------- docker-publish

/** A workspace holding a copy of the smoke-test fixture and a README. */
function publishWorkspace(): string {
  const dir = scratchDir('sec-dp-')
  workspaces.push(dir)
  fs.cpSync(path.join(ROOT, SMOKE_APP), dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'README.md'), '# sec\n\nThe fixture.\n')
  return dir
}

function publishInputs(
  repository: string,
  extra: Record<string, string> = {}
): Record<string, string> {
  return {
    image: `${registry?.host ?? ''}/${repository}`,
    username: registry?.username ?? '',
    password: registry?.password ?? '',
    'build-args': `BASE_IMAGE=${BASE_IMAGE}`,
    'smoke-timeout': '20s',
    'smoke-env': `SHOP_TOKEN=${S.smokeEnvValue}`,
    secrets: `fixture_token=${S.buildSecret}`,
    cache: 'none',
    push: 'true',
    ...extra
  }
}
function publishEnv(): Record<string, string> {
  return { ...podmanEnv, ...githubEnv() }
}

const publishScenarios: Scenario[] = [
  {
    name: 'docker-publish: build, smoke test, push (smoke-env and build secret), debug on',
    action: 'docker-publish',
    workspace: publishWorkspace,
    inputs: () => publishInputs('sec/ok'),
    env: () => ({ ...publishEnv(), ...DEBUG }),
    check: async (run) => {
      expect(run.errors).toEqual([])
      expect(run.outputs['pushed']).toBe('true')
      expect(await registryTags(registry as Registry, 'sec/ok')).not.toEqual([])
    },
    timeoutMs: 240_000
  },
  {
    name: 'docker-publish: wrong registry password, stops before the build',
    action: 'docker-publish',
    workspace: publishWorkspace,
    inputs: () =>
      publishInputs('sec/denied', {
        password: S.wrongPassword,
        'self-report-dsn': selfDsn()
      }),
    env: () => ({ ...publishEnv(), ...DEBUG }),
    check: async (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/^Login to .* failed/)
      expect(await registryTags(registry as Registry, 'sec/denied')).toEqual([])
    }
  },
  {
    name: 'docker-publish: smoke test fails (the container exits), nothing pushed',
    action: 'docker-publish',
    workspace: publishWorkspace,
    inputs: () =>
      publishInputs('sec/broken', {
        'build-args': `BASE_IMAGE=${BASE_IMAGE}\nMODE=exit`
      }),
    env: publishEnv,
    check: async (run) => {
      expect(run.code).toBe(1)
      expect(errorText(run)).toMatch(/^The smoke test failed/)
      expect(await registryTags(registry as Registry, 'sec/broken')).toEqual([])
    },
    timeoutMs: 240_000
  },
  {
    name: 'docker-publish: Docker Hub description update answers an error echoing the request',
    action: 'docker-publish',
    workspace: publishWorkspace,
    setup: () => {
      dockerhub.addFault({ kind: 'echo', status: 400, count: -1 })
    },
    inputs: () =>
      publishInputs('sec/described', {
        'dockerhub-description': 'README.md',
        'dockerhub-api-url': dockerhub.url,
        'smoke-test': 'false',
        'smoke-env': '',
        'smoke-timeout': ''
      }),
    env: () => ({ ...publishEnv(), ...DEBUG }),
    check: (run) => {
      expect(dockerhub.requests.some((r) => r.fault === 'echo')).toBe(true)
      expect(run.stdout).toMatch(/Docker Hub description was not updated/)
    },
    timeoutMs: 240_000
  }
]

const scenarios: Scenario[] = [
  ...renderScenarios,
  ...sentryScenarios,
  ...sphinxScenarios,
  ...ciScenarios,
  ...publishScenarios
]

describe('secrets never leak', () => {
  it('the scan finds a secret in every form it looks for', () => {
    const secret = `tok/${hex(12)}+=`
    const half = Math.floor(secret.length / 2)
    const shown = {
      plain: `x ${secret} y`,
      url: `GET /?t=${encodeURIComponent(secret)}`,
      b64: Buffer.from(secret).toString('base64'),
      b64url: Buffer.from(secret).toString('base64url'),
      split: `line ${secret.slice(0, half)}\n> ${secret.slice(half)} more`
    }
    const found = scan('self-check', { secret }, shown)
    expect(new Set(found.map((f) => f.where))).toEqual(
      new Set(Object.keys(shown))
    )
    expect(scan('self-check', { secret }, { clean: 'nothing here' })).toEqual(
      []
    )
    const [log] = runnerView(
      `early ${secret}\n::add-mask::${secret}\nlate ${secret}`,
      ''
    )
    expect(log).toBe(`early ${secret}\nlate ***`)
  })

  it('covers at least 30 scenarios over all five actions', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(30)
    expect(new Set(scenarios.map((s) => s.action)).size).toBe(5)
  })

  it.each(scenarios.map((s) => [s.name, s] as const))(
    '%s',
    async (name, scenario) => {
      resetWorld()
      await scenario.setup?.()
      const run = await runBundle(scenario.action, {
        inputs: scenario.inputs(),
        env: scenario.env?.(),
        workspace: scenario.workspace?.(),
        timeoutMs: scenario.timeoutMs ?? 60_000
      })
      ran.push({ name, action: scenario.action, ms: run.ms })
      const found = scanAll(name, run)
      findings.push(...found)
      try {
        expect(run.timedOut).toBe(false)
        await scenario.check(run)
      } catch (error) {
        process.stdout.write(
          `--- ${name}: exit ${run.code}\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}\n`
        )
        throw error
      }
      expect(found).toEqual([])
    },
    300_000
  )

  it('the demo pipeline (scripts/demo/run-action.mjs): render-deploy, then sentry-verify on its outputs', async () => {
    resetWorld()
    const dir = scratchDir('sec-pipeline-')
    workspaces.push(dir)
    const started = Date.now()
    const step = async (
      action: ActionName,
      specs: string[]
    ): Promise<{ status: string; outputs: Record<string, string> }> => {
      const child = spawn(
        process.execPath,
        [
          path.join(ROOT, 'scripts', 'demo', 'run-action.mjs'),
          action,
          dir,
          ...specs
        ],
        {
          cwd: dir,
          env: {
            PATH: process.env['PATH'] ?? '',
            HOME: process.env['HOME'] ?? dir,
            GITHUB_WORKSPACE: dir,
            RUNNER_TEMP: dir,
            ...githubEnv(),
            RENDER_API_KEY: S.renderApiKey,
            GH_TOKEN: S.githubToken,
            SENTRY_AUTH_TOKEN: S.sentryToken,
            SENTRY_DSN: appDsn(),
            SELF_REPORT_DSN: selfDsn(),
            SENTRY_RELEASE: 'sec@1.0.0',
            SENTRY_ENVIRONMENT: 'sec-env'
          },
          stdio: 'ignore'
        }
      )
      await new Promise((resolve) => child.on('close', resolve))
      return JSON.parse(
        fs.readFileSync(path.join(dir, `${action}.json`), 'utf8')
      ) as { status: string; outputs: Record<string, string> }
    }
    const deployed = await step('render-deploy', [
      `service-id=${render.serviceId}`,
      'api-key=@RENDER_API_KEY',
      `render-api-url=${render.url}/v1`,
      `image-url=${IMAGE}:v2`,
      'github-token=@GH_TOKEN',
      'timeout=10s',
      'self-report-dsn=@SELF_REPORT_DSN'
    ])
    expect(deployed.status).toBe('success')
    const verified = await step('sentry-verify', [
      `sentry-url=${sentry.url}`,
      'auth-token=@SENTRY_AUTH_TOKEN',
      'org=shipyard',
      'project=example',
      'dsn=@SENTRY_DSN',
      'environment=sec-env',
      'release=sec@1.0.0',
      `deploy-url=${deployed.outputs['service-url'] ?? ''}`,
      `probe-command=${probeCommand}`,
      'timeout=30s',
      'self-report-dsn=@SELF_REPORT_DSN'
    ])
    expect(verified.status).toBe('success')
    ran.push({
      name: 'demo pipeline',
      action: 'render-deploy',
      ms: Date.now() - started
    })
    const places: Record<string, string> = {}
    for (const file of fs.readdirSync(dir))
      places[`pipeline file ${file}`] = fs.readFileSync(
        path.join(dir, file),
        'latin1'
      )
    const found = scan('demo pipeline', secrets(), places)
    for (const [service, text] of logsOf()) {
      const foreign = Object.fromEntries(
        Object.entries(secrets()).filter(
          ([k]) => !(BELONGS[service] ?? []).includes(k)
        )
      )
      found.push(
        ...scan('demo pipeline', foreign, { [`${service} request log`]: text })
      )
    }
    findings.push(...found)
    expect(found).toEqual([])
  }, 120_000)

  it('found no secret anywhere', () => {
    expect(ran.length).toBe(scenarios.length + 1)
    expect(findings).toEqual([])
  })
})
