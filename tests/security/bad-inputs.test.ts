/**
 * Bad input is refused before any side effect: each of the five committed
 * bundles, run as the runner runs it with otherwise valid inputs pointing
 * at the stand-ins and a private Distribution registry, gets one bad value
 * at a time. Each run must fail quickly with an `::error::` naming the
 * input (and its value, unless secret), while no service received a
 * request, no container command ran, no file appeared in RUNNER_TEMP or the
 * workspace; at the end the registry holds nothing.
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
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FakeRuntime } from '../../actions/render-deploy/__tests__/fixtures/fake-runtime.js'
import { TIMINGS } from '../../actions/render-deploy/__tests__/fixtures/world.js'
import {
  djangoProject,
  DJANGO
} from '../../actions/ci-test/__tests__/support/django-fixture.js'
import { smallProject } from '../../actions/sphinx-docs/__tests__/run-action.js'
import {
  BASE_IMAGE,
  containerEnv,
  registryGet,
  startRegistry,
  stopRegistry,
  type Registry
} from '../../actions/docker-publish/__tests__/harness.js'
import {
  ROOT,
  hex,
  runBundle,
  scratchDir,
  serviceSecrets,
  type ActionName
} from './harness.js'

const VENV_PYTHON = path.join(ROOT, '.venv', 'bin', 'python')
const SMOKE_APP = path.join(
  ROOT,
  'actions',
  'docker-publish',
  '__tests__',
  'fixtures',
  'smoke-app'
)
const IMAGE = '127.0.0.1:5999/shipyard/example'
const REPOSITORY = 'shipyard/example'
const LONG = 'a'.repeat(100 * 1024)
/** A value made from bytes, as a latin1 string (node passes it on as UTF-8). */
const latin1 = (...bytes: number[]): string =>
  Buffer.from(bytes).toString('latin1')

const S = serviceSecrets()

const fake = new FakeRuntime()
fake.addImage(`${IMAGE}:v1`, 'healthy')
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
  projects: [{ slug: 'mylib' }]
})
const dockerhub = new DockerHubStandIn({ token: S.dockerhubToken })
const standIns: StandIn[] = [render, github, sentry, rtd, dockerhub]
let registry: Registry | undefined
let podmanEnv: Record<string, string> = {}
/** `podman` and `docker` that record each call, then fail: any call is a side effect. */
let recorder = { bin: '', log: '' }
const scratch: string[] = []
const timings: Array<{ action: ActionName; ms: number }> = []

beforeAll(async () => {
  await Promise.all(standIns.map((s) => s.start()))
  podmanEnv = containerEnv()
  registry = await startRegistry(podmanEnv)
  const bin = scratchDir('sec-bin-')
  scratch.push(bin)
  const log = path.join(bin, 'calls.log')
  fs.writeFileSync(log, '')
  for (const tool of ['podman', 'docker', 'buildah']) {
    fs.writeFileSync(
      path.join(bin, tool),
      `#!/bin/sh\nprintf '%s\\n' "${tool} $*" >> '${log}'\nexit 125\n`,
      { mode: 0o755 }
    )
  }
  recorder = { bin, log }
}, 120_000)

afterAll(async () => {
  if (registry) stopRegistry(registry)
  await Promise.all(standIns.map((s) => s.stop()))
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true })
  const total = timings.reduce((sum, t) => sum + t.ms, 0)
  process.stdout.write(
    `bad inputs: ${timings.length} refused, slowest ${Math.max(...timings.map((t) => t.ms))} ms, mean ${Math.round(total / Math.max(1, timings.length))} ms\n`
  )
})

function selfDsn(): string {
  return `http://${S.selfReportKey}@${new URL(sentry.url).host}/4507000000000099`
}
function appDsn(): string {
  return `http://${S.dsnPublicKey}@${new URL(sentry.url).host}/4507000000000001`
}

interface Base {
  workspace: () => string
  inputs: () => Record<string, string>
  env: () => Record<string, string>
}

function track(dir: string): string {
  scratch.push(dir)
  return dir
}

const BASES: Record<ActionName, Base> = {
  'ci-test': {
    workspace: () => {
      const dir = track(scratchDir('sec-bad-ci-'))
      djangoProject(dir, { files: { 'requirements.txt': `${DJANGO}\n` } })
      return dir
    },
    inputs: () => ({
      env: 'SECRET_KEY=abcdefgh-1234',
      'coverage-threshold': '80',
      'self-report-dsn': selfDsn()
    }),
    env: () => ({})
  },
  'docker-publish': {
    workspace: () => {
      const dir = track(scratchDir('sec-bad-dp-'))
      fs.cpSync(SMOKE_APP, dir, { recursive: true })
      fs.writeFileSync(path.join(dir, 'README.md'), '# app\n')
      return dir
    },
    inputs: () => ({
      image: `${registry?.host ?? ''}/sec/bad`,
      username: registry?.username ?? '',
      password: registry?.password ?? '',
      'build-args': `BASE_IMAGE=${BASE_IMAGE}`,
      'smoke-timeout': '20s',
      cache: 'none',
      push: 'true',
      'dockerhub-api-url': dockerhub.url,
      'self-report-dsn': selfDsn()
    }),
    env: () => ({
      ...podmanEnv,
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_EVENT_NAME: 'push'
    })
  },
  'render-deploy': {
    workspace: () => track(scratchDir('sec-bad-rd-')),
    inputs: () => ({
      'service-id': render.serviceId,
      'api-key': S.renderApiKey,
      'render-api-url': `${render.url}/v1`,
      'image-url': `${IMAGE}:v1`,
      'github-token': S.githubToken,
      timeout: '10s',
      'self-report-dsn': selfDsn()
    }),
    env: () => ({
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_SHA: github.branchSha(REPOSITORY)
    })
  },
  'sentry-verify': {
    workspace: () => track(scratchDir('sec-bad-sv-')),
    inputs: () => ({
      'sentry-url': sentry.url,
      'auth-token': S.sentryToken,
      org: 'shipyard',
      project: 'example',
      dsn: appDsn(),
      release: 'sec@1.0.0',
      'probe-command': 'true',
      timeout: '10s',
      'self-report-dsn': selfDsn()
    }),
    env: () => ({ GITHUB_REPOSITORY: REPOSITORY })
  },
  'sphinx-docs': {
    workspace: () => track(smallProject()),
    inputs: () => ({
      python: VENV_PYTHON,
      'rtd-project': 'mylib',
      'rtd-token': S.rtdToken,
      'rtd-api-url': `${rtd.url}/api/v3/`,
      'self-report-dsn': selfDsn()
    }),
    env: () => ({})
  }
}

interface Case {
  action: ActionName
  input: string
  value: string
  /** The value never appears in the message (a secret input). */
  secret?: boolean
  /** What of the value the message must show (default: the value itself). */
  shows?: string | null
  /** Changes to the workspace before the run (e.g. a symlink out of it). */
  prepare?: (workspace: string) => void
  /** Raw bytes: `export INPUT_…=$'…'` run by bash before the bundle. */
  rawBytes?: string
  /** Other inputs this case removes or changes. */
  also?: Record<string, string>
}

function outside(): string {
  return fs.realpathSync(os.tmpdir())
}

const cases: Case[] = [
  // Image references (docker-publish `image`, render-deploy `image-url`).
  { action: 'docker-publish', input: 'image', value: 'Shipyard/App' },
  { action: 'docker-publish', input: 'image', value: 'alice/app:latest' },
  {
    action: 'docker-publish',
    input: 'image',
    value: `alice/app@sha256:${'a'.repeat(64)}`
  },
  { action: 'docker-publish', input: 'image', value: 'alice//app' },
  { action: 'docker-publish', input: 'image', value: '-alice/app' },
  { action: 'docker-publish', input: 'image', value: 'localhost:99999/app' },
  { action: 'docker-publish', input: 'image', value: 'a'.repeat(300) },
  { action: 'docker-publish', input: 'image', value: 'alice/app; rm -rf /' },
  { action: 'docker-publish', input: 'image', value: 'alice/$(touch pwned)' },
  { action: 'docker-publish', input: 'image', value: 'https://docker.io/a/b' },
  {
    action: 'docker-publish',
    input: 'image',
    value: latin1(0x63, 0x61, 0x66, 0xe9, 0x2f, 0x61, 0x70, 0x70),
    shows: 'caf'
  },
  {
    action: 'docker-publish',
    input: 'image',
    value: '',
    rawBytes: "export INPUT_IMAGE=$'al\\xffice/app'",
    shows: null
  },
  { action: 'render-deploy', input: 'image-url', value: 'docker.io/acme/app' },
  {
    action: 'render-deploy',
    input: 'image-url',
    value: 'docker.io/acme/app:v1; rm -rf /'
  },
  // Tags.
  { action: 'docker-publish', input: 'tags', value: 'v1 beta' },
  { action: 'docker-publish', input: 'tags', value: '.hidden' },
  { action: 'docker-publish', input: 'tags', value: 't'.repeat(129) },
  { action: 'docker-publish', input: 'tags', value: 'v1;rm -rf /' },
  { action: 'docker-publish', input: 'tags', value: '$(id)' },
  { action: 'docker-publish', input: 'tags', value: '`id`' },
  {
    action: 'docker-publish',
    input: 'tags',
    value: LONG,
    shows: LONG.slice(0, 64)
  },
  // Registries.
  { action: 'docker-publish', input: 'registry', value: 'https://ghcr.io' },
  { action: 'docker-publish', input: 'registry', value: 'ghcr.io/path' },
  { action: 'docker-publish', input: 'registry', value: 'localhost:0' },
  // DSNs (secret: the key never shows).
  {
    action: 'sentry-verify',
    input: 'dsn',
    value: `ftp://${S.dsnPublicKey}@127.0.0.1/1`,
    secret: true
  },
  {
    action: 'sentry-verify',
    input: 'dsn',
    value: 'https://notHexAtAll@o1.ingest.sentry.io/1',
    secret: true
  },
  {
    action: 'sentry-verify',
    input: 'dsn',
    value: `http://${S.dsnPublicKey}@sentry.example.com/1`,
    secret: true
  },
  {
    action: 'sentry-verify',
    input: 'dsn',
    value: `https://${S.dsnPublicKey}@o1.ingest.sentry.io/`,
    secret: true
  },
  {
    action: 'render-deploy',
    input: 'self-report-dsn',
    value: 'not a url',
    secret: true
  },
  {
    action: 'ci-test',
    input: 'self-report-dsn',
    value: 'javascript:alert(1)',
    secret: true
  },
  // URLs and schemes.
  {
    action: 'render-deploy',
    input: 'render-api-url',
    value: 'http://api.render.com/v1'
  },
  {
    action: 'render-deploy',
    input: 'render-api-url',
    value: 'file:///etc/passwd'
  },
  {
    action: 'render-deploy',
    input: 'render-api-url',
    value: 'ftp://127.0.0.1/'
  },
  {
    action: 'render-deploy',
    input: 'deploy-hook-url',
    value: `javascript:fetch('x?key=${hex(8)}')`,
    secret: true,
    also: { 'api-key': '', 'service-id': '' }
  },
  {
    action: 'render-deploy',
    input: 'deploy-hook-url',
    value: `http://api.render.com/deploy/srv-abc?key=${hex(8)}`,
    secret: true,
    also: { 'api-key': '', 'service-id': '' }
  },
  { action: 'sentry-verify', input: 'sentry-url', value: 'gopher://127.0.0.1' },
  {
    action: 'sphinx-docs',
    input: 'rtd-api-url',
    value: 'http://readthedocs.org/api/v3/'
  },
  {
    action: 'docker-publish',
    input: 'dockerhub-api-url',
    value: 'ws://127.0.0.1:1/'
  },
  {
    action: 'sentry-verify',
    input: 'app-url',
    value: 'http://example.com',
    also: {
      'probe-command': '',
      'trigger-path': '/verify',
      'trigger-token': 'tok-1234567'
    }
  },
  { action: 'sentry-verify', input: 'deploy-url', value: 'mailto:x@y.z' },
  // Durations.
  { action: 'render-deploy', input: 'timeout', value: '5' },
  { action: 'render-deploy', input: 'timeout', value: '7h' },
  { action: 'docker-publish', input: 'smoke-timeout', value: '-5s' },
  { action: 'docker-publish', input: 'smoke-timeout', value: '1d' },
  { action: 'sentry-verify', input: 'timeout', value: '1 minute' },
  {
    action: 'sphinx-docs',
    input: 'rtd-timeout',
    value: '9'.repeat(400),
    shows: '9'.repeat(64)
  },
  // Thresholds and integers.
  { action: 'ci-test', input: 'coverage-threshold', value: '101' },
  { action: 'ci-test', input: 'coverage-threshold', value: '80%' },
  { action: 'ci-test', input: 'coverage-threshold', value: 'NaN' },
  { action: 'docker-publish', input: 'smoke-port', value: '0' },
  { action: 'docker-publish', input: 'smoke-port', value: '65536' },
  { action: 'docker-publish', input: 'smoke-port', value: '0x50' },
  // Booleans and choices.
  { action: 'ci-test', input: 'deploy-check', value: 'yes' },
  { action: 'ci-test', input: 'migrations-check', value: 'on' },
  { action: 'sphinx-docs', input: 'warnings-as-errors', value: 'treu' },
  { action: 'render-deploy', input: 'wait', value: 'maybe' },
  { action: 'sentry-verify', input: 'create-release', value: '1' },
  { action: 'docker-publish', input: 'push', value: 'always' },
  { action: 'sphinx-docs', input: 'builder', value: 'html; rm -rf /' },
  { action: 'sentry-verify', input: 'expect-level', value: 'critical' },
  // KEY=VALUE lines.
  {
    action: 'ci-test',
    input: 'env',
    value: 'NOT A PAIR'
  },
  {
    action: 'ci-test',
    input: 'env',
    value: `GOOD=fine-value-1\nNO_EQUALS ${hex(8)}\nTOKEN=${hex(12)}`,
    shows: 'NO_EQUALS'
  },
  { action: 'ci-test', input: 'env', value: '1KEY=v', shows: '1KEY' },
  { action: 'ci-test', input: 'env', value: 'KEY=a\nKEY=b', shows: 'KEY' },
  {
    action: 'ci-test',
    input: 'env',
    value: '',
    rawBytes: "export INPUT_ENV=$'K\\xffEY=1'",
    shows: null
  },
  {
    action: 'docker-publish',
    input: 'build-args',
    value: 'A B=c',
    shows: 'A B'
  },
  {
    action: 'docker-publish',
    input: 'smoke-env',
    value: '=value',
    shows: null
  },
  {
    action: 'docker-publish',
    input: 'labels',
    value: 'bad key=1',
    shows: 'bad key'
  },
  {
    action: 'docker-publish',
    input: 'secrets',
    value: '../x=1',
    shows: '../x'
  },
  // Paths that leave the workspace.
  { action: 'ci-test', input: 'working-directory', value: '../' },
  { action: 'ci-test', input: 'working-directory', value: '/etc' },
  { action: 'ci-test', input: 'requirements', value: '/etc/passwd' },
  { action: 'docker-publish', input: 'context', value: '../..' },
  { action: 'docker-publish', input: 'file', value: '/etc/passwd' },
  {
    action: 'docker-publish',
    input: 'dockerhub-description',
    value: '../README.md'
  },
  { action: 'docker-publish', input: 'smoke-env-file', value: '/etc/hostname' },
  { action: 'sphinx-docs', input: 'docs-dir', value: '../outside' },
  {
    action: 'sphinx-docs',
    input: 'source-dir',
    value: 'out',
    prepare: (workspace) =>
      fs.symlinkSync(outside(), path.join(workspace, 'out'))
  },
  {
    action: 'sphinx-docs',
    input: 'requirements',
    value: '../../requirements.txt'
  },
  {
    action: 'ci-test',
    input: 'working-directory',
    value: 'linked',
    prepare: (workspace) =>
      fs.symlinkSync(outside(), path.join(workspace, 'linked'))
  },
  // Shell metacharacters and odd names.
  {
    action: 'ci-test',
    input: 'django-settings',
    value: 'mysite.settings; rm -rf /'
  },
  { action: 'ci-test', input: 'django-settings', value: '$(touch pwned)' },
  { action: 'sphinx-docs', input: 'apidoc-options', value: '--flag; rm -rf /' },
  { action: 'sphinx-docs', input: 'apidoc-options', value: '`id`' },
  { action: 'render-deploy', input: 'service-id', value: 'srv-abc`id`' },
  { action: 'render-deploy', input: 'commit-id', value: 'not-hex' },
  { action: 'sentry-verify', input: 'org', value: 'shipyard;id' },
  { action: 'sentry-verify', input: 'project', value: '$(id)' },
  { action: 'sentry-verify', input: 'release', value: 'a/b' },
  {
    action: 'sentry-verify',
    input: 'release',
    value: '',
    rawBytes: "export INPUT_RELEASE=$'rel\\xfe\\xff'",
    shows: null
  },
  // Very long values.
  {
    action: 'render-deploy',
    input: 'service-id',
    value: LONG,
    shows: LONG.slice(0, 64)
  },
  {
    action: 'sentry-verify',
    input: 'org',
    value: LONG,
    shows: LONG.slice(0, 64)
  },
  {
    action: 'render-deploy',
    input: 'environment',
    value: 'e'.repeat(300),
    shows: 'e'.repeat(64)
  },
  {
    action: 'render-deploy',
    input: 'service-id',
    value: '',
    rawBytes: "export INPUT_SERVICE-ID=$'srv-\\xfe\\xff'",
    shows: null
  },
  // Rules between inputs.
  {
    action: 'docker-publish',
    input: 'username',
    value: '',
    shows: null,
    also: { username: '' }
  },
  {
    action: 'render-deploy',
    input: 'api-key',
    value: '',
    shows: null,
    also: { 'api-key': '', 'deploy-hook-url': '' }
  }
]

/** Names of the files under `dir`, for a before/after comparison. */
function listing(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((d) => path.join(path.relative(dir, d.parentPath), d.name))
    .sort()
}

function requestsReceived(): string[] {
  return standIns.flatMap((s) =>
    s.requests.map((r) => `${s.name}: ${r.method} ${r.path}`)
  )
}

describe('bad input is refused before any side effect', () => {
  it('has at least 60 bad inputs over all five actions', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60)
    expect(new Set(cases.map((c) => c.action)).size).toBe(5)
  })

  it.each(
    cases.map(
      (c) =>
        [
          c.action,
          c.input,
          c.value.length > 60
            ? `${c.value.slice(0, 20)}…(${c.value.length})`
            : c.value || c.rawBytes || '',
          c
        ] as const
    )
  )(
    '%s refuses %s %j',
    async (action, input, _shown, c) => {
      for (const s of standIns) s.requests.length = 0
      fs.writeFileSync(recorder.log, '')
      const base = BASES[action]
      const workspace = base.workspace()
      c.prepare?.(workspace)
      const before = listing(workspace)
      const inputs = { ...base.inputs(), ...c.also }
      if (!c.rawBytes) inputs[input] = c.value
      else delete inputs[input]
      const run = await runBundle(action, {
        inputs,
        env: {
          ...base.env(),
          PATH: `${recorder.bin}:${process.env['PATH'] ?? ''}`
        },
        workspace,
        timeoutMs: 30_000,
        shellPrelude: c.rawBytes
      })
      timings.push({ action, ms: run.ms })
      const message = run.errors[0] ?? ''
      try {
        expect(run.timedOut).toBe(false)
        expect(run.code).toBe(1)
        expect(run.errors).toHaveLength(1)
        expect(message).toContain(`'${input}'`)
        expect(message).toMatch(/Accepted|accepted/)
        const shows = c.shows === undefined && !c.secret ? c.value : c.shows
        if (shows !== null && shows !== undefined) {
          // The runner's escaping of `%`, CR and LF in a command's message.
          expect(message).toContain(
            JSON.stringify(shows)
              .slice(1, -1)
              .replace(/%/g, '%25')
              .replace(/\\n/g, '%0A')
              .slice(0, 64)
          )
        }
        if (c.secret) {
          expect(message).not.toContain(c.value)
          // Nor any key-like part of it (a DSN's public key, a hook's key).
          for (const part of c.value.match(/[A-Za-z0-9]{12,}/g) ?? [])
            expect(message).not.toContain(part)
        }
        expect(requestsReceived()).toEqual([])
        expect(fs.readFileSync(recorder.log, 'utf8')).toBe('')
        expect(run.tempEntries).toEqual([])
        expect(listing(workspace)).toEqual(before)
        expect(run.ms).toBeLessThan(15_000)
      } catch (error) {
        process.stdout.write(
          `--- ${action} ${input}: exit ${run.code} in ${run.ms} ms\n${run.stdout.slice(0, 3000)}\n${run.stderr.slice(0, 1000)}\n`
        )
        throw error
      }
    },
    60_000
  )

  it('left the registry empty', async () => {
    const response = await registryGet(registry as Registry, '/v2/_catalog')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ repositories: [] })
  })
})
