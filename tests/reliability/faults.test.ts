/**
 * Issue #11, faults: every service × every fault, each cell driving the
 * real action code that talks to that service (with the settings the action
 * uses in production; only the step's `timeout` input is short) against its
 * stand-in (the real Distribution registry behind a fault proxy), with one
 * fault on one chosen request. Each cell must end, within its deadline, in
 * the outcome expected of it, with no stack trace in what it printed and no
 * duplicate deploy, build, release deploy or event.
 *
 * The observed table is written to docs/_generated/faults.txt (included by
 * docs/reliability.rst); the test fails when the committed table differs.
 * Regenerate with `UPDATE_FAULTS=1`.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { mockCore } from '@shipyard/action-kit/testing'
import type { FaultSpec, StandIn } from '@shipyard/stand-ins'
import { startFaultProxy, type ProxyFaultKind } from './fault-proxy.js'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)

const { run, parseDsn } = await import('@shipyard/action-kit')
const { DockerHubStandIn, ReadTheDocsStandIn, SentryStandIn } =
  await import('@shipyard/stand-ins')
const renderDeploy = await import('../../actions/render-deploy/src/main.js')
const world =
  await import('../../actions/render-deploy/__tests__/fixtures/world.js')
const { SentryClient } =
  await import('../../actions/sentry-verify/src/sentry-client.js')
const { recordRelease } =
  await import('../../actions/sentry-verify/src/release.js')
const { sendSynthetic } =
  await import('../../actions/sentry-verify/src/synthetic.js')
const { ReadTheDocsClient } =
  await import('../../actions/sphinx-docs/src/rtd.js')
const { updateDescription } =
  await import('../../actions/docker-publish/src/dockerhub.js')
const { registryDigest } =
  await import('../../actions/docker-publish/src/registry.js')
const harness =
  await import('../../actions/docker-publish/__tests__/harness.js')

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..'
)
const TABLE = path.join(root, 'docs', '_generated', 'faults.txt')

/** The six faults of the issue (the stand-ins know more). */
type FaultKind =
  'rate-limit' | 'error-burst' | 'drop' | 'slow' | 'malformed' | 'empty'

/** What a cell ended in. */
type Outcome =
  | 'succeeded'
  | 'failed clearly'
  | 'went on, with a warning'
  | 'hung'
  | 'crashed'

const FAULTS: ReadonlyArray<{ kind: FaultKind; title: string }> = [
  { kind: 'rate-limit', title: '429 with Retry-After' },
  { kind: 'error-burst', title: 'a burst of three 503s' },
  { kind: 'drop', title: 'connection reset' },
  { kind: 'slow', title: 'slow answer past the timeout' },
  { kind: 'malformed', title: 'malformed body' },
  { kind: 'empty', title: 'empty body' }
]

/** What one run against a fault left. */
interface Run {
  /** The step's failure message, or the error the module threw. */
  failure?: string
  /** Warnings the code printed. */
  warnings: string[]
  /** Everything the code printed. */
  output: string
  /** Duplicates found afterwards (deploys, builds, events…): must be none. */
  duplicates: string[]
}

interface Service {
  name: string
  /** How messages name the service. */
  says: RegExp
  /** The request the fault answers. */
  target: string
  /** What the code is, for the table. */
  code: string
  /** The per-attempt timeout the code uses, in ms: `slow` waits longer. */
  attemptTimeoutMs: number
  /** The outcome expected of each fault (the service's policy). */
  expected: Record<FaultKind, Outcome>
  start(): Promise<void>
  stop(): Promise<void>
  /** Runs the code once with the fault switched on. */
  run(fault: FaultSpec): Promise<Run>
  /** Switches off what is left of the fault (a burst not used up). */
  reset(): void
}

const slowSpec = (service: Service): FaultSpec => ({
  kind: 'slow',
  delayMs: service.attemptTimeoutMs + 1500
})

function spec(service: Service, kind: FaultKind): FaultSpec {
  if (kind === 'slow') return slowSpec(service)
  if (kind === 'error-burst') return { kind, count: 3, status: 503 }
  if (kind === 'rate-limit') return { kind, retryAfter: 1 }
  return { kind }
}

const CRASHES = ['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError']
const STACK =
  /^\s+at .+:\d+:\d+\)?$|\b(TypeError|ReferenceError|RangeError|SyntaxError)\b/m

function classify(service: Service, result: Run): Outcome {
  const texts = [result.failure ?? '', ...result.warnings, result.output]
  const trace = texts.map((t) => STACK.exec(t)?.[0]).find(Boolean)
  if (trace) {
    result.failure = `a stack trace or programming error: ${trace.trim()}`
    return 'crashed'
  }
  if (result.failure !== undefined)
    return service.says.test(result.failure) ? 'failed clearly' : 'crashed'
  const named = result.warnings.filter((w) => service.says.test(w))
  return named.length > 0 ? 'went on, with a warning' : 'succeeded'
}

/** Runs `fn` with a deadline; `undefined` when it did not end in time. */
async function within<T>(
  ms: number,
  fn: () => Promise<T>
): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  try {
    return await Promise.race([fn(), late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * What the step showed since `mark`: debug messages (a stack among them)
 * show only with ACTIONS_STEP_DEBUG, so they are left out.
 */
const shownSince = (mark: number): string =>
  core.log
    .slice(mark)
    .filter((entry) => !entry.startsWith('debug: '))
    .join('\n')

const warningsSince = (mark: number): string[] =>
  core.log
    .slice(mark)
    .filter((l) => l.startsWith('warning: '))
    .map((l) => l.slice('warning: '.length))

/** A module call: its thrown error is the failure. */
async function moduleRun(
  fn: () => Promise<void>,
  duplicates: () => Promise<string[]> | string[] = () => []
): Promise<Run> {
  const mark = core.log.length
  let failure: string | undefined
  try {
    await fn()
  } catch (error) {
    // A programming error keeps its name, so that it counts as a crash.
    failure =
      error instanceof Error
        ? CRASHES.includes(error.name)
          ? `${error.name}: ${error.message}`
          : error.message
        : String(error)
  }
  return {
    failure,
    warnings: warningsSince(mark),
    output: shownSince(mark),
    duplicates: await duplicates()
  }
}

// ------------------------------------------------------------------ Render

/** render-deploy's whole step (API mode) with a 10 s timeout. */
function renderService(options: { github: boolean }): Service {
  let dir = ''
  const github = options.github
  return {
    name: github ? 'GitHub API' : 'Render',
    says: github ? /GitHub/ : /Render/,
    target: github
      ? 'POST /repos/{owner}/{repo}/deployments'
      : 'GET /v1/services/{id}/deploys/{deployId} (the first poll)',
    code: 'render-deploy (whole step, timeout 10s)',
    // github-deployment.ts: 10 s per request; render-deploy: timeout / 4.
    attemptTimeoutMs: github ? 10_000 : 2500,
    expected: github
      ? {
          'rate-limit': 'went on, with a warning',
          'error-burst': 'went on, with a warning',
          drop: 'went on, with a warning',
          slow: 'went on, with a warning',
          malformed: 'went on, with a warning',
          empty: 'went on, with a warning'
        }
      : {
          'rate-limit': 'succeeded',
          'error-burst': 'succeeded',
          drop: 'succeeded',
          slow: 'succeeded',
          malformed: 'failed clearly',
          empty: 'failed clearly'
        },
    start() {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-render-'))
      return Promise.resolve()
    },
    stop() {
      fs.rmSync(dir, { recursive: true, force: true })
      return Promise.resolve()
    },
    // Each run has its own stand-ins.
    reset() {},
    async run(fault) {
      const w = await world.startWorld({}, [['v1'], ['v2']])
      try {
        await w.seed('v1')
        const target: StandIn = github ? w.github : w.render
        target.addFault({
          ...fault,
          method: github ? 'POST' : 'GET',
          path: github ? '/deployments$' : '/deploys/dep-',
          count: fault.count ?? 1
        })
        core.reset()
        core.setInputs(
          w.inputs({
            'image-url': `${world.IMAGE}:v2`,
            'github-deployment': String(github),
            timeout: '10s'
          })
        )
        const saved = { ...process.env }
        Object.assign(process.env, w.githubEnv, {
          GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md')
        })
        try {
          await run(renderDeploy.main)
        } finally {
          for (const key of Object.keys(process.env))
            if (!(key in saved)) delete process.env[key]
          Object.assign(process.env, saved)
        }
        const failure = core.setFailed.mock.calls[0]?.[0] as string | undefined
        const duplicates: string[] = []
        const deploys = w.render.deploys(w.serviceId).length
        if (deploys > 2) duplicates.push(`${deploys - 1} Render deploys`)
        const records = await w.githubDeployments()
        if (records.length > 1)
          duplicates.push(`${records.length} GitHub deployments`)
        return {
          failure,
          warnings: warningsSince(0),
          output: shownSince(0),
          duplicates
        }
      } finally {
        await w.stop()
      }
    }
  }
}

// ------------------------------------------------------------------ Sentry

const sentry = new SentryStandIn({ ingestionDelayMs: 0 })

const sentryIngestion: Service = {
  name: 'Sentry ingestion',
  says: /Sentry|sent to/,
  target: 'POST /api/{project}/envelope/',
  code: "sentry-verify's own event (@sentry/node)",
  // synthetic.ts: client.close(10_000).
  attemptTimeoutMs: 10_000,
  expected: {
    'rate-limit': 'went on, with a warning',
    'error-burst': 'went on, with a warning',
    drop: 'went on, with a warning',
    slow: 'went on, with a warning',
    malformed: 'succeeded',
    empty: 'succeeded'
  },
  start: async () => {},
  stop: async () => {},
  reset: () => sentry.clearFaults(),
  async run(fault) {
    sentry.addFault({ ...fault, method: 'POST', path: '/envelope/$' })
    const nonce = randomBytes(8).toString('hex')
    const before = sentry.received('/envelope/$', 'POST').length
    return moduleRun(
      async () => {
        await sendSynthetic({
          dsn: parseDsn('dsn', sentry.dsn()),
          nonce,
          release: 'faults@1.0.0',
          environment: 'production'
        })
      },
      () => {
        const stored = sentry
          .received('/envelope/$', 'POST')
          .slice(before)
          .filter((r) => r.status === 200 && !r.fault).length
        return stored > 1 ? [`${stored} events`] : []
      }
    )
  }
}

const sentryApi: Service = {
  name: 'Sentry web API',
  says: /Sentry/,
  target: 'POST /api/0/organizations/{org}/releases/{version}/deploys/',
  code: "sentry-verify's release and deploy record",
  // sentry-client.ts: 30 s per attempt.
  attemptTimeoutMs: 30_000,
  expected: {
    'rate-limit': 'succeeded',
    'error-burst': 'failed clearly',
    drop: 'succeeded',
    slow: 'succeeded',
    malformed: 'failed clearly',
    empty: 'succeeded'
  },
  start: async () => {},
  stop: async () => {},
  reset: () => sentry.clearFaults(),
  async run(fault) {
    sentry.addFault({ ...fault, method: 'POST', path: '/deploys/$' })
    const version = `faults-${fault.kind}-${randomBytes(3).toString('hex')}`
    return moduleRun(
      async () => {
        // As main.ts builds it.
        const client = new SentryClient({
          sentryUrl: new URL(sentry.url),
          authToken: sentry.authToken,
          http: { backoffMs: 500 }
        })
        await recordRelease(client, {
          org: sentry.org.slug,
          project: sentry.project.slug,
          version,
          environment: 'production',
          deployName: `shipyard ${version}`
        })
      },
      () => {
        const made = sentry
          .received(`/releases/${version}/deploys/$`, 'POST')
          .filter((r) => r.status === 201).length
        return made > 1 ? [`${made} Sentry deploys of ${version}`] : []
      }
    )
  }
}

// ------------------------------------------------------------ Read the Docs

const rtd = new ReadTheDocsStandIn({ stepDelayMs: 20, commands: false })

const readTheDocs: Service = {
  name: 'Read the Docs',
  says: /Read the Docs/,
  target: 'GET /api/v3/projects/{project}/builds/{id}/ (the first poll)',
  code: "sphinx-docs' build trigger and wait",
  attemptTimeoutMs: 30_000,
  expected: {
    'rate-limit': 'succeeded',
    'error-burst': 'succeeded',
    drop: 'succeeded',
    slow: 'succeeded',
    malformed: 'failed clearly',
    empty: 'failed clearly'
  },
  start: async () => {
    await rtd.start()
  },
  stop: () => rtd.stop(),
  reset: () => rtd.clearFaults(),
  async run(fault) {
    rtd.addFault({ ...fault, method: 'GET', path: '/builds/\\d+/$' })
    const before = rtd.received('/builds/$', 'POST').length
    return moduleRun(
      async () => {
        // As main.ts builds it: the inputs' settings, default HTTP options.
        const outcome = await new ReadTheDocsClient({
          project: 'shipyard-example',
          token: rtd.token,
          version: 'latest',
          apiUrl: new URL(`${rtd.url}/api/v3/`),
          wait: true,
          timeoutMs: 60_000
        }).publish()
        if (outcome.status !== 'success')
          throw new Error(`Read the Docs build ended ${outcome.status}`)
      },
      () => {
        const builds = rtd.received('/builds/$', 'POST').slice(before).length
        return builds > 1 ? [`${builds} builds`] : []
      }
    )
  }
}

// --------------------------------------------------------------- Docker Hub

const hub = new DockerHubStandIn({
  username: 'alice',
  repositories: [{ namespace: 'alice', name: 'app' }]
})

const dockerHub: Service = {
  name: 'Docker Hub web API',
  says: /Docker Hub/,
  target: 'PATCH /v2/repositories/{namespace}/{name}/',
  code: "docker-publish's description update",
  attemptTimeoutMs: 30_000,
  expected: {
    'rate-limit': 'succeeded',
    'error-burst': 'succeeded',
    drop: 'succeeded',
    slow: 'succeeded',
    malformed: 'failed clearly',
    empty: 'succeeded'
  },
  start: async () => {
    await hub.start()
  },
  stop: () => hub.stop(),
  reset: () => hub.clearFaults(),
  async run(fault) {
    hub.addFault({ ...fault, method: 'PATCH', path: '/v2/repositories/' })
    return moduleRun(() =>
      updateDescription(
        new URL(hub.url),
        'alice/app',
        { username: 'alice', password: hub.token },
        { full: `# app\n\n${fault.kind}\n`, short: 'A small app' }
      )
    )
  }
}

// ----------------------------------------------------------------- registry

const PROXY_KIND: Record<FaultKind, ProxyFaultKind> = {
  'rate-limit': 'rate-limit',
  'error-burst': 'error-burst',
  drop: 'reset',
  slow: 'slow',
  malformed: 'malformed',
  empty: 'empty'
}

let registry: Awaited<ReturnType<typeof harness.startRegistry>> | undefined
let proxy: Awaited<ReturnType<typeof startFaultProxy>> | undefined

/** Uploads a blob; returns its digest. */
async function putBlob(
  base: string,
  auth: string,
  data: Buffer
): Promise<string> {
  const { createHash } = await import('node:crypto')
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`
  const started = await fetch(`${base}/v2/faults/app/blobs/uploads/`, {
    method: 'POST',
    headers: { authorization: auth }
  })
  const location = new URL(started.headers.get('location') ?? '', base)
  location.searchParams.set('digest', digest)
  const put = await fetch(location, {
    method: 'PUT',
    headers: {
      authorization: auth,
      'content-type': 'application/octet-stream'
    },
    body: data
  })
  if (put.status !== 201) throw new Error(`blob upload: ${put.status}`)
  return digest
}

const registryService: Service = {
  name: 'registry',
  says: /registry/,
  target: 'HEAD /v2/{name}/manifests/{tag} (the digest read back)',
  code: "docker-publish's digest read-back",
  attemptTimeoutMs: 30_000,
  expected: {
    'rate-limit': 'succeeded',
    'error-burst': 'succeeded',
    drop: 'succeeded',
    slow: 'succeeded',
    malformed: 'failed clearly',
    empty: 'failed clearly'
  },
  async start() {
    registry = await harness.startRegistry(harness.containerEnv())
    const base = `http://${registry.host}`
    const auth = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [] }
      })
    )
    const layer = Buffer.from('faults')
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: await putBlob(base, auth, config),
        size: config.length
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: await putBlob(base, auth, layer),
          size: layer.length
        }
      ]
    }
    const put = await fetch(`${base}/v2/faults/app/manifests/v1`, {
      method: 'PUT',
      headers: {
        authorization: auth,
        'content-type': 'application/vnd.oci.image.manifest.v1+json'
      },
      body: JSON.stringify(manifest)
    })
    if (put.status !== 201) throw new Error(`manifest PUT: ${put.status}`)
    proxy = await startFaultProxy(base)
  },
  async stop() {
    await proxy?.stop()
    if (registry) harness.stopRegistry(registry)
  },
  reset() {
    proxy?.clear()
  },
  async run(fault) {
    const p = proxy!
    const r = registry!
    p.clear()
    p.add({
      kind: PROXY_KIND[fault.kind as FaultKind],
      method: 'HEAD',
      path: /\/manifests\//,
      count: fault.count ?? 1,
      status: fault.status,
      retryAfter: fault.retryAfter,
      delayMs: fault.delayMs
    })
    return moduleRun(async () => {
      const digest = await registryDigest(p.host, 'faults/app', 'v1', {
        username: r.username,
        password: r.password
      })
      if (!/^sha256:[0-9a-f]{64}$/.test(digest))
        throw new Error(`registry: no digest (${digest})`)
    })
  }
}

// ------------------------------------------------------------------- matrix

const SERVICES: Service[] = [
  renderService({ github: false }),
  sentryIngestion,
  sentryApi,
  readTheDocs,
  registryService,
  dockerHub,
  renderService({ github: true })
]

/** Module-level cells that wait out a 30 s attempt run side by side. */
const SIDE_BY_SIDE = new Set([
  'Sentry web API',
  'Read the Docs',
  'registry',
  'Docker Hub web API'
])

interface Cell {
  service: Service
  fault: (typeof FAULTS)[number]
  expected: Outcome
  observed?: Outcome
  seconds?: number
  detail?: string
  duplicates: string[]
}

// FAULTS_ONLY=<service name>: measure one service's row (then the table
// check fails, as it should).
const only = process.env['FAULTS_ONLY']
const cells: Cell[] = SERVICES.filter(
  (service) => !only || service.name === only
).flatMap((service) =>
  FAULTS.map((fault) => ({
    service,
    fault,
    expected: service.expected[fault.kind],
    duplicates: []
  }))
)

async function measure(cell: Cell): Promise<void> {
  const { service, fault } = cell
  const deadline = service.attemptTimeoutMs * 2 + 20_000
  const started = Date.now()
  const result = await within(deadline, () =>
    service.run(spec(service, fault.kind))
  )
  cell.seconds = (Date.now() - started) / 1000
  service.reset()
  if (result === undefined) {
    cell.observed = 'hung'
    cell.detail = `no end within ${deadline / 1000} s`
    return
  }
  cell.observed = classify(service, result)
  cell.detail =
    result.failure ?? result.warnings.find((w) => service.says.test(w)) ?? ''
  cell.duplicates = result.duplicates
}

function table(): string {
  const lines = [
    '.. This file is written by tests/reliability/faults.test.ts',
    '   (UPDATE_FAULTS=1); the test fails when it differs from what it observes.',
    '',
    '.. list-table::',
    '   :header-rows: 1',
    '   :widths: 18 22 30 15 15',
    '',
    '   * - Service (code under test)',
    '     - Fault',
    '     - Request it answers',
    '     - Expected',
    '     - Observed'
  ]
  for (const cell of cells) {
    lines.push(
      `   * - ${cell.service.name} (${cell.service.code})`,
      `     - ${cell.fault.title}`,
      `     - \`\`${cell.service.target}\`\``,
      `     - ${cell.expected}`,
      `     - ${cell.observed ?? 'not run'}`
    )
  }
  return `${lines.join('\n')}\n`
}

describe('faults: every service × every fault', () => {
  beforeAll(async () => {
    await sentry.start()
    for (const service of SERVICES) await service.start()
    // One at a time (they share the @actions/core double), except the
    // 30-second slow answers of module-level cells, run side by side.
    for (const cell of cells) {
      if (cell.fault.kind === 'slow' && SIDE_BY_SIDE.has(cell.service.name))
        continue
      await measure(cell)
    }
    await Promise.all(
      cells
        .filter(
          (c) => c.fault.kind === 'slow' && SIDE_BY_SIDE.has(c.service.name)
        )
        .map(measure)
    )
    // FAULTS_DEBUG=<file>: each cell's message and time, for a look.
    const debug = process.env['FAULTS_DEBUG']
    if (debug) {
      const rows = cells.map((c) => ({
        cell: `${c.service.name} × ${c.fault.kind}`,
        observed: c.observed,
        seconds: c.seconds,
        detail: c.detail,
        duplicates: c.duplicates
      }))
      fs.writeFileSync(debug, JSON.stringify(rows, null, 2))
    }
  }, 230_000)

  afterAll(async () => {
    for (const service of SERVICES) await service.stop().catch(() => undefined)
    await sentry.stop()
  })

  it.each(cells.map((c) => [c.service.name, c.fault.title, c] as const))(
    '%s, %s: the expected outcome, in time, no stack trace, no duplicate',
    (_service, _fault, cell) => {
      expect({
        observed: cell.observed,
        detail: cell.detail,
        duplicates: cell.duplicates
      }).toEqual({
        observed: cell.expected,
        detail: expect.any(String),
        duplicates: []
      })
      expect(cell.observed).not.toMatch(/hung|crashed/)
    }
  )

  it('matches the table committed in the docs', () => {
    const observed = table()
    if (process.env['UPDATE_FAULTS'] === '1') {
      fs.mkdirSync(path.dirname(TABLE), { recursive: true })
      fs.writeFileSync(TABLE, observed)
    }
    expect(fs.existsSync(TABLE) ? fs.readFileSync(TABLE, 'utf8') : '').toBe(
      observed
    )
  })
})
