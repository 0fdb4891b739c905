/**
 * The Docker Hub description through the whole action: the committed
 * bundle builds the fixture image with podman, smoke-tests it, pushes it to
 * a private Distribution registry, then publishes `dockerhub-description`
 * through Docker Hub's web API, here the DockerHubStandIn reached by
 * `dockerhub-api-url`, with the registry's credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { DockerHubStandIn } from '@shipyard/stand-ins'
import {
  BASE_IMAGE,
  containerEnv,
  podmanRecorder,
  registryTags,
  removeImages,
  root,
  runBundleAsync,
  servedDigest,
  startRegistry,
  stopRegistry,
  type BundleRun,
  type Registry,
  type RunContextSpec
} from './harness.js'

const FIXTURE = path.join(
  root,
  'actions',
  'docker-publish',
  '__tests__',
  'fixtures',
  'smoke-app'
)
const README = '# described\n\nShips itself, smoke-tested first. ✓\n'
/** The repository description in the event payload the harness writes. */
const SHORT = 'Example Django app, shipped by shipyard'

let env: Record<string, string>
let registry: Registry
let recorder: { bin: string; log: string }
let hub: DockerHubStandIn
let workspace: string
const runs: BundleRun[] = []

beforeAll(async () => {
  env = containerEnv()
  const base = spawnSync('bash', ['scripts/containers/base-image.sh'], {
    cwd: root,
    env,
    encoding: 'utf8'
  })
  if (base.status !== 0) throw new Error(`base-image.sh: ${base.stderr}`)
  registry = await startRegistry(env)
  recorder = podmanRecorder(env)
  // Docker Hub knows the same account as the registry (as with docker.io).
  hub = new DockerHubStandIn({
    username: registry.username,
    token: registry.password,
    repositories: [
      { namespace: registry.username, name: 'described' },
      { namespace: registry.username, name: 'unpushed' },
      { namespace: registry.username, name: 'hub-down' }
    ]
  })
  await hub.start()
  // A workspace of its own: the fixture app and the descriptions.
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-hub-workspace-'))
  fs.cpSync(FIXTURE, path.join(workspace, 'app'), { recursive: true })
  fs.writeFileSync(path.join(workspace, 'README.md'), README)
  // One byte over Docker Hub's 25,000, in two-byte characters.
  fs.writeFileSync(path.join(workspace, 'BIG.md'), `x${'é'.repeat(12_500)}`)
}, 300_000)

afterAll(async () => {
  if (registry) {
    removeImages(env, `${registry.host}/`)
    stopRegistry(registry)
  }
  await hub?.stop()
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true })
})

async function publish(
  name: string,
  extra: Record<string, string>,
  context: Partial<RunContextSpec> = {}
): Promise<BundleRun> {
  const run = await runBundleAsync(
    env,
    recorder,
    {
      image: `${registry.host}/${registry.username}/${name}`,
      username: registry.username,
      password: registry.password,
      context: 'app',
      'build-args': `BASE_IMAGE=${BASE_IMAGE}`,
      'smoke-timeout': '20s',
      'dockerhub-api-url': hub.url,
      ...extra
    },
    { ref: 'refs/heads/main', defaultBranch: 'main', workspace, ...context }
  )
  runs.push(run)
  return run
}

const hubCalls = (): string[] =>
  hub.requests.map((r) => `${r.method} ${r.path} ${r.status ?? ''}`)

describe('docker-publish with dockerhub-description (bundle, podman, registry, Docker Hub stand-in)', () => {
  it('pushes, reads the digest, then publishes the README and the short description', async () => {
    hub.requests.length = 0
    const run = await publish('described', {
      'dockerhub-description': 'README.md'
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(run.outputs['pushed']).toBe('true')
    expect(run.outputs['digest']).toBe(
      await servedDigest(registry, `${registry.username}/described`, 'latest')
    )
    expect(Number(run.outputs['smoke-seconds'])).toBeGreaterThan(0)

    expect(hub.repository(registry.username, 'described')).toMatchObject({
      full_description: README,
      description: SHORT
    })
    expect(hubCalls()).toEqual([
      'POST /v2/auth/token 200',
      `PATCH /v2/repositories/${registry.username}/described/ 200`
    ])
    expect(run.stdout).toContain(
      `Docker Hub description of ${registry.username}/described updated (${Buffer.byteLength(README)} bytes).`
    )
    expect(run.summary).toMatch(/Docker Hub description \| updated/)
    // The description went up once every tag was pushed and the digest
    // read back.
    const updated = run.stdout.indexOf('Docker Hub description of ')
    expect(run.stdout.lastIndexOf('Pushed ')).toBeGreaterThan(-1)
    expect(run.stdout.lastIndexOf('Pushed ')).toBeLessThan(updated)
    expect(run.stdout.indexOf('The registry serves ')).toBeGreaterThan(-1)
    expect(run.stdout.indexOf('The registry serves ')).toBeLessThan(updated)
  }, 400_000)

  it('refuses a description over 25,000 bytes before building anything', async () => {
    hub.requests.length = 0
    const run = await publish('described', {
      'dockerhub-description': 'BIG.md'
    })
    expect(run.status).toBe(1)
    expect(run.stdout).toContain(
      `::error::Invalid value for input 'dockerhub-description': "BIG.md" is 25001 bytes. Accepted: a file of at most 25000 bytes (Docker Hub's limit).`
    )
    expect(run.calls).toEqual([])
    expect(run.post.calls).toEqual([])
    expect(hubCalls()).toEqual([])
    // The description published before is still there, untouched.
    expect(hub.repository(registry.username, 'described')).toMatchObject({
      full_description: README
    })
  }, 60_000)

  it('publishes nothing to Docker Hub when nothing was pushed', async () => {
    hub.requests.length = 0
    const run = await publish(
      'unpushed',
      {
        'dockerhub-description': 'README.md',
        'smoke-test': 'false',
        'smoke-timeout': ''
      },
      { ref: 'refs/pull/9/merge', eventName: 'pull_request' }
    )
    expect(run.status).toBe(0)
    expect(run.outputs['pushed']).toBe('false')
    expect(run.stdout).toContain(
      'Docker Hub description not updated: nothing was pushed.'
    )
    expect(run.summary).toContain('not updated: nothing was pushed')
    expect(hubCalls()).toEqual([])
    expect(hub.repository(registry.username, 'unpushed')).toMatchObject({
      full_description: ''
    })
    expect(
      await registryTags(registry, `${registry.username}/unpushed`)
    ).toEqual([])
  }, 300_000)

  it('when Docker Hub refuses after the push, warns, succeeds, and still outputs the pushed digest', async () => {
    hub.requests.length = 0
    // Docker Hub answers 401 with the request echoed back (password and all).
    hub.addFault({
      kind: 'echo',
      method: 'POST',
      path: '^/v2/auth/token',
      status: 401,
      count: -1
    })
    try {
      const run = await publish('hub-down', {
        'dockerhub-description': 'README.md'
      })
      expect(run.status).toBe(0)
      expect(run.outputs['pushed']).toBe('true')
      const digest = await servedDigest(
        registry,
        `${registry.username}/hub-down`,
        'latest'
      )
      expect(run.outputs['digest']).toBe(digest)
      expect(run.outputs['image-ref']).toBe(
        `${registry.host}/${registry.username}/hub-down@${digest}`
      )
      expect(run.stdout).toMatch(
        /^::warning::The image is pushed, but the Docker Hub description was not updated: Docker Hub answered 401/m
      )
      expect(run.summary).toContain(digest)
      expect(run.summary).toMatch(/Docker Hub description \| not updated: /)
      expect(hubCalls()).toEqual(['POST /v2/auth/token 401'])
      expect(hub.repository(registry.username, 'hub-down')).toMatchObject({
        full_description: ''
      })
    } finally {
      hub.clearFaults()
    }
  }, 400_000)

  it('shows the password nowhere, in any run, main or post step', () => {
    expect(runs.length).toBe(4)
    for (const run of runs)
      expect(run.everything).not.toContain(registry.password)
  })
})
