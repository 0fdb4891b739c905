import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import { Ajv, type ValidateFunction } from 'ajv'
import { BUILD_STATES, ReadTheDocsStandIn } from '../src/readthedocs.js'

// ---------------------------------------------------------------- schemas
// Written from docs/user/api/v3.rst and readthedocs/api/v3/serializers.py.

const ajv = new Ajv({ allErrors: true, strict: false })
const iso = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}' }
const url = { type: 'string', pattern: '^https?://' }
const nullable = (type: string) => ({ type: [type, 'null'] })

const commandSchema = {
  type: 'object',
  required: ['id', 'command', 'output', 'exit_code', 'start_time', 'end_time'],
  properties: {
    id: { type: 'integer' },
    command: { type: 'string' },
    description: { type: 'string' },
    output: { type: 'string' },
    exit_code: { type: 'integer' },
    start_time: iso,
    end_time: iso,
    run_time: { type: 'integer' }
  }
}

const buildSchema = {
  type: 'object',
  required: [
    'id',
    'version',
    'project',
    'created',
    'finished',
    'duration',
    'state',
    'success',
    'error',
    'commit',
    '_links',
    'urls'
  ],
  properties: {
    id: { type: 'integer' },
    version: { type: 'string' },
    project: { type: 'string' },
    created: iso,
    finished: { anyOf: [iso, { type: 'null' }] },
    duration: nullable('integer'),
    state: {
      type: 'object',
      required: ['code', 'name'],
      properties: {
        code: { enum: [...BUILD_STATES] },
        name: { type: 'string' }
      }
    },
    success: nullable('boolean'),
    error: { const: '' },
    commit: {
      anyOf: [{ type: 'string', pattern: '^[0-9a-f]{40}$' }, { type: 'null' }]
    },
    _links: {
      type: 'object',
      required: ['_self', 'project', 'version'],
      properties: { _self: url, project: url, version: url }
    },
    urls: {
      type: 'object',
      required: ['build', 'project', 'version'],
      properties: {
        build: url,
        project: url,
        version: url,
        documentation: url
      }
    },
    commands: { type: 'array', items: commandSchema }
  },
  // `success`, `finished` and `duration` are null until the build is final.
  if: {
    properties: {
      state: { properties: { code: { enum: ['finished', 'cancelled'] } } }
    }
  },
  then: {
    properties: {
      success: { type: 'boolean' },
      duration: { type: 'integer', minimum: 1 },
      finished: iso
    }
  },
  else: {
    properties: {
      success: { type: 'null' },
      duration: { type: 'null' },
      finished: { type: 'null' }
    }
  }
}

const projectSchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'slug',
    'created',
    'modified',
    'language',
    'programming_language',
    'repository',
    'default_version',
    'default_branch',
    'subproject_of',
    'translation_of',
    'urls',
    'tags',
    'privacy_level',
    '_links'
  ],
  properties: {
    id: { type: 'integer' },
    slug: { type: 'string' },
    repository: {
      type: 'object',
      required: ['url', 'type'],
      properties: { url, type: { type: 'string' } }
    },
    urls: {
      type: 'object',
      required: ['documentation', 'home', 'builds', 'versions'],
      properties: { documentation: url, home: url, builds: url, versions: url }
    },
    _links: {
      type: 'object',
      required: ['_self', 'versions', 'builds'],
      properties: { _self: url, versions: url, builds: url }
    }
  }
}

const versionSchema = {
  type: 'object',
  required: [
    'id',
    'slug',
    'verbose_name',
    'identifier',
    'ref',
    'built',
    'active',
    'hidden',
    'type',
    'downloads',
    'urls',
    '_links'
  ],
  properties: {
    id: { type: 'integer' },
    slug: { type: 'string' },
    identifier: { type: 'string' },
    ref: nullable('string'),
    built: { type: 'boolean' },
    active: { type: 'boolean' },
    type: { enum: ['branch', 'tag', 'external', 'unknown'] },
    urls: {
      type: 'object',
      required: ['documentation', 'vcs', 'dashboard'],
      properties: { documentation: url, vcs: url }
    }
  }
}

const triggerSchema = {
  type: 'object',
  required: ['build', 'project', 'version'],
  properties: {
    build: buildSchema,
    project: projectSchema,
    version: versionSchema,
    triggered: { const: true }
  }
}

const pageSchema = (items: object) => ({
  type: 'object',
  required: ['count', 'next', 'previous', 'results'],
  additionalProperties: false,
  properties: {
    count: { type: 'integer', minimum: 0 },
    next: { anyOf: [url, { type: 'null' }] },
    previous: { anyOf: [url, { type: 'null' }] },
    results: { type: 'array', items }
  }
})

const errorSchema = {
  type: 'object',
  required: ['detail'],
  additionalProperties: false,
  properties: { detail: { type: 'string' } }
}

const webhookSchema = {
  type: 'object',
  required: ['build_triggered', 'project', 'versions'],
  additionalProperties: false,
  properties: {
    build_triggered: { type: 'boolean' },
    project: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } }
  }
}

const validators = {
  build: ajv.compile(buildSchema),
  trigger: ajv.compile(triggerSchema),
  buildPage: ajv.compile(pageSchema(buildSchema)),
  projectPage: ajv.compile(pageSchema(projectSchema)),
  version: ajv.compile(versionSchema),
  error: ajv.compile(errorSchema),
  webhook: ajv.compile(webhookSchema)
}

function expectShape(validate: ValidateFunction, data: unknown): void {
  if (!validate(data)) throw new Error(ajv.errorsText(validate.errors))
}

// ----------------------------------------------------------------- set-up

// Polling makes many requests: the limit itself is tested on its own instance.
const rtd = new ReadTheDocsStandIn({ stepDelayMs: 30, rateLimit: 100000 })
let base = ''
let token = ''
beforeAll(async () => {
  base = await rtd.start()
  token = rtd.token
})
afterAll(() => rtd.stop())
beforeEach(() => {
  rtd.clearFaults()
  rtd.requests.length = 0
})

type Json = Record<string, unknown>
const api = (path: string, init: RequestInit = {}, auth = token) =>
  fetch(`${base}/api/v3/${path}`, {
    ...init,
    redirect: 'manual',
    headers: {
      ...(auth ? { authorization: `Token ${auth}` } : {}),
      ...(init.headers as Record<string, string> | undefined)
    }
  })
const read = async (res: Response): Promise<Json> => (await res.json()) as Json
const trigger = async (version = 'latest', project = 'shipyard-example') => {
  const res = await api(`projects/${project}/versions/${version}/builds/`, {
    method: 'POST'
  })
  expect(res.status).toBe(202)
  const body = await read(res)
  return (body['build'] as Json)['id'] as number
}
const build = async (id: number, project = 'shipyard-example') =>
  read(await api(`projects/${project}/builds/${id}/`))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls the build, validating every answer, until it is final. */
async function follow(id: number): Promise<{ states: string[]; last: Json }> {
  const states: string[] = []
  for (let i = 0; i < 200; i++) {
    const body = await build(id)
    expectShape(validators.build, body)
    const code = (body['state'] as Json)['code'] as string
    if (states.at(-1) !== code) states.push(code)
    if (code === 'finished' || code === 'cancelled')
      return { states, last: body }
    await sleep(5)
  }
  throw new Error(`build ${id} never finished: ${states.join(' → ')}`)
}

// ------------------------------------------------------------------ tests

describe('Read the Docs stand-in: contract', () => {
  it('writes its URLs and credentials for .services.env', () => {
    const env = rtd.env()
    expect(env['RTD_API_URL']).toBe(`${base}/api/v3/`)
    expect(env['RTD_TOKEN']).toBe(token)
    expect(env['RTD_PROJECT']).toBe('shipyard-example')
    expect(env['RTD_WEBHOOK_URL']).toMatch(
      new RegExp(`^${base}/api/v2/webhook/shipyard-example/\\d+/$`)
    )
    expect(env['RTD_WEBHOOK_TOKEN']).toMatch(/^[0-9a-f]{32}$/)
  })

  it('triggers a build: 202 with {build, project, version}, nothing final yet', async () => {
    const res = await api('projects/shipyard-example/versions/latest/builds/', {
      method: 'POST'
    })
    expect(res.status).toBe(202)
    expect(res.headers.get('content-type')).toContain('application/json')
    const body = await read(res)
    expectShape(validators.trigger, body)
    expect(body['build']).toMatchObject({
      project: 'shipyard-example',
      version: 'latest',
      state: { code: 'triggered', name: 'Triggered' },
      success: null,
      finished: null,
      duration: null,
      error: ''
    })
    expect(body['version']).toMatchObject({
      slug: 'latest',
      identifier: 'main'
    })
    expect(body['project']).toMatchObject({ slug: 'shipyard-example' })
  })

  it('moves a build through the states asynchronously, success null until finished', async () => {
    const id = await trigger()
    const { states, last } = await follow(id)
    // Each state seen is later than the one before, in Read the Docs' order.
    const order = states.map((s) => BUILD_STATES.indexOf(s as never))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(states.length).toBeGreaterThanOrEqual(3)
    expect(states.at(-1)).toBe('finished')
    expect(last['success']).toBe(true)
    expect(last['commit']).toMatch(/^[0-9a-f]{40}$/)
    const commands = last['commands'] as Json[]
    expect(commands.length).toBeGreaterThan(0)
    expect(commands.every((c) => c['exit_code'] === 0)).toBe(true)
    expect(commands.some((c) => String(c['command']).includes('sphinx'))).toBe(
      true
    )
    expect((last['urls'] as Json)['documentation']).toBe(
      'https://shipyard-example.readthedocs.io/en/latest/'
    )
  })

  it('fails the next build on request: finished, success false, a failing exit code', async () => {
    const res = await fetch(`${base}/__control/rtd/fail-next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1 })
    })
    expect(res.status).toBe(204)
    const { states, last } = await follow(await trigger())
    expect(states.at(-1)).toBe('finished')
    expect(last['success']).toBe(false)
    expect(last['error']).toBe('')
    const failing = (last['commands'] as Json[]).filter(
      (c) => c['exit_code'] !== 0
    )
    expect(failing).toHaveLength(1)
    expect(String(failing[0]?.['output'])).toContain('WARNING')
    // Only the next one.
    expect((await follow(await trigger())).last['success']).toBe(true)
  })

  it('fails every build of a project set to fail', async () => {
    const patch = await fetch(
      `${base}/__control/rtd/projects/shipyard-example`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fail: true })
      }
    )
    expect(patch.status).toBe(200)
    try {
      expect((await follow(await trigger())).last['success']).toBe(false)
      expect((await follow(await trigger('stable'))).last['success']).toBe(
        false
      )
    } finally {
      await fetch(`${base}/__control/rtd/projects/shipyard-example`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fail: false })
      })
    }
  })

  it('reports a cancelled build as cancelled, success false', async () => {
    const delay = (ms: number) =>
      fetch(`${base}/__control/rtd/step-delay`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ms })
      })
    expect((await delay(1000)).status).toBe(204)
    try {
      const id = await trigger()
      const res = await fetch(`${base}/__control/rtd/builds/${id}/cancel`, {
        method: 'POST'
      })
      expect(res.status).toBe(200)
      const body = await build(id)
      expectShape(validators.build, body)
      expect(body['state']).toEqual({ code: 'cancelled', name: 'Cancelled' })
      expect(body['success']).toBe(false)
      expect(rtd.buildSnapshot(id)?.['state']).toEqual(body['state'])
    } finally {
      await delay(30)
    }
  })

  it('lists builds newest first with limit/offset pagination and filters', async () => {
    const ids = [await trigger(), await trigger(), await trigger()]
    const first = await read(
      await api('projects/shipyard-example/builds/?limit=2')
    )
    expectShape(validators.buildPage, first)
    const all = first['count'] as number
    expect(all).toBeGreaterThanOrEqual(3)
    const results = first['results'] as Json[]
    expect(results.map((b) => b['id'])).toEqual([ids[2], ids[1]])
    expect(first['previous']).toBeNull()
    const next = new URL(first['next'] as string)
    expect(next.origin).toBe(base)
    expect(next.searchParams.get('offset')).toBe('2')
    const second = await read(
      await fetch(next, { headers: { authorization: `Token ${token}` } })
    )
    expectShape(validators.buildPage, second)
    expect((second['results'] as Json[])[0]?.['id']).toBe(ids[0])
    expect(second['previous']).not.toBeNull()

    const running = await read(
      await api('projects/shipyard-example/builds/?running=true&limit=100')
    )
    expect(
      (running['results'] as Json[]).every(
        (b) =>
          !['finished', 'cancelled'].includes(
            (b['state'] as Json)['code'] as string
          )
      )
    ).toBe(true)
    const byVersion = await read(
      await api('projects/shipyard-example/versions/latest/builds/?limit=100')
    )
    expectShape(validators.buildPage, byVersion)
    expect(
      (byVersion['results'] as Json[]).every((b) => b['version'] === 'latest')
    ).toBe(true)
    await Promise.all(ids.map((id) => follow(id)))
  })

  it('serves projects and versions in their documented shapes', async () => {
    const projects = await read(await api('projects/'))
    expectShape(validators.projectPage, projects)
    expect(projects['count']).toBe(1)
    const version = await read(
      await api('projects/shipyard-example/versions/stable/')
    )
    expectShape(validators.version, version)
    expect(version).toMatchObject({ slug: 'stable', type: 'tag' })
  })

  it('answers 404 {"detail": …} for an unknown project, version or build', async () => {
    for (const path of [
      'projects/nope/builds/1/',
      'projects/shipyard-example/builds/999999/',
      'projects/shipyard-example/versions/nope/builds/'
    ]) {
      const res = await api(
        path,
        path.endsWith('builds/') ? { method: 'POST' } : {}
      )
      expect(res.status).toBe(404)
      expectShape(validators.error, await res.json())
    }
  })

  it('redirects a GET without the trailing slash, as Django does', async () => {
    const res = await api('projects/shipyard-example/builds')
    expect(res.status).toBe(301)
    expect(res.headers.get('location')).toBe(
      '/api/v3/projects/shipyard-example/builds/'
    )
  })
})

describe('Read the Docs stand-in: auth', () => {
  it('refuses a write without a token, with a bad token or a bad header', async () => {
    const path = 'projects/shipyard-example/versions/latest/builds/'
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'Authentication credentials were not provided.'],
      ['Token nope', 'Invalid token.'],
      ['Token', 'Invalid token header. No credentials provided.']
    ]
    for (const [header, detail] of cases) {
      const res = await fetch(`${base}/api/v3/${path}`, {
        method: 'POST',
        headers: header ? { authorization: header } : {}
      })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Token')
      const body = await res.json()
      expectShape(validators.error, body)
      expect(body).toEqual({ detail })
    }
  })

  it('lets anyone read a public project, but only maintainers trigger builds', async () => {
    expect(
      (await api('projects/shipyard-example/builds/', {}, '')).status
    ).toBe(200)
    rtd.addToken('someone-elses-token', 'someone-else')
    const res = await api(
      'projects/shipyard-example/versions/latest/builds/',
      { method: 'POST' },
      'someone-elses-token'
    )
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({
      detail: 'You do not have permission to perform this action.'
    })
  })

  it('keeps the token out of the request log', async () => {
    await api('projects/shipyard-example/builds/')
    const log = JSON.stringify(rtd.requests)
    expect(log).toContain('Token ***')
    expect(log).not.toContain(token)
  })
})

describe('Read the Docs stand-in: generic webhook', () => {
  const hook = () => {
    const env = rtd.env()
    return {
      url: env['RTD_WEBHOOK_URL'] ?? '',
      secret: env['RTD_WEBHOOK_TOKEN'] ?? ''
    }
  }

  it('tells tests its webhook URL and token through a control endpoint', async () => {
    const res = await fetch(`${base}/__control/rtd/webhooks`)
    expect(await res.json()).toEqual([
      { project: 'shipyard-example', url: hook().url, token: hook().secret }
    ])
  })

  it('builds the versions of the pushed branches and returns no build id (JSON)', async () => {
    const { url, secret } = hook()
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: secret, branches: ['main'] })
    })
    expect(res.status).toBe(200)
    const body = await res.json()
    expectShape(validators.webhook, body)
    expect(body).toEqual({
      build_triggered: true,
      project: 'shipyard-example',
      versions: ['latest']
    })
    const list = await read(
      await api('projects/shipyard-example/builds/?limit=1')
    )
    const newest = (list['results'] as Json[])[0]
    expect(newest['version']).toBe('latest')
    await follow(newest['id'] as number)
  })

  it('takes form fields, several branches, and reports what it did not build', async () => {
    const { url, secret } = hook()
    const form = new URLSearchParams([
      ['token', secret],
      ['branches', 'main'],
      ['branches', 'v0.1.0']
    ])
    const res = await fetch(url, { method: 'POST', body: form })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Json
    expect(body['build_triggered']).toBe(true)
    expect([...(body['versions'] as string[])].sort()).toEqual([
      'latest',
      'stable'
    ])
    const none = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams({ token: secret, branches: 'no-such-branch' })
    })
    expect(await none.json()).toEqual({
      build_triggered: false,
      project: 'shipyard-example',
      versions: []
    })
    expect(JSON.stringify(rtd.requests)).not.toContain(secret)
  })

  it('answers 404 to a wrong token and 403 to none', async () => {
    const { url } = hook()
    const wrong = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'wrong', branches: 'main' })
    })
    expect(wrong.status).toBe(404)
    expect(await wrong.json()).toEqual({ detail: 'Project not found' })
    const none = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ branches: 'main' })
    })
    expect(none.status).toBe(403)
    expectShape(validators.error, await none.json())
    const unknown = await fetch(url.replace(/\/\d+\/$/, '/1/'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: hook().secret })
    })
    expect(unknown.status).toBe(404)
  })
})

describe('Read the Docs stand-in: limits and faults', () => {
  it('throttles at the per-minute rate: 429, Retry-After, X-RateLimit-*', async () => {
    const limited = new ReadTheDocsStandIn({ rateLimit: 3 })
    const url = await limited.start()
    try {
      const get = () =>
        fetch(`${url}/api/v3/projects/shipyard-example/`, {
          headers: { authorization: `Token ${limited.token}` }
        })
      const remaining: Array<string | null> = []
      for (let i = 0; i < 3; i++) {
        const res = await get()
        expect(res.status).toBe(200)
        expect(res.headers.get('x-ratelimit-limit')).toBe('3')
        remaining.push(res.headers.get('x-ratelimit-remaining'))
      }
      expect(remaining).toEqual(['2', '1', '0'])
      const refused = await get()
      expect(refused.status).toBe(429)
      const wait = Number(refused.headers.get('retry-after'))
      expect(wait).toBeGreaterThanOrEqual(1)
      expect(wait).toBeLessThanOrEqual(60)
      expect(Number(refused.headers.get('x-ratelimit-reset'))).toBeGreaterThan(
        Date.now() / 1000
      )
      const body = await refused.json()
      expectShape(validators.error, body)
      expect((body as Json)['detail']).toMatch(
        /^Request was throttled\. Expected available in \d+ seconds?\.$/
      )
      // Anonymous callers have their own, smaller budget (5/min).
      const anon = await fetch(`${url}/api/v3/projects/shipyard-example/`)
      expect(anon.status).toBe(200)
      expect(anon.headers.get('x-ratelimit-limit')).toBe('5')
    } finally {
      await limited.stop()
    }
  })

  it('answers without commands[] when asked to follow merged API v3', async () => {
    const plain = new ReadTheDocsStandIn({
      commands: false,
      rateLimitHeaders: false,
      stepDelayMs: 5
    })
    const url = await plain.start()
    try {
      const res = await fetch(
        `${url}/api/v3/projects/shipyard-example/versions/latest/builds/`,
        { method: 'POST', headers: { authorization: `Token ${plain.token}` } }
      )
      expect(res.headers.get('x-ratelimit-limit')).toBeNull()
      const body = (await res.json()) as Json
      const b = body['build'] as Json
      expectShape(validators.build, b)
      expect(b).not.toHaveProperty('commands')
      expect(b['urls']).not.toHaveProperty('documentation')
    } finally {
      await plain.stop()
    }
  })

  it('switches faults on per route through the framework', async () => {
    const res = await fetch(`${base}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'error-burst',
        path: '/builds/\\d+/$',
        status: 502,
        count: 2
      })
    })
    expect(res.status).toBe(201)
    const id = await trigger()
    expect((await api(`projects/shipyard-example/builds/${id}/`)).status).toBe(
      502
    )
    const second = await api(`projects/shipyard-example/builds/${id}/`)
    expect(second.status).toBe(502)
    expectShape(validators.error, await second.json())
    expect((await api(`projects/shipyard-example/builds/${id}/`)).status).toBe(
      200
    )
    rtd.addFault({ kind: 'rate-limit', path: '/builds/$', retryAfter: 9 })
    const limited = await api('projects/shipyard-example/builds/')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('9')
    expect(await limited.json()).toEqual({ detail: 'Request was throttled.' })
    await follow(id)
  })

  it('has schemas that reject a wrong answer', () => {
    const wrong = {
      id: 1,
      version: 'latest',
      project: 'p',
      created: '2025-01-01T00:00:00Z',
      finished: null,
      duration: null,
      state: { code: 'building', name: 'Building' },
      success: true,
      error: '',
      commit: null,
      _links: {
        _self: 'http://x/',
        project: 'http://x/',
        version: 'http://x/'
      },
      urls: { build: 'http://x/', project: 'http://x/', version: 'http://x/' }
    }
    expect(validators.build(wrong)).toBe(false)
    expect(validators.build({ ...wrong, success: null })).toBe(true)
    expect(validators.build({ ...wrong, success: null, error: null })).toBe(
      false
    )
  })
})
