/**
 * render-deploy end to end in-process, against the Render stand-in (fake
 * container runtime: real HTTP servers as containers) and the GitHub
 * stand-in; @actions/core is the kit's recording double.
 */
import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mockCore } from '@shipyard/action-kit/testing'
import { IMAGE, startWorld, TIMINGS, type World } from './fixtures/world.js'
import { startLossyProxy } from './fixtures/lossy-proxy.js'
import { startFakeRegistry } from './fixtures/fake-registry.js'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)

const { run } = await import('@shipyard/action-kit')
const { main } = await import('../src/main.js')

interface Outcome {
  outputs: Record<string, string>
  failed: string | undefined
  log: string
  summary: string
}

let world: World | undefined
let dir = ''
const saved = { ...process.env }

beforeEach(() => {
  core.reset()
  dir = mkdtempSync(join(tmpdir(), 'render-deploy-'))
})

afterEach(async () => {
  await world?.stop()
  world = undefined
  for (const key of Object.keys(process.env))
    if (!(key in saved)) delete process.env[key]
  Object.assign(process.env, saved)
  rmSync(dir, { recursive: true, force: true })
})

async function act(
  w: World,
  inputs: Record<string, string>,
  env: Record<string, string> = w.githubEnv
): Promise<Outcome> {
  core.reset()
  core.setInputs(inputs)
  Object.assign(process.env, env, {
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md')
  })
  await run(main)
  const outputs = Object.fromEntries(
    core.setOutput.mock.calls.map(([k, v]) => [String(k), String(v)])
  )
  const failed = core.setFailed.mock.calls[0]?.[0] as string | undefined
  const summary = (
    core.summary as unknown as { addRaw: jest.Mock }
  ).addRaw.mock.calls
    .map(([text]) => String(text))
    .join('\n')
  return { outputs, failed, log: core.log.join('\n'), summary }
}

/** Every secret of the world is absent from everything the action wrote. */
function expectNoSecrets(w: World, outcome: Outcome): void {
  const hookKey = new URL(w.hookUrl).searchParams.get('key') ?? ''
  const everything = [
    outcome.log,
    outcome.summary,
    outcome.failed ?? '',
    JSON.stringify(outcome.outputs)
  ].join('\n')
  for (const secret of [w.apiKey, hookKey, w.github.token]) {
    expect(secret.length).toBeGreaterThan(8)
    expect(everything).not.toContain(secret)
  }
}

describe('API mode', () => {
  it('deploys the image to live, checks health, turns auto-deploy off and records the GitHub deployment', async () => {
    world = await startWorld({}, [['v1'], ['v2', 'healthy', 300]])
    await world.seed('v1')
    const before = world.render.service(world.serviceId)
    expect(before?.autoDeployTrigger).toBe('commit')

    const result = await act(
      world,
      world.inputs({ 'image-url': `${IMAGE}:v2` })
    )

    expect(result.failed).toBeUndefined()
    const deploys = world.render.deploys(world.serviceId)
    expect(deploys).toHaveLength(2)
    const mine = deploys[0]
    expect(mine?.image?.ref).toBe(`${IMAGE}:v2`)
    expect(mine?.status).toBe('live')
    expect(result.outputs).toMatchObject({
      'deploy-id': mine?.id,
      status: 'live',
      'service-url': before?.serviceDetails.url,
      'dashboard-url': before?.dashboardUrl,
      'rolled-back': 'false'
    })
    expect(Number(result.outputs['duration'])).toBeGreaterThanOrEqual(0)
    expect(Number(result.outputs['api-calls'])).toBe(world.apiRequests())
    // The service's URL + its health path was asked, and answered.
    expect(result.log).toMatch(/\/health answered 200/)
    // Auto-deploy turned off, and said so.
    const after = world.render.service(world.serviceId)
    expect(after?.autoDeployTrigger).toBe('off')
    expect(world.apiRequests('PATCH')).toBe(1)
    expect(result.log).toContain("Turned Render's auto-deploy off")
    expect(result.summary).toContain('turned **off**')
    // The timeline and the links are in the summary.
    expect(result.summary).toContain('```mermaid\ntimeline')
    expect(result.summary).toMatch(/\+\d+\.\d s : live/)
    expect(result.summary).toContain(`${IMAGE}:v2`)
    expect(result.summary).toContain(before?.dashboardUrl ?? '-')
    // Status changes were logged with their times.
    expect(result.log).toMatch(
      /\d\d:\d\d:\d\d UTC \(\+\d+\.\d s\) deploy dep-\w+: live/
    )
    // GitHub: in_progress then success, with the service URL.
    const gh = await world.githubDeployments()
    expect(gh).toEqual([
      expect.objectContaining({
        environment: 'production',
        states: ['in_progress', 'success']
      })
    ])
    expectNoSecrets(world, result)
  })

  it('finds the deploy of a 202 (queued) answer by status and creation time', async () => {
    world = await startWorld({}, [['v1'], ['v2']])
    await world.seed('v1')
    world.render.setDeployAnswer(202)
    const result = await act(
      world,
      world.inputs({ 'image-url': `${IMAGE}:v2`, 'github-deployment': 'false' })
    )
    expect(result.failed).toBeUndefined()
    const deploys = world.render.deploys(world.serviceId)
    expect(deploys).toHaveLength(2)
    expect(result.outputs['deploy-id']).toBe(deploys[0]?.id)
    expect(result.outputs['status']).toBe('live')
    expect(result.log).toContain('answered 202 without a deploy')
    const lookups = world.render.requests.filter(
      (r) =>
        r.method === 'GET' &&
        r.path.endsWith('/deploys') &&
        r.query['createdAfter']
    )
    expect(lookups.length).toBeGreaterThan(0)
    expect(JSON.stringify(lookups[0]?.query)).toContain('queued')
  })

  it('fails on build_failed and says the previous deploy still serves', async () => {
    world = await startWorld({}, [['v1'], ['v2']])
    const previous = await world.seed('v1')
    world.render.failNext('build_failed')
    const result = await act(
      world,
      world.inputs({ 'image-url': `${IMAGE}:v2` })
    )
    expect(result.failed).toMatch(/ended build_failed/)
    expect(result.failed).toContain(
      `previous deploy ${previous.id} is still serving`
    )
    expect(result.outputs['status']).toBe('build_failed')
    expect(result.outputs['rolled-back']).toBe('false')
    const gh = await world.githubDeployments()
    expect(gh[0]?.states).toEqual(['in_progress', 'failure'])
  })

  it('fails on update_failed when the container crashes; the previous deploy still serves', async () => {
    world = await startWorld({}, [['v1'], ['v2', 'crash']])
    const previous = await world.seed('v1')
    const result = await act(
      world,
      world.inputs({ 'image-url': `${IMAGE}:v2`, 'github-deployment': 'false' })
    )
    expect(result.failed).toMatch(/ended update_failed/)
    expect(result.failed).toContain(`previous deploy ${previous.id}`)
    const service = world.render.service(world.serviceId)
    const served = (await (
      await fetch(`${service?.serviceDetails.url}/health`)
    ).json()) as { ok: boolean }
    expect(served.ok).toBe(true)
    expect(world.render.deploys(world.serviceId)[1]?.status).toBe('live')
  })

  it('rolls back a deploy that goes live but fails its health check, and waits for the rollback to be live', async () => {
    world = await startWorld({}, [['v1'], ['v2', 'sick-after-live']])
    const previous = await world.seed('v1')
    const result = await act(
      world,
      world.inputs({ 'image-url': `${IMAGE}:v2` })
    )
    expect(result.failed).toMatch(
      /went live, but .*\/health did not answer 2xx/
    )
    expect(result.failed).toContain(`rolled back to deploy ${previous.id}`)
    expect(result.outputs['rolled-back']).toBe('true')
    const [rollback, mine] = world.render.deploys(world.serviceId)
    expect(rollback?.trigger).toBe('rollback')
    expect(rollback?.status).toBe('live')
    expect(mine?.status).toBe('deactivated')
    expect(world.apiRequests('POST', /\/rollback$/)).toBe(1)
    expect(result.summary).toContain('### Rollback')
    expect(result.summary).toContain('live again')
    const gh = await world.githubDeployments()
    expect(gh[0]?.states).toEqual(['in_progress', 'failure'])
  })

  it('cancels the deploy when the timeout passes', async () => {
    world = await startWorld(
      { timings: { ...TIMINGS, healthTimeoutMs: 60_000 } },
      [['v1'], ['v2', 'hang']]
    )
    await world.seed('v1')
    const started = Date.now()
    const result = await act(
      world,
      world.inputs({ 'image-url': `${IMAGE}:v2`, 'github-deployment': 'false' })
    )
    expect(Date.now() - started).toBeLessThan(16_000)
    expect(result.failed).toMatch(/did not end within 10s .* canceled/)
    expect(world.apiRequests('POST', /\/cancel$/)).toBe(1)
    expect(world.render.deploys(world.serviceId)[0]?.status).toBe('canceled')
    expect(result.outputs['status']).toBe('canceled')
  }, 30_000)

  it('outlasts a 429 with Retry-After and a burst of 5xx in the middle of polling, without a second deploy', async () => {
    const w = await startWorld({}, [['v1'], ['v2', 'healthy', 3000]])
    world = w
    await w.seed('v1')
    const started = Date.now()
    const pending = act(
      w,
      w.inputs({ 'image-url': `${IMAGE}:v2`, 'github-deployment': 'false' })
    )
    // Once the deploy has been read successfully, the API starts failing.
    const polled = () =>
      w.render.requests.some(
        (r) =>
          r.method === 'GET' &&
          /\/deploys\/dep-/.test(r.path) &&
          r.status === 200
      )
    while (!polled()) await new Promise((resolve) => setTimeout(resolve, 20))
    w.render.addFault({
      kind: 'rate-limit',
      method: 'GET',
      path: '/deploys/dep-',
      count: 1,
      retryAfter: 1
    })
    w.render.addFault({
      kind: 'error-burst',
      method: 'GET',
      path: '/deploys/dep-',
      count: 3
    })
    const result = await pending
    expect(result.failed).toBeUndefined()
    expect(result.outputs['status']).toBe('live')
    expect(w.apiRequests('POST', /\/deploys$/)).toBe(1)
    expect(w.render.deploys(w.serviceId)).toHaveLength(2)
    const faults = w.render.requests.filter((r) => r.fault)
    expect(faults.map((r) => r.fault)).toEqual([
      'rate-limit',
      'error-burst',
      'error-burst',
      'error-burst'
    ])
    // Polling went on after the faults, until live.
    const last = w.render.requests.filter((r) => /\/deploys\/dep-/.test(r.path))
    expect(last.at(-1)?.status).toBe(200)
    // The Retry-After second was waited for.
    const limited = w.render.requests.findIndex((r) => r.fault === 'rate-limit')
    const after = w.render.requests[limited + 1]
    expect(
      Date.parse(after?.time ?? '') -
        Date.parse(w.render.requests[limited]?.time ?? '')
    ).toBeGreaterThanOrEqual(950)
    expect(Number(result.outputs['api-calls'])).toBe(w.apiRequests())
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('retries a trigger whose connection dropped before Render saw it: exactly one deploy', async () => {
    world = await startWorld({}, [['v1'], ['v2']])
    await world.seed('v1')
    world.render.addFault({
      kind: 'drop',
      method: 'POST',
      path: '/deploys$',
      count: 1
    })
    const result = await act(
      world,
      world.inputs({ 'image-url': `${IMAGE}:v2`, 'github-deployment': 'false' })
    )
    expect(result.failed).toBeUndefined()
    expect(world.apiRequests('POST', /\/deploys$/)).toBe(2)
    expect(world.render.deploys(world.serviceId)).toHaveLength(2)
    expect(result.log).toContain('looking for a deploy it may have created')
  })

  it('does not trigger again when the answer was lost after Render created the deploy: exactly one deploy', async () => {
    world = await startWorld({}, [['v1'], ['v2']])
    await world.seed('v1')
    const proxy = await startLossyProxy(
      world.render.url,
      (method, path) => method === 'POST' && /\/deploys$/.test(path)
    )
    try {
      const result = await act(
        world,
        world.inputs({
          'image-url': `${IMAGE}:v2`,
          'github-deployment': 'false',
          'render-api-url': `${proxy.url}/v1`
        })
      )
      expect(proxy.dropped).toBe(1)
      expect(result.failed).toBeUndefined()
      expect(world.apiRequests('POST', /\/deploys$/)).toBe(1)
      const deploys = world.render.deploys(world.serviceId)
      expect(deploys).toHaveLength(2)
      expect(result.outputs['deploy-id']).toBe(deploys[0]?.id)
      expect(result.log).toContain('not triggering again')
      expect(result.summary).toContain('answer was lost')
    } finally {
      await proxy.stop()
    }
  })

  it('refuses an image of another repository before any deploy', async () => {
    world = await startWorld({}, [['v1']])
    await world.seed('v1')
    const result = await act(
      world,
      world.inputs({ 'image-url': `${IMAGE.replace('example', 'other')}:v2` })
    )
    expect(result.failed).toMatch(/only another tag or digest/)
    expect(result.failed).toContain('Nothing was deployed')
    expect(world.apiRequests('POST')).toBe(0)
    expect(world.apiRequests('PATCH')).toBe(0)
    expect(world.render.deploys(world.serviceId)).toHaveLength(1)
    expect(await world.githubDeployments()).toEqual([])
  })

  it('refuses a suspended service before any deploy', async () => {
    world = await startWorld({}, [['v1']])
    await fetch(`${world.render.url}/v1/services/${world.serviceId}/suspend`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.apiKey}` }
    })
    world.render.requests.length = 0
    const result = await act(
      world,
      world.inputs({ 'image-url': `${IMAGE}:v1` })
    )
    expect(result.failed).toMatch(/is suspended/)
    expect(world.apiRequests('POST')).toBe(0)
    expect(world.render.deploys(world.serviceId)).toHaveLength(0)
  })

  it('refuses commit-id on an image-backed service', async () => {
    world = await startWorld({}, [['v1']])
    const result = await act(world, world.inputs({ 'commit-id': 'abcdef1' }))
    expect(result.failed).toMatch(
      /is image-backed .* cannot deploy 'commit-id'/
    )
    expect(world.apiRequests('POST')).toBe(0)
  })

  it('with disable-auto-deploy false, warns and leaves auto-deploy on', async () => {
    world = await startWorld({}, [['v1']])
    const result = await act(
      world,
      world.inputs({
        'image-url': `${IMAGE}:v1`,
        'disable-auto-deploy': 'false',
        'github-deployment': 'false'
      })
    )
    expect(result.failed).toBeUndefined()
    expect(result.log).toMatch(/warning: Render's auto-deploy is on/)
    expect(world.apiRequests('PATCH')).toBe(0)
    expect(world.render.service(world.serviceId)?.autoDeployTrigger).toBe(
      'commit'
    )
    expect(result.summary).toContain('was left on')
  })

  it('deploys a commit to a git-backed service', async () => {
    world = await startWorld()
    const git = world.render.env()['RENDER_GIT_SERVICE_ID'] ?? ''
    const result = await act(
      world,
      world.inputs({
        'service-id': git,
        'commit-id': 'abcdef1234567',
        'github-deployment': 'false',
        'clear-cache': 'true'
      })
    )
    expect(result.failed).toBeUndefined()
    const [mine] = world.render.deploys(git)
    expect(mine?.commit?.id).toBe('abcdef1234567')
    expect(result.outputs['status']).toBe('live')
    const post = world.render.requests.find((r) => r.method === 'POST')
    expect(post?.body).toEqual({
      commitId: 'abcdef1234567',
      clearCache: 'clear'
    })
  })
})

describe('options and GitHub problems', () => {
  it('with wait false, triggers and reports the status it saw', async () => {
    world = await startWorld({}, [['v1']])
    const result = await act(
      world,
      world.inputs({
        'image-url': `${IMAGE}:v1`,
        wait: 'false',
        'github-deployment': 'false'
      })
    )
    expect(result.failed).toBeUndefined()
    const [mine] = world.render.deploys(world.serviceId)
    expect(result.outputs['deploy-id']).toBe(mine?.id)
    expect(result.outputs['status']).toBe('created')
    expect(world.apiRequests('GET', /\/deploys\/dep-/)).toBe(0)
    expect(result.summary).toContain('triggered, not waited for')
  })

  it('deploys all the same when GitHub refuses the token, and warns', async () => {
    world = await startWorld({}, [['v1']])
    const result = await act(
      world,
      world.inputs({
        'image-url': `${IMAGE}:v1`,
        'github-token': 'ghs_NotAValidTokenAtAll0000'
      })
    )
    expect(result.failed).toBeUndefined()
    expect(result.outputs['status']).toBe('live')
    expect(result.log).toMatch(
      /warning: No GitHub deployment recorded for environment production: .*Bad credentials/
    )
    expect(await world.githubDeployments()).toEqual([])
  })

  it('records the deployment for the environment given', async () => {
    world = await startWorld({}, [['v1']])
    const result = await act(
      world,
      world.inputs({ 'image-url': `${IMAGE}:v1`, environment: 'staging' })
    )
    expect(result.failed).toBeUndefined()
    expect(await world.githubDeployments()).toEqual([
      expect.objectContaining({
        environment: 'staging',
        states: ['in_progress', 'success']
      })
    ])
  })
})

describe('the image pull check', () => {
  it('refuses a tag the registry does not have, before any deploy, through the anonymous token flow', async () => {
    const registry = await startFakeRegistry({ 'shipyard/example': ['v1'] })
    world = await startWorld(
      {
        registry: { host: registry.host },
        imagePath: `${registry.host}/shipyard/example:v1`
      },
      [[`${registry.host}/shipyard/example:v1`]]
    )
    try {
      const result = await act(
        world,
        world.inputs({ 'image-url': `${registry.host}/shipyard/example:v9` })
      )
      expect(result.failed).toMatch(
        /cannot be pulled anonymously .*v9 is not in shipyard\/example/
      )
      expect(world.apiRequests('POST')).toBe(0)
      expect(registry.tokens).toBe(1)
      const ok = await act(
        world,
        world.inputs({
          'image-url': `${registry.host}/shipyard/example:v1`,
          'github-deployment': 'false'
        })
      )
      expect(ok.failed).toBeUndefined()
      expect(ok.log).toContain('can be pulled anonymously')
    } finally {
      await registry.stop()
    }
  })

  it('warns and goes on when the registry cannot be reached', async () => {
    const host = '127.0.0.1:9'
    world = await startWorld(
      { registry: { host }, imagePath: `${host}/shipyard/example:v1` },
      [[`${host}/shipyard/example:v1`]]
    )
    const result = await act(
      world,
      world.inputs({
        'image-url': `${host}/shipyard/example:v1`,
        'github-deployment': 'false'
      })
    )
    expect(result.failed).toBeUndefined()
    expect(result.log).toMatch(
      /warning: Could not check that image .* deploying anyway/
    )
    expect(result.outputs['status']).toBe('live')
  })
})

describe('deploy-hook mode', () => {
  it('triggers through the hook with imgURL and, with an API key, waits for live', async () => {
    world = await startWorld({}, [['v1'], ['v2']])
    await world.seed('v1')
    const result = await act(world, {
      'deploy-hook-url': world.hookUrl,
      'api-key': world.apiKey,
      'render-api-url': world.render.env()['RENDER_API_URL'] ?? '',
      'image-url': `${IMAGE}:v2`,
      'github-token': world.github.token,
      timeout: '10s'
    })
    expect(result.failed).toBeUndefined()
    const hooks = world.render.requests.filter((r) =>
      r.path.startsWith('/deploy/')
    )
    expect(hooks).toHaveLength(1)
    expect(hooks[0]?.query['imgURL']).toBe(`${IMAGE}:v2`)
    const [mine] = world.render.deploys(world.serviceId)
    expect(mine?.trigger).toBe('deploy_hook')
    expect(mine?.image?.ref).toBe(`${IMAGE}:v2`)
    expect(result.outputs).toMatchObject({
      'deploy-id': mine?.id,
      status: 'live'
    })
    expectNoSecrets(world, result)
  })

  it('does not call the hook again when its answer is lost and no API key can tell', async () => {
    world = await startWorld({}, [['v1']])
    world.render.addFault({ kind: 'drop', path: '^/deploy/', count: 1 })
    const result = await act(world, {
      'deploy-hook-url': world.hookUrl,
      'image-url': `${IMAGE}:v1`,
      'github-deployment': 'false'
    })
    expect(result.failed).toMatch(/does not call the hook again/)
    expect(
      world.render.requests.filter((r) => r.path.startsWith('/deploy/'))
    ).toHaveLength(1)
    expectNoSecrets(world, result)
  })

  it('only triggers with the hook alone, and says the deploy id', async () => {
    world = await startWorld({}, [['v1']])
    const result = await act(world, {
      'deploy-hook-url': world.hookUrl,
      'image-url': `${IMAGE}:v1`,
      'github-deployment': 'false'
    })
    expect(result.failed).toBeUndefined()
    const [mine] = world.render.deploys(world.serviceId)
    expect(result.outputs).toMatchObject({
      'deploy-id': mine?.id,
      status: 'triggered',
      'api-calls': '1'
    })
    expect(world.apiRequests()).toBe(0)
    expectNoSecrets(world, result)
  })
})
