/**
 * The Render stand-in against its contract (SERVICES.md, section Render),
 * with a fake container runtime: the fake "containers" are small HTTP servers
 * on the port the stand-in gives them, so health checks, the service URL
 * proxy and the container life cycle are exercised for real.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type {
  ContainerRuntime,
  ContainerState,
  RegistryAuth,
  RunSpec
} from '../src/podman.js'
import {
  checkImageRule,
  parseImageRef,
  RenderStandIn,
  withDigest,
  type Deploy,
  type DeployStatus,
  type RenderStandInOptions,
  type Service
} from '../src/render.js'

type Behaviour = 'healthy' | 'exit' | 'hang'

interface FakeContainer {
  spec: RunSpec
  running: boolean
  exitCode?: number
  server?: Server
}

/** Images by reference; containers are HTTP servers on $PORT. */
class FakeRuntime implements ContainerRuntime {
  readonly pulls: Array<{ ref: string; auth?: RegistryAuth }> = []
  readonly runs: Array<RunSpec & { id: string }> = []
  readonly removed: string[] = []
  readonly containers = new Map<string, FakeContainer>()
  private readonly images = new Map<
    string,
    { id: string; digest: string; behaviour: Behaviour; readyAfterMs: number }
  >()
  private n = 0

  /** Registers `ref` (and `name@digest`); answers its digest. */
  addImage(ref: string, behaviour: Behaviour = 'healthy', readyAfterMs = 0) {
    const digest = `sha256:${(++this.n).toString(16).padStart(64, '0')}`
    const image = { id: `img${this.n}`, digest, behaviour, readyAfterMs }
    this.images.set(ref, image)
    this.images.set(withDigest(ref, digest), image)
    this.images.set(image.id, image)
    return digest
  }

  async pull(ref: string, auth?: RegistryAuth) {
    this.pulls.push({ ref, auth })
    const image = this.images.get(ref)
    if (!image) throw new Error(`manifest unknown: ${ref}`)
    return { id: image.id, digest: image.digest }
  }

  /** The next `run` fails like `podman run` does for a bad image. */
  refuseRun = false

  async run(spec: RunSpec): Promise<string> {
    if (this.refuseRun) {
      this.refuseRun = false
      throw new Error('podman run failed: executable file not found')
    }
    const id = `ctr${++this.n}`
    this.runs.push({ ...spec, id })
    const image = this.images.get(spec.image)
    const container: FakeContainer = { spec, running: true }
    this.containers.set(id, container)
    if (!image || image.behaviour === 'exit') {
      container.running = false
      container.exitCode = 3
      return id
    }
    const started = Date.now()
    container.server = createServer((req, res) => {
      const ready =
        image.behaviour === 'healthy' &&
        Date.now() - started >= image.readyAfterMs
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          status: ready ? 'ok' : 'starting',
          container: id,
          path: req.url,
          forwardedProto: req.headers['x-forwarded-proto'] ?? null
        })
      )
    })
    const port = Number(spec.env?.['PORT'])
    await new Promise<void>((resolve) =>
      container.server?.listen(port, '127.0.0.1', resolve)
    )
    return id
  }

  async state(id: string): Promise<ContainerState> {
    const c = this.containers.get(id)
    if (!c) return { running: false, status: 'missing' }
    return c.running
      ? { running: true, status: 'running', exitCode: 0 }
      : { running: false, status: 'exited', exitCode: c.exitCode ?? 0 }
  }

  async logs(id: string): Promise<string> {
    return `fake container ${id}: ImproperlyConfigured: SECRET_KEY is not set\n`
  }

  async remove(id: string): Promise<void> {
    const c = this.containers.get(id)
    this.removed.push(id)
    if (!c) return
    c.running = false
    const server = c.server
    c.server = undefined
    if (server) {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }

  /** Containers that are still running. */
  running(): string[] {
    return [...this.containers.entries()]
      .filter(([, c]) => c.running)
      .map(([id]) => id)
  }
}

const REGISTRY = '127.0.0.1:5999'
const IMAGE = `${REGISTRY}/shipyard/example`
const FAST = {
  createdMs: 15,
  queuedMs: 15,
  buildMs: 15,
  updateMs: 15,
  healthIntervalMs: 15,
  healthTimeoutMs: 600,
  healthRequestTimeoutMs: 300
}

const started: RenderStandIn[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()))
})

interface Harness {
  render: RenderStandIn
  fake: FakeRuntime
  base: string
  srv: string
  git: string
  call: (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>
  ) => Promise<{ status: number; body: unknown; headers: Headers }>
  deploy: (body?: unknown, srv?: string) => Promise<Deploy>
  waitFor: (
    deployId: string,
    statuses: DeployStatus[],
    srv?: string
  ) => Promise<Deploy>
  history: (deployId: string, until: DeployStatus[]) => Promise<string[]>
}

async function setup(
  options: RenderStandInOptions = {},
  images: Array<[string, Behaviour?, number?]> = [[`${IMAGE}:v1`]]
): Promise<Harness> {
  const fake = new FakeRuntime()
  for (const [ref, behaviour, ready] of images)
    fake.addImage(ref, behaviour, ready)
  const render = new RenderStandIn({
    registry: { host: REGISTRY, username: 'shipyard', password: 'pw-secret-1' },
    timings: FAST,
    runtime: fake,
    ...options
  })
  started.push(render)
  const base = await render.start()
  const env = render.env()
  const key = env['RENDER_API_KEY'] ?? ''
  const srv = env['RENDER_SERVICE_ID'] ?? ''
  const git = env['RENDER_GIT_SERVICE_ID'] ?? ''
  const call: Harness['call'] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers
      },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await res.text()
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as unknown) : undefined,
      headers: res.headers
    }
  }
  const deploy: Harness['deploy'] = async (body = {}, service = srv) => {
    const res = await call('POST', `/v1/services/${service}/deploys`, body)
    expect(res.status).toBe(201)
    return res.body as Deploy
  }
  const getDeploy = async (id: string, service: string) =>
    (await call('GET', `/v1/services/${service}/deploys/${id}`)).body as Deploy
  const waitFor: Harness['waitFor'] = async (id, statuses, service = srv) => {
    const deadline = Date.now() + 5000
    for (;;) {
      const d = await getDeploy(id, service)
      if (statuses.includes(d.status)) return d
      if (Date.now() > deadline)
        throw new Error(`${id} is ${d.status}, not ${statuses.join('|')}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  const history: Harness['history'] = async (id, until) => {
    const seen: string[] = []
    const deadline = Date.now() + 5000
    for (;;) {
      const d = render.deploys(srv).find((x) => x.id === id) ??
        render.deploys(git).find((x) => x.id === id) ?? { status: 'missing' }
      if (seen.at(-1) !== d.status) seen.push(d.status)
      if ((until as string[]).includes(d.status) || Date.now() > deadline)
        return seen
      await new Promise((r) => setTimeout(r, 2))
    }
  }
  return { render, fake, base, srv, git, call, deploy, waitFor, history }
}

const list = <T>(body: unknown, name: string): T[] =>
  (body as Array<Record<string, T>>).map((item) => item[name])

describe('image references', () => {
  it('parses and applies the tag-or-digest rule', () => {
    expect(parseImageRef('nginx:1.27')).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: '1.27',
      digest: undefined
    })
    expect(parseImageRef('127.0.0.1:5000/shipyard/example')).toMatchObject({
      registry: '127.0.0.1:5000',
      repository: 'shipyard/example'
    })
    expect(parseImageRef('Not An Image')).toBeUndefined()
    expect(checkImageRule('nginx:latest', 'docker.io/library/nginx:1')).toBe(
      undefined
    )
    expect(checkImageRule(`${IMAGE}:latest`, `${IMAGE}-evil:1`)).toMatch(
      /only the tag or digest may differ/
    )
    expect(withDigest(`${IMAGE}:v1`, 'sha256:ab')).toBe(`${IMAGE}@sha256:ab`)
  })
})

describe('RenderStandIn', () => {
  it('exposes its URLs and credentials through env()', async () => {
    const { render, base, srv, git } = await setup()
    const env = render.env()
    expect(env['RENDER_API_URL']).toBe(`${base}/v1`)
    expect(env['RENDER_API_KEY']).toMatch(/^rnd_[A-Za-z0-9]{20,}$/)
    expect(srv).toMatch(/^srv-[0-9a-v]{20}$/)
    expect(git).toMatch(/^srv-[0-9a-v]{20}$/)
    expect(git).not.toBe(srv)
    expect(env['RENDER_DEPLOY_HOOK_URL']).toMatch(
      new RegExp(`^${base}/deploy/${srv}\\?key=\\w{16}$`)
    )
    expect(env['RENDER_SERVICE_URL']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('checks the Bearer key as Render does', async () => {
    const { render, base, call } = await setup()
    const none = await fetch(`${base}/v1/services`)
    expect(none.status).toBe(401)
    expect(await none.json()).toEqual({
      id: 'unauthorized',
      message: 'Unauthorized'
    })
    const wrong = await call('GET', '/v1/services', undefined, {
      authorization: 'Bearer rnd_wrong'
    })
    expect(wrong.status).toBe(401)
    const basic = await call('GET', '/v1/services', undefined, {
      authorization: `Basic ${render.apiKey}`
    })
    expect(basic.status).toBe(401)
    expect((await call('GET', '/v1/services')).status).toBe(200)
    const log = JSON.stringify(render.requests)
    expect(log).not.toContain(render.apiKey)
    expect(render.requests.at(-1)?.headers['authorization']).toBe('Bearer ***')
  })

  it('lists and gets services with cursor pagination', async () => {
    const { srv, git, call } = await setup()
    const all = await call('GET', '/v1/services')
    expect(all.status).toBe(200)
    const services = list<Service>(all.body, 'service')
    expect(services.map((s) => s.id)).toEqual([srv, git])
    const image = services[0]
    expect(image).toMatchObject({
      type: 'web_service',
      imagePath: `${IMAGE}:latest`,
      autoDeploy: 'yes',
      autoDeployTrigger: 'commit',
      suspended: 'not_suspended',
      serviceDetails: { runtime: 'image', healthCheckPath: '/health' }
    })
    expect(image.repo).toBeUndefined()
    expect(services[1]).toMatchObject({
      repo: 'https://github.com/shipyard/example',
      branch: 'main',
      serviceDetails: { runtime: 'python' }
    })
    const first = await call('GET', '/v1/services?limit=1')
    const page = first.body as Array<{ cursor: string; service: Service }>
    expect(page).toHaveLength(1)
    const next = await call(
      'GET',
      `/v1/services?limit=1&cursor=${page[0]?.cursor ?? ''}`
    )
    expect(list<Service>(next.body, 'service').map((s) => s.id)).toEqual([git])
    expect((await call('GET', '/v1/services?limit=101')).status).toBe(400)
    expect((await call('GET', '/v1/services?cursor=nonsense')).status).toBe(400)
    const one = await call('GET', `/v1/services/${srv}`)
    expect((one.body as Service).id).toBe(srv)
    const missing = await call('GET', '/v1/services/srv-doesnotexist')
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ id: 'not_found' })
  })

  it('keeps autoDeploy and autoDeployTrigger consistent on PATCH', async () => {
    const { srv, git, call } = await setup()
    const off = await call('PATCH', `/v1/services/${srv}`, {
      autoDeploy: 'no'
    })
    expect(off.status).toBe(200)
    expect(off.body).toMatchObject({
      autoDeploy: 'no',
      autoDeployTrigger: 'off'
    })
    expect((await call('GET', `/v1/services/${srv}`)).body).toMatchObject({
      autoDeploy: 'no',
      autoDeployTrigger: 'off'
    })
    const on = await call('PATCH', `/v1/services/${git}`, {
      autoDeployTrigger: 'checksPass'
    })
    expect(on.body).toMatchObject({
      autoDeploy: 'yes',
      autoDeployTrigger: 'checksPass'
    })
    const offNew = await call('PATCH', `/v1/services/${git}`, {
      autoDeployTrigger: 'off'
    })
    expect(offNew.body).toMatchObject({ autoDeploy: 'no' })
    const contradiction = await call('PATCH', `/v1/services/${git}`, {
      autoDeploy: 'yes',
      autoDeployTrigger: 'off'
    })
    expect(contradiction.status).toBe(400)
    expect(
      (await call('PATCH', `/v1/services/${git}`, { autoDeploy: 'maybe' }))
        .status
    ).toBe(400)
  })

  it('deploys an image: 201, created → queued → update_in_progress → live, reachable at the service URL', async () => {
    const { render, fake, srv, deploy, history, call } = await setup(
      { timings: { ...FAST, createdMs: 60, queuedMs: 60 } },
      [[`${IMAGE}:v1`, 'healthy', 120]]
    )
    const created = await deploy({ imageUrl: `${IMAGE}:v1` })
    expect(created).toMatchObject({
      status: 'created',
      trigger: 'api',
      commit: null,
      image: { ref: `${IMAGE}:v1` }
    })
    expect(created.id).toMatch(/^dep-[0-9a-v]{20}$/)
    expect(created.finishedAt).toBeUndefined()
    expect(await history(created.id, ['live', 'update_failed'])).toEqual([
      'created',
      'queued',
      'update_in_progress',
      'live'
    ])
    const live = (
      await call('GET', `/v1/services/${srv}/deploys/${created.id}`)
    ).body as Deploy
    expect(live.status).toBe('live')
    expect(live.image?.sha).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(Date.parse(live.startedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(live.createdAt)
    )
    expect(Date.parse(live.finishedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(live.startedAt ?? '')
    )
    // Pulled with the registry credentials, run with the app's environment.
    expect(fake.pulls[0]).toEqual({
      ref: `${IMAGE}:v1`,
      auth: { host: REGISTRY, username: 'shipyard', password: 'pw-secret-1' }
    })
    const run = fake.runs[0]
    expect(run?.labels).toMatchObject({
      'shipyard.stand-in': 'render',
      'shipyard.render.deploy': created.id
    })
    expect(run?.env).toMatchObject({
      DJANGO_ENV: 'production',
      ALLOWED_HOSTS: '127.0.0.1,localhost',
      RENDER_SERVICE_ID: srv
    })
    expect(run?.env?.['SECRET_KEY']?.length).toBeGreaterThanOrEqual(40)
    expect(Number(run?.env?.['PORT'])).toBeGreaterThan(0)
    const url = render.service(srv)?.serviceDetails.url ?? ''
    const res = await fetch(`${url}/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      status: 'ok',
      container: run?.id,
      path: '/health',
      forwardedProto: 'https'
    })
    const containers = (await (
      await fetch(`${render.url}/__control/render/containers`)
    ).json()) as Array<{ deployId: string; state: string }>
    expect(containers).toEqual([
      expect.objectContaining({ deployId: created.id, state: 'running' })
    ])
  })

  it('answers 202 with no body when told to, and the deploy is found queued', async () => {
    const { render, srv, call, waitFor } = await setup({
      timings: { ...FAST, queuedMs: 300 }
    })
    const control = await fetch(
      `${render.url}/__control/render/deploy-answer`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 202, count: 1 })
      }
    )
    expect(control.status).toBe(200)
    const before = new Date().toISOString()
    const res = await call('POST', `/v1/services/${srv}/deploys`, {
      imageUrl: `${IMAGE}:v1`
    })
    expect(res.status).toBe(202)
    expect(res.body).toBeUndefined()
    const queued = await call(
      'GET',
      `/v1/services/${srv}/deploys?status=queued&limit=1`
    )
    const [found] = list<Deploy>(queued.body, 'deploy')
    expect(found).toMatchObject({ status: 'queued', trigger: 'api' })
    const since = await call(
      'GET',
      `/v1/services/${srv}/deploys?createdAfter=${encodeURIComponent(before)}`
    )
    expect(list<Deploy>(since.body, 'deploy').map((d) => d.id)).toEqual([
      found?.id
    ])
    await waitFor(found?.id ?? '', ['live'])
    // count: 1 — the next one is 201 again.
    expect((await call('POST', `/v1/services/${srv}/deploys`, {})).status).toBe(
      201
    )
    // The option sets the default.
    const always = await setup({ deployAnswer: 202 })
    expect(
      (await always.call('POST', `/v1/services/${always.srv}/deploys`, {}))
        .status
    ).toBe(202)
  })

  it('enforces the image URL rule and the body fields', async () => {
    const { srv, git, call } = await setup()
    const other = await call('POST', `/v1/services/${srv}/deploys`, {
      imageUrl: `${REGISTRY}/shipyard/other:v1`
    })
    expect(other.status).toBe(400)
    expect((other.body as { message: string }).message).toMatch(
      /only the tag or digest may differ/
    )
    const registry = await call('POST', `/v1/services/${srv}/deploys`, {
      imageUrl: 'docker.io/shipyard/example:v1'
    })
    expect(registry.status).toBe(400)
    const invalid = await call('POST', `/v1/services/${srv}/deploys`, {
      imageUrl: 'https://example.com/x'
    })
    expect(invalid.status).toBe(400)
    const digest = await call('POST', `/v1/services/${srv}/deploys`, {
      imageUrl: `${IMAGE}@sha256:${'a'.repeat(64)}`
    })
    expect(digest.status).toBe(201)
    expect((digest.body as Deploy).image?.sha).toBe(`sha256:${'a'.repeat(64)}`)
    expect(
      (
        await call('POST', `/v1/services/${srv}/deploys`, {
          commitId: 'abcdef1'
        })
      ).status
    ).toBe(400)
    expect(
      (
        await call('POST', `/v1/services/${srv}/deploys`, {
          clearCache: 'yes'
        })
      ).status
    ).toBe(400)
    expect(
      (
        await call('POST', `/v1/services/${git}/deploys`, {
          imageUrl: `${IMAGE}:v1`
        })
      ).status
    ).toBe(400)
    expect(
      (
        await call('POST', `/v1/services/${git}/deploys`, {
          commitId: 'not-a-sha'
        })
      ).status
    ).toBe(400)
  })

  it('deploys a commit of the git-backed service through build_in_progress', async () => {
    const { git, deploy, history, render } = await setup({
      timings: { ...FAST, buildMs: 60, updateMs: 60 }
    })
    const d = await deploy(
      {
        commitId: 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2',
        clearCache: 'clear'
      },
      git
    )
    expect(d.commit?.id).toBe('a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2')
    expect(d.image).toBeUndefined()
    expect(await history(d.id, ['live', 'build_failed'])).toEqual([
      'created',
      'queued',
      'build_in_progress',
      'update_in_progress',
      'live'
    ])
    const res = await fetch(render.service(git)?.serviceDetails.url ?? '')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ deploy: d.id })
  })

  it('deactivates the previous live deploy and stops its container', async () => {
    const { fake, srv, deploy, waitFor, render } = await setup({}, [
      [`${IMAGE}:v1`],
      [`${IMAGE}:v2`]
    ])
    const first = await deploy({ imageUrl: `${IMAGE}:v1` })
    await waitFor(first.id, ['live'])
    const second = await deploy({ imageUrl: `${IMAGE}:v2` })
    await waitFor(second.id, ['live'])
    const old = await waitFor(first.id, ['deactivated'])
    expect(old.finishedAt).toBeDefined()
    const firstContainer = fake.runs[0]?.id ?? ''
    for (let i = 0; i < 100 && fake.running().includes(firstContainer); i++)
      await new Promise((r) => setTimeout(r, 10))
    expect(fake.running()).toEqual([fake.runs[1]?.id])
    expect(fake.removed).toContain(firstContainer)
    expect(render.service(srv)?.imagePath).toBe(`${IMAGE}:v2`)
    const states = render.containers().map((c) => [c.deployId, c.state])
    expect(states).toEqual([
      [first.id, 'stopped'],
      [second.id, 'running']
    ])
  })

  it('fails the update when the container exits, keeping its logs and the live deploy', async () => {
    const { fake, render, deploy, waitFor } = await setup({}, [
      [`${IMAGE}:v1`],
      [`${IMAGE}:broken`, 'exit']
    ])
    const good = await deploy({ imageUrl: `${IMAGE}:v1` })
    await waitFor(good.id, ['live'])
    const bad = await deploy({ imageUrl: `${IMAGE}:broken` })
    const failed = await waitFor(bad.id, ['update_failed', 'live'])
    expect(failed.status).toBe('update_failed')
    expect(failed.finishedAt).toBeDefined()
    expect((await waitFor(good.id, ['live'])).status).toBe('live')
    const logs = (await (
      await fetch(`${render.url}/__control/render/deploys/${bad.id}/logs`)
    ).json()) as { reason: string; logs: string }
    expect(logs.reason).toMatch(/exited/)
    expect(logs.logs).toContain('SECRET_KEY is not set')
    expect(fake.removed).toContain(fake.runs[1]?.id)
    const url = render.service(render.serviceId)?.serviceDetails.url ?? ''
    expect((await fetch(`${url}/health`)).status).toBe(200)
  })

  it('fails the update when the health check never answers', async () => {
    const { fake, render, deploy, waitFor } = await setup(
      { timings: { ...FAST, healthTimeoutMs: 200 } },
      [[`${IMAGE}:hang`, 'hang']]
    )
    const d = await deploy({ imageUrl: `${IMAGE}:hang` })
    const started = Date.now()
    expect((await waitFor(d.id, ['update_failed', 'live'])).status).toBe(
      'update_failed'
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(150)
    expect(render.deployLogs(d.id)?.reason).toMatch(/did not answer/)
    expect(fake.running()).toEqual([])
    // Nothing is live: the service URL has no server behind it.
    const url = render.service(render.serviceId)?.serviceDetails.url ?? ''
    const res = await fetch(`${url}/health`)
    expect(res.status).toBe(404)
    expect(res.headers.get('x-render-routing')).toBe('no-deploy')
  })

  it('fails the build when forced or when the image cannot be pulled', async () => {
    const { render, srv, git, deploy, waitFor, fake } = await setup()
    const control = await fetch(`${render.url}/__control/render/fail-next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'build_failed', serviceId: git })
    })
    expect(control.status).toBe(200)
    const forced = await deploy({}, git)
    expect(
      (await waitFor(forced.id, ['build_failed', 'live'], git)).status
    ).toBe('build_failed')
    const missing = await deploy({ imageUrl: `${IMAGE}:no-such-tag` }, srv)
    expect((await waitFor(missing.id, ['build_failed', 'live'])).status).toBe(
      'build_failed'
    )
    expect(render.deployLogs(missing.id)?.logs).toContain('manifest unknown')
    render.failNext('update_failed', srv)
    const update = await deploy({ imageUrl: `${IMAGE}:v1` }, srv)
    expect((await waitFor(update.id, ['update_failed', 'live'])).status).toBe(
      'update_failed'
    )
    expect(fake.running()).toEqual([])
  })

  it('gives later containers the variables set for the service, and fails a container that cannot start', async () => {
    const { render, srv, fake, deploy, waitFor } = await setup()
    const set = await fetch(`${render.url}/__control/render/env`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        serviceId: srv,
        env: { SENTRY_DSN: 'http://k@127.0.0.1:1/1' }
      })
    })
    expect(set.status).toBe(200)
    const d = await deploy({ imageUrl: `${IMAGE}:v1` })
    await waitFor(d.id, ['live'])
    expect(fake.runs[0]?.env).toMatchObject({
      SENTRY_DSN: 'http://k@127.0.0.1:1/1',
      DJANGO_ENV: 'production'
    })
    fake.refuseRun = true
    const refused = await deploy({ imageUrl: `${IMAGE}:v1` })
    expect((await waitFor(refused.id, ['update_failed', 'live'])).status).toBe(
      'update_failed'
    )
    expect(render.deployLogs(refused.id)).toMatchObject({
      reason: 'the container could not be started',
      logs: expect.stringContaining('executable file not found')
    })
    expect((await waitFor(d.id, ['live'])).status).toBe('live')
  })

  it('answers 409 when a deploy cannot be created', async () => {
    const { render, srv, call } = await setup()
    await fetch(`${render.url}/__control/render/conflict-next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ serviceId: srv })
    })
    const refused = await call('POST', `/v1/services/${srv}/deploys`, {})
    expect(refused.status).toBe(409)
    expect(refused.body).toMatchObject({ id: 'conflict' })
    expect(render.deploys(srv)).toHaveLength(0)
    expect((await call('POST', `/v1/services/${srv}/suspend`)).status).toBe(202)
    const suspended = await call('POST', `/v1/services/${srv}/deploys`, {})
    expect(suspended.status).toBe(409)
    expect((suspended.body as { message: string }).message).toMatch(/suspended/)
    expect((await call('POST', `/v1/services/${srv}/resume`)).status).toBe(202)
    expect((await call('POST', `/v1/services/${srv}/deploys`, {})).status).toBe(
      201
    )
  })

  it('filters and pages the deploy list', async () => {
    const { srv, call, deploy, waitFor } = await setup({}, [
      [`${IMAGE}:v1`],
      [`${IMAGE}:broken`, 'exit']
    ])
    const ids: string[] = []
    for (const tag of ['v1', 'broken', 'v1', 'broken', 'v1']) {
      const d = await deploy({ imageUrl: `${IMAGE}:${tag}` })
      ids.push(d.id)
      await waitFor(d.id, ['live', 'update_failed'])
      await new Promise((r) => setTimeout(r, 5))
    }
    const newestFirst = [...ids].reverse()
    const all = await call('GET', `/v1/services/${srv}/deploys`)
    expect(list<Deploy>(all.body, 'deploy').map((d) => d.id)).toEqual(
      newestFirst
    )
    const failed = await call(
      'GET',
      `/v1/services/${srv}/deploys?status=update_failed`
    )
    expect(list<Deploy>(failed.body, 'deploy').map((d) => d.id)).toEqual([
      ids[3],
      ids[1]
    ])
    const repeated = await call(
      'GET',
      `/v1/services/${srv}/deploys?status=live&status=update_failed`
    )
    expect(list(repeated.body, 'deploy')).toHaveLength(3)
    const brackets = await call(
      'GET',
      `/v1/services/${srv}/deploys?${encodeURIComponent('status[]')}=deactivated`
    )
    expect(list<Deploy>(brackets.body, 'deploy').map((d) => d.id)).toEqual([
      ids[2],
      ids[0]
    ])
    expect(
      (await call('GET', `/v1/services/${srv}/deploys?status=done`)).status
    ).toBe(400)
    const third = list<Deploy>(all.body, 'deploy')[2]
    const after = await call(
      'GET',
      `/v1/services/${srv}/deploys?createdAfter=${encodeURIComponent(third.createdAt)}`
    )
    expect(list<Deploy>(after.body, 'deploy').map((d) => d.id)).toEqual(
      newestFirst.slice(0, 3)
    )
    const before = await call(
      'GET',
      `/v1/services/${srv}/deploys?createdBefore=${encodeURIComponent(third.createdAt)}`
    )
    expect(list<Deploy>(before.body, 'deploy').map((d) => d.id)).toEqual(
      newestFirst.slice(2)
    )
    const finished = await call(
      'GET',
      `/v1/services/${srv}/deploys?finishedAfter=${encodeURIComponent(third.finishedAt ?? '')}&updatedBefore=${encodeURIComponent(new Date().toISOString())}`
    )
    expect(list<Deploy>(finished.body, 'deploy').map((d) => d.id)).toEqual(
      newestFirst.slice(0, 3)
    )
    expect(
      (await call('GET', `/v1/services/${srv}/deploys?createdAfter=yesterday`))
        .status
    ).toBe(400)
    // Cursor pagination: pages of two cover every deploy once, in order.
    const seen: string[] = []
    let cursor = ''
    for (let page = 0; page < 5; page++) {
      const res = await call(
        'GET',
        `/v1/services/${srv}/deploys?limit=2${cursor ? `&cursor=${cursor}` : ''}`
      )
      const items = res.body as Array<{ cursor: string; deploy: Deploy }>
      if (!items.length) break
      expect(items.length).toBeLessThanOrEqual(2)
      seen.push(...items.map((i) => i.deploy.id))
      cursor = items.at(-1)?.cursor ?? ''
    }
    expect(seen).toEqual(newestFirst)
    expect(
      (await call('GET', `/v1/services/${srv}/deploys?limit=0`)).status
    ).toBe(400)
  })

  it('limits deploy triggers, deploy hooks and PATCH to 10 a minute per service', async () => {
    const { render, srv, git, call } = await setup({
      timings: { ...FAST, queuedMs: 5000 }
    })
    const hook = render.env()['RENDER_DEPLOY_HOOK_URL'] ?? ''
    const remaining: string[] = []
    for (let i = 0; i < 10; i++) {
      const res =
        i % 3 === 0
          ? await call('PATCH', `/v1/services/${srv}`, { autoDeploy: 'no' })
          : i % 3 === 1
            ? await call('POST', `/v1/services/${srv}/deploys`, {})
            : await fetch(hook, { method: 'POST' }).then(async (r) => ({
                status: r.status,
                headers: r.headers,
                body: await r.json()
              }))
      expect(res.status).toBeLessThan(300)
      expect(res.headers.get('ratelimit-limit')).toBe('10')
      remaining.push(res.headers.get('ratelimit-remaining') ?? '')
    }
    expect(remaining).toEqual([
      '9',
      '8',
      '7',
      '6',
      '5',
      '4',
      '3',
      '2',
      '1',
      '0'
    ])
    const limited = await call('POST', `/v1/services/${srv}/deploys`, {})
    expect(limited.status).toBe(429)
    expect(limited.body).toMatchObject({ message: expect.any(String) })
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    expect(limited.headers.get('ratelimit-remaining')).toBe('0')
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThan(0)
    expect((await fetch(hook)).status).toBe(429)
    expect(
      (await call('PATCH', `/v1/services/${srv}`, { autoDeploy: 'no' })).status
    ).toBe(429)
    // Per service: the other one still deploys; reads have their own limit.
    expect((await call('POST', `/v1/services/${git}/deploys`, {})).status).toBe(
      201
    )
    const read = await call('GET', `/v1/services/${srv}`)
    expect(read.status).toBe(200)
    expect(read.headers.get('ratelimit-limit')).toBe('400')
    expect(render.deploys(srv)).toHaveLength(6)
  })

  it('opens a new rate-limit window once the old one ends', async () => {
    const { srv, call } = await setup({
      limits: { trigger: 2, windowMs: 300 }
    })
    expect((await call('POST', `/v1/services/${srv}/deploys`, {})).status).toBe(
      201
    )
    expect((await call('POST', `/v1/services/${srv}/deploys`, {})).status).toBe(
      201
    )
    expect((await call('POST', `/v1/services/${srv}/deploys`, {})).status).toBe(
      429
    )
    await new Promise((r) => setTimeout(r, 350))
    const again = await call('POST', `/v1/services/${srv}/deploys`, {})
    expect(again.status).toBe(201)
    expect(again.headers.get('ratelimit-remaining')).toBe('1')
  })

  it('deploys through the hook URL, with imgURL, without an auth header', async () => {
    const { render, srv, git, waitFor, fake } = await setup({}, [
      [`${IMAGE}:v1`],
      [`${IMAGE}:v2`]
    ])
    const hook = render.deployHookUrl(srv)
    const plain = await fetch(hook)
    expect(plain.status).toBe(200)
    const { deploy } = (await plain.json()) as { deploy: { id: string } }
    expect(Object.keys(deploy)).toEqual(['id'])
    expect(deploy.id).toMatch(/^dep-/)
    const withImage = await fetch(
      `${hook}&imgURL=${encodeURIComponent(`${IMAGE}:v2`)}`,
      { method: 'POST' }
    )
    expect(withImage.status).toBe(200)
    const second = ((await withImage.json()) as { deploy: { id: string } })
      .deploy
    const live = await waitFor(second.id, ['live', 'update_failed'])
    expect(live).toMatchObject({
      status: 'live',
      trigger: 'deploy_hook',
      image: { ref: `${IMAGE}:v2` }
    })
    expect(fake.pulls.map((p) => p.ref)).toContain(`${IMAGE}:v2`)
    const mismatch = await fetch(
      `${hook}&imgURL=${encodeURIComponent('docker.io/library/nginx:1')}`
    )
    expect(mismatch.status).toBe(400)
    const wrongKey = await fetch(`${render.url}/deploy/${srv}?key=nope`)
    expect(wrongKey.status).toBe(401)
    expect(
      (await fetch(`${render.url}/deploy/srv-unknown?key=nope`)).status
    ).toBe(404)
    const gitHook = await fetch(`${render.deployHookUrl(git)}&ref=abcdef1`)
    expect(gitHook.status).toBe(200)
    const gitDeploy = render.deploys(git)[0]
    expect(gitDeploy?.commit?.id).toBe('abcdef1')
    // The whole hook URL is a secret: the log never shows the key.
    expect(JSON.stringify(render.requests)).not.toContain(
      new URL(hook).searchParams.get('key') ?? 'x'
    )
  })

  it('rolls back to a deploy that was live, by digest, and turns auto-deploy off', async () => {
    const { srv, call, deploy, waitFor, fake } = await setup({}, [
      [`${IMAGE}:v1`],
      [`${IMAGE}:v2`],
      [`${IMAGE}:broken`, 'exit']
    ])
    const v1 = await deploy({ imageUrl: `${IMAGE}:v1` })
    const v1Live = await waitFor(v1.id, ['live'])
    const v2 = await deploy({ imageUrl: `${IMAGE}:v2` })
    await waitFor(v2.id, ['live'])
    const broken = await deploy({ imageUrl: `${IMAGE}:broken` })
    await waitFor(broken.id, ['update_failed'])
    const res = await call('POST', `/v1/services/${srv}/rollback`, {
      deployId: v1.id
    })
    expect(res.status).toBe(201)
    const rollback = res.body as Deploy
    expect(rollback).toMatchObject({
      trigger: 'rollback',
      image: { ref: `${IMAGE}:v1`, sha: v1Live.image?.sha }
    })
    expect(rollback.id).not.toBe(v1.id)
    await waitFor(rollback.id, ['live'])
    expect((await waitFor(v2.id, ['deactivated'])).status).toBe('deactivated')
    expect(fake.pulls.at(-1)?.ref).toBe(`${IMAGE}@${v1Live.image?.sha ?? ''}`)
    expect((await call('GET', `/v1/services/${srv}`)).body).toMatchObject({
      autoDeploy: 'no',
      autoDeployTrigger: 'off'
    })
    const never = await call('POST', `/v1/services/${srv}/rollback`, {
      deployId: broken.id
    })
    expect(never.status).toBe(409)
    expect(
      (
        await call('POST', `/v1/services/${srv}/rollback`, {
          deployId: 'dep-unknown'
        })
      ).status
    ).toBe(404)
    expect(
      (await call('POST', `/v1/services/${srv}/rollback`, {})).status
    ).toBe(400)
  })

  it('cancels a queued deploy and a deploy whose container is starting', async () => {
    const { srv, call, deploy, waitFor, fake, render } = await setup(
      { timings: { ...FAST, healthTimeoutMs: 5000 } },
      [[`${IMAGE}:v1`], [`${IMAGE}:hang`, 'hang']]
    )
    const good = await deploy({ imageUrl: `${IMAGE}:v1` })
    await waitFor(good.id, ['live'])
    const slow = await deploy({ imageUrl: `${IMAGE}:hang` })
    const queued = await deploy({ imageUrl: `${IMAGE}:v1` })
    // The second waits behind the first.
    await waitFor(slow.id, ['update_in_progress'])
    for (let i = 0; i < 100 && fake.runs.length < 2; i++)
      await new Promise((r) => setTimeout(r, 10))
    expect((await waitFor(queued.id, ['queued'])).status).toBe('queued')
    const c1 = await call(
      'POST',
      `/v1/services/${srv}/deploys/${queued.id}/cancel`
    )
    expect(c1.status).toBe(200)
    expect(c1.body).toMatchObject({ id: queued.id, status: 'canceled' })
    expect((c1.body as Deploy).finishedAt).toBeDefined()
    const c2 = await call(
      'POST',
      `/v1/services/${srv}/deploys/${slow.id}/cancel`
    )
    expect(c2.status).toBe(200)
    const slowContainer = fake.runs[1]?.id ?? ''
    for (let i = 0; i < 100 && fake.running().includes(slowContainer); i++)
      await new Promise((r) => setTimeout(r, 10))
    expect(fake.removed).toContain(slowContainer)
    await new Promise((r) => setTimeout(r, 100))
    expect(render.deploys(srv).map((d) => [d.id, d.status])).toEqual([
      [queued.id, 'canceled'],
      [slow.id, 'canceled'],
      [good.id, 'live']
    ])
    expect(fake.runs).toHaveLength(2)
    const again = await call(
      'POST',
      `/v1/services/${srv}/deploys/${slow.id}/cancel`
    )
    expect(again.status).toBe(409)
    expect(
      (await call('POST', `/v1/services/${srv}/deploys/dep-x/cancel`)).status
    ).toBe(404)
  })

  it('auto-deploys a new commit of the git service only while auto-deploy is on', async () => {
    const { render, git, call } = await setup()
    const push = async () =>
      (await (
        await fetch(`${render.url}/__control/render/push`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ serviceId: git })
        })
      ).json()) as { commit: { id: string }; deploy?: Deploy }
    const first = await push()
    expect(first.deploy).toMatchObject({
      trigger: 'new_commit',
      commit: { id: first.commit.id }
    })
    await call('PATCH', `/v1/services/${git}`, { autoDeployTrigger: 'off' })
    const second = await push()
    expect(second.deploy).toBeUndefined()
    expect(render.deploys(git)).toHaveLength(1)
  })

  it('removes every container it started when it stops', async () => {
    const { render, srv, fake, deploy, waitFor } = await setup(
      { timings: { ...FAST, healthTimeoutMs: 5000 } },
      [[`${IMAGE}:v1`], [`${IMAGE}:hang`, 'hang']]
    )
    const good = await deploy({ imageUrl: `${IMAGE}:v1` })
    await waitFor(good.id, ['live'])
    await deploy({ imageUrl: `${IMAGE}:hang` })
    for (let i = 0; i < 100 && fake.runs.length < 2; i++)
      await new Promise((r) => setTimeout(r, 10))
    expect(fake.running()).toHaveLength(2)
    await render.stop()
    expect(fake.running()).toEqual([])
    expect(new Set(fake.removed)).toEqual(new Set(fake.runs.map((r) => r.id)))
    expect(render.deploys(srv)).toHaveLength(2)
  })
})
