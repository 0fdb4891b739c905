import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import { createServer } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

// The real workflow files, run by act (nektos/act) on this machine through
// tests/act/act.sh: ci.yml for a push to the default branch and for a pull
// request (its `pipeline` job, which calls pipeline.yml; the `checks` job
// would run shipyard's whole lint and test suite inside this test), then
// deploy.yml for a manual dispatch of the image the push deployed. The
// hosted services are the stand-ins and the registry, started here in a
// state directory of their own on a free port; GitHub's own actions are
// the shims in tests/act/shims.
const root = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..'
)
const script = path.join(root, 'tests', 'act', 'act.sh')
const state = fs.mkdtempSync(path.join(os.tmpdir(), 'act-'))
const envFile = path.join(state, 'services.env')
const workspace = path.join(state, 'workspace')
const verifyToken = `vt-${Math.random().toString(36).slice(2)}${Date.now()}`
let services: Record<string, string> = {}
let registryPort = 0
let sha = ''
const logs: string[] = []

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** The env file as the shell would read it (values may be single-quoted). */
function readEnv(file: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line)
    if (!match) continue
    const value = match[2] ?? ''
    result[match[1]] = value.startsWith("'")
      ? value.slice(1, -1).replace(/'\\''/g, "'")
      : value
  }
  return result
}

// Only what act and the tools need: none of this process's variables (or
// the stand-ins' secrets) leak into the jobs, which run on the host.
// Kept: the machine's package-index and certificate settings (pip, curl,
// node), as a self-hosted runner's environment would have them.
const baseEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) =>
      /^(PIP_|PYENV_ROOT$|LANG$|SSL_CERT_|REQUESTS_CA_BUNDLE$|CURL_CA_BUNDLE$|NODE_EXTRA_CA_CERTS$)/.test(
        key
      )
    )
  ),
  PATH: process.env['PATH'] ?? '',
  HOME: process.env['HOME'] ?? os.homedir(),
  TERM: 'dumb'
}

function servicesCommand(command: 'up' | 'down') {
  return spawnSync('bash', ['scripts/services.sh', command], {
    cwd: root,
    encoding: 'utf8',
    timeout: 150_000,
    env: {
      ...process.env,
      SHIPYARD_RUN_DIR: state,
      SERVICES_ENV_FILE: envFile,
      REGISTRY_PORT: String(registryPort)
    }
  })
}

interface Run {
  status: number | null
  log: string
  /** Per job name: its outputs (the last value of each). */
  outputs: Record<string, Record<string, string>>
  /** Per job name: succeeded or failed; absent when it was skipped. */
  results: Record<string, string>
}

/** Runs act.sh run for one event and parses act's log. */
function act(
  event: string,
  workflow: string,
  payload: object,
  dir: string = workspace
): Run {
  const eventFile = path.join(state, `${event}.json`)
  fs.writeFileSync(eventFile, JSON.stringify(payload))
  const run = spawnSync(
    'bash',
    [script, 'run', dir, event, workflow, eventFile],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 420_000,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...baseEnv,
        SERVICES_ENV_FILE: envFile,
        SENTRY_VERIFY_TOKEN: verifyToken,
        // Only the pipeline: ci.yml's `checks` job is shipyard's own suite.
        ACT_ARGS: `-j ${jobOf(workflow)}`
      }
    }
  )
  const log = `${run.stdout}\n${run.stderr}`
  logs.push(log)
  fs.writeFileSync(path.join(state, `${event}.log`), log)
  const outputs: Record<string, Record<string, string>> = {}
  const results: Record<string, string> = {}
  for (const line of log.split('\n')) {
    const output =
      /^\[[^\]]*\/([^/\]]+)\]\s+⚙\s+::set-output:: ([\w-]+)=(.*)$/.exec(line)
    if (output) (outputs[output[1]] ??= {})[output[2]] = output[3]
    const result = /^\[[^\]]*\/([^/\]]+)\] 🏁\s+Job (succeeded|failed)$/.exec(
      line
    )
    if (result) results[result[1]] = result[2]
  }
  return { status: run.status, log, outputs, results }
}
const jobOf = (workflow: string): string =>
  workflow === 'deploy.yml' ? 'deploy' : 'pipeline'

/**
 * The Render stand-in's deploys of the service, newest first. A fresh
 * connection each time (no keep-alive): the runs in between take minutes,
 * longer than the server keeps an idle connection open.
 */
async function deploys(): Promise<Array<{ id: string; status: string }>> {
  const url = `${services['RENDER_API_URL']}/services/${services['RENDER_SERVICE_ID']}/deploys`
  const text = await new Promise<string>((resolve, reject) => {
    const request = http.get(
      url,
      {
        agent: false,
        headers: { Authorization: `Bearer ${services['RENDER_API_KEY']}` }
      },
      (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (body += chunk))
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(body)
            : reject(new Error(`GET deploys: ${response.statusCode} ${body}`))
        )
      }
    )
    request.on('error', reject)
  })
  const body = JSON.parse(text) as Array<{
    deploy: { id: string; status: string }
  }>
  return body.map(({ deploy }) => ({ id: deploy.id, status: deploy.status }))
}

const repository = (): string =>
  (services['RENDER_IMAGE_PATH'] ?? '').replace(/:[^/:]+$/, '')

beforeAll(async () => {
  const version = spawnSync('bash', [script, 'run'], { encoding: 'utf8' })
  expect(version.stderr).toContain('act.sh: run:')
  registryPort = await freePort()
  const up = servicesCommand('up')
  if (up.status !== 0)
    throw new Error(`services up failed:\n${up.stdout}\n${up.stderr}`)
  services = readEnv(envFile)
  const made = spawnSync('bash', [script, 'workspace', workspace], {
    cwd: root,
    encoding: 'utf8'
  })
  if (made.status !== 0) throw new Error(`workspace: ${made.stderr}`)
  sha = made.stdout.trim()
  // The app's Sentry settings for the containers the Render stand-in runs
  // (Render's environment variables); the release is the commit, the
  // default of sentry-verify.
  const response = await fetch(
    `${services['RENDER_API_URL']?.replace(/\/v1$/, '')}/__control/render/env`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        serviceId: services['RENDER_SERVICE_ID'],
        env: {
          SENTRY_DSN: services['SENTRY_DSN'],
          SENTRY_VERIFY_TOKEN: verifyToken,
          SENTRY_ENVIRONMENT: 'production',
          SENTRY_RELEASE: sha
        }
      })
    }
  )
  expect(response.status).toBeLessThan(300)
}, 200_000)

afterAll(() => {
  servicesCommand('down')
  // The images docker-publish built for this run's registry (a port of
  // its own): their names only, never an image another test uses.
  const images = spawnSync(
    'bash',
    [
      '-c',
      `. scripts/containers/env.sh && podman images --format '{{.Repository}}:{{.Tag}}' | grep -F "127.0.0.1:${registryPort}/" | xargs -r podman rmi -i --no-prune >/dev/null 2>&1 || true`
    ],
    { cwd: root, encoding: 'utf8' }
  )
  expect(images.status).toBe(0)
  fs.rmSync(state, { recursive: true, force: true })
})

const repo = {
  default_branch: 'main',
  full_name: 'shipyard/example',
  name: 'example',
  owner: { login: 'shipyard' }
}

describe('act runs the workflow files', () => {
  let pushed = ''
  let pushDeploy = ''

  it('push to the default branch: tests, docs, image pushed, deployed live, Sentry verified', async () => {
    const run = act('push', 'ci.yml', {
      ref: 'refs/heads/main',
      repository: repo
    })
    expect(run.status).toBe(0)
    expect(run.results).toEqual({
      Plan: 'succeeded',
      Test: 'succeeded',
      Docs: 'succeeded',
      Image: 'succeeded',
      Deploy: 'succeeded',
      'Verify Sentry': 'succeeded'
    })
    expect(run.outputs['Plan']).toMatchObject({
      build: 'true',
      push: 'true',
      deploy: 'true',
      verify: 'true',
      rtd: 'true'
    })
    expect(run.outputs['Test']).toMatchObject({ failures: '0', errors: '0' })
    expect(Number(run.outputs['Test']?.['tests'])).toBeGreaterThan(0)
    expect(Number(run.outputs['Test']?.['coverage'])).toBeGreaterThanOrEqual(80)
    expect(run.outputs['Docs']).toMatchObject({
      warnings: '0',
      'rtd-status': 'success'
    })
    expect(run.outputs['Docs']?.['artifact-dir']).toMatch(/docs-html$/)
    expect(run.outputs['Image']?.['pushed']).toBe('true')
    const digest = run.outputs['Image']?.['digest'] ?? ''
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    pushed = `${repository()}@${digest}`
    expect(run.outputs['Deploy']?.['status']).toBe('live')
    pushDeploy = run.outputs['Deploy']?.['deploy-id'] ?? ''
    expect(run.outputs['Verify Sentry']?.['verified']).toBe('true')
    // The stand-in agrees: the newest deploy is this one, live.
    expect((await deploys())[0]).toEqual({ id: pushDeploy, status: 'live' })
    // The demo's report reads this log (DEMO_ACT=1): one result per action.
    const results = path.join(state, 'results')
    const parsed = spawnSync(
      process.execPath,
      [
        path.join(root, 'tests', 'act', 'results.mjs'),
        path.join(state, 'push.log'),
        results
      ],
      { encoding: 'utf8' }
    )
    expect(parsed.status).toBe(0)
    for (const action of [
      'ci-test',
      'sphinx-docs',
      'docker-publish',
      'render-deploy',
      'sentry-verify'
    ]) {
      const result = JSON.parse(
        fs.readFileSync(path.join(results, `${action}.json`), 'utf8')
      ) as { status: string; seconds: number }
      expect([action, result.status]).toEqual([action, 'success'])
      expect(result.seconds).toBeGreaterThan(0)
    }
    expect(
      fs.readFileSync(path.join(results, 'render-deploy.log'), 'utf8')
    ).toContain(`deploy ${pushDeploy}: live`)
  }, 420_000)

  it('pull request: the image is built and smoke-tested, not pushed; nothing deployed', async () => {
    const before = await deploys()
    const run = act('pull_request', 'ci.yml', {
      number: 7,
      pull_request: {
        number: 7,
        head: { ref: 'feature', sha },
        base: { ref: 'main', repo }
      },
      repository: repo
    })
    expect(run.status).toBe(0)
    expect(run.outputs['Plan']).toMatchObject({
      build: 'true',
      push: 'false',
      deploy: 'false',
      verify: 'false'
    })
    expect(run.results).toEqual({
      Plan: 'succeeded',
      Test: 'succeeded',
      Docs: 'succeeded',
      Image: 'succeeded'
    })
    expect(run.outputs['Image']).toMatchObject({ pushed: 'false' })
    expect(Number(run.outputs['Image']?.['smoke-seconds'])).toBeGreaterThan(0)
    expect(run.outputs['Image']?.['image-ref'] ?? '').toBe('')
    expect(await deploys()).toEqual(before)
  }, 420_000)

  it('push with a failing test: no image pushed, nothing deployed, nothing verified', async () => {
    // A workspace of its own whose one commit adds a failing test.
    const broken = path.join(state, 'broken')
    const made = spawnSync('bash', [script, 'workspace', broken], {
      cwd: root,
      encoding: 'utf8'
    })
    expect(made.status).toBe(0)
    fs.writeFileSync(
      path.join(broken, 'example', 'catalog', 'tests', 'test_broken.py'),
      'def test_broken_on_purpose():\n    assert 1 + 1 == 3\n'
    )
    const committed = spawnSync(
      'bash',
      [
        '-c',
        'git add -A && git -c user.name=act -c user.email=act@localhost commit -q -m broken && git rev-parse HEAD'
      ],
      { cwd: broken, encoding: 'utf8' }
    )
    expect(committed.status).toBe(0)
    const brokenSha = committed.stdout.trim()
    const before = await deploys()
    const run = act(
      'push',
      'ci.yml',
      { ref: 'refs/heads/main', repository: repo },
      broken
    )
    expect(run.status).not.toBe(0)
    expect(run.outputs['Plan']).toMatchObject({ push: 'true', deploy: 'true' })
    // The test job failed on that test; image, deploy and verify never ran.
    expect(run.results).toEqual({
      Plan: 'succeeded',
      Test: 'failed',
      Docs: 'succeeded'
    })
    expect(run.log).toContain('test_broken_on_purpose')
    expect(await deploys()).toEqual(before)
    // Nothing of this commit reached the registry.
    const tags = spawnSync(
      'bash',
      [
        '-c',
        `curl -s -u "$REGISTRY_USERNAME:$REGISTRY_PASSWORD" "http://$REGISTRY/v2/${repository().replace(/^[^/]+\//, '')}/tags/list"`
      ],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env['PATH'] ?? '',
          REGISTRY: services['REGISTRY'] ?? '',
          REGISTRY_USERNAME: services['REGISTRY_USERNAME'] ?? '',
          REGISTRY_PASSWORD: services['REGISTRY_PASSWORD'] ?? ''
        }
      }
    )
    expect(tags.status).toBe(0)
    expect(tags.stdout).toContain('"tags"')
    expect(tags.stdout).not.toContain(brokenSha.slice(0, 7))
  }, 420_000)

  it('workflow_dispatch on deploy.yml: redeploys the pushed image and verifies Sentry', async () => {
    expect(pushed).not.toBe('')
    const run = act('workflow_dispatch', 'deploy.yml', {
      inputs: { image: pushed, environment: 'production' },
      ref: 'refs/heads/main',
      repository: repo
    })
    expect(run.status).toBe(0)
    // No tests, docs or image: only plan, deploy and verify.
    expect(run.results).toEqual({
      Plan: 'succeeded',
      Deploy: 'succeeded',
      'Verify Sentry': 'succeeded'
    })
    expect(run.outputs['Plan']).toMatchObject({
      build: 'false',
      deploy: 'true'
    })
    const id = run.outputs['Deploy']?.['deploy-id'] ?? ''
    expect(id).toMatch(/^dep-/)
    expect(id).not.toBe(pushDeploy)
    expect(run.outputs['Verify Sentry']?.['verified']).toBe('true')
    expect((await deploys())[0]).toEqual({ id, status: 'live' })
  }, 300_000)

  it('never prints a secret', () => {
    expect(logs.length).toBeGreaterThan(0)
    const secrets = [
      services['REGISTRY_PASSWORD'],
      services['RENDER_API_KEY'],
      services['SENTRY_AUTH_TOKEN'],
      services['RTD_TOKEN'],
      services['GITHUB_TOKEN'],
      new URL(services['SENTRY_DSN'] ?? 'http://x@y').username,
      verifyToken
    ]
    for (const secret of secrets) {
      expect(secret && secret.length > 8).toBe(true)
      for (const log of logs) expect(log.includes(secret ?? '')).toBe(false)
    }
  })
})
