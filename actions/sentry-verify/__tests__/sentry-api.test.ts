/**
 * The web-API modules in process, against the Sentry stand-in (and, for the
 * one case it cannot produce, a deploy recorded but answered 502, a small
 * local server): pagination, token advice, rate-limit headers, release
 * idempotence, the DSN check.
 */
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import { mockCore } from '@shipyard/action-kit/testing'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)

const { SentryStandIn } = await import('@shipyard/stand-ins')
const { SentryClient, nextCursor, SCOPES } =
  await import('../src/sentry-client.js')
const { recordRelease } = await import('../src/release.js')
const { checkDsnProject } = await import('../src/config-check.js')
const { findEvent, isFound } = await import('../src/find.js')
const { ConfigurationError, parseDsn } = await import('@shipyard/action-kit')

const sentry = new SentryStandIn({
  ingestionDelayMs: 0,
  extraProjects: [{ slug: 'other-app' }]
})
let sentryUrl: URL

beforeAll(async () => {
  sentryUrl = new URL(await sentry.start())
})
afterAll(() => sentry.stop())
beforeEach(() => core.reset())

function client(token = sentry.authToken) {
  return new SentryClient({
    sentryUrl,
    authToken: token,
    http: { backoffMs: 10 }
  })
}

const request = (version: string) => ({
  org: 'shipyard',
  project: 'example',
  version,
  environment: 'production',
  commit: 'b'.repeat(40),
  repository: 'acme/shop',
  deployName: `shipyard ${version}`
})

describe('nextCursor', () => {
  it('reads the next cursor only while Sentry says there are results', () => {
    const link = (results: boolean) =>
      `<https://s/api/0/x/?&cursor=1:0:1>; rel="previous"; results="false"; cursor="1:0:1", <https://s/api/0/x/?&cursor=1:1:0>; rel="next"; results="${results}"; cursor="1:1:0"`
    expect(nextCursor(link(true))).toBe('1:1:0')
    expect(nextCursor(link(false))).toBeUndefined()
    expect(nextCursor(null)).toBeUndefined()
  })
})

describe('SentryClient', () => {
  it('follows the Link header across pages', async () => {
    const c = client()
    for (const v of ['page-1', 'page-2', 'page-3'])
      await recordRelease(c, request(v))
    const before = sentry.requests.length
    const releases = await c.list<{ version: string }>(
      'organizations/shipyard/releases/',
      { what: 'list releases', scopes: SCOPES.releases, query: { per_page: 1 } }
    )
    expect(releases.map((r) => r.version)).toEqual(
      expect.arrayContaining(['page-1', 'page-2', 'page-3'])
    )
    const pages = sentry.requests.slice(before)
    expect(pages.length).toBe(releases.length)
    expect(pages[1]?.query['cursor']).toBe('1:1:0')
  })

  it('explains a 403 from an organization token: the wrong kind of token', async () => {
    const error = await client(sentry.ciToken)
      .get('organizations/shipyard/events/', {
        what: 'search the errors',
        scopes: SCOPES.orgRead,
        query: { dataset: 'errors', field: ['id'] }
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    const message = (error as Error).message
    expect(message).toContain(
      'Sentry refused to let the auth token search the errors (403: You do not have permission to perform this action.)'
    )
    expect(message).toContain(
      'one of the scopes org:read, org:write, org:admin'
    )
    expect(message).toContain('organization token (sntrys_…)')
    expect(message).toContain('event:read')
    expect(message).not.toContain(sentry.ciToken)
  })

  it('says "almost always the wrong kind of token" for another token without the scope', async () => {
    sentry.addToken('releases-only-token-1234', ['project:releases'])
    const error = await client('releases-only-token-1234')
      .get(
        'projects/shipyard/example/events/0123456789abcdef0123456789abcdef/',
        {
          what: 'read the event',
          scopes: SCOPES.projectRead
        }
      )
      .catch((e: unknown) => e)
    expect((error as Error).message).toContain(
      'A 403 here almost always means the wrong kind of token'
    )
    expect((error as Error).message).toContain('project:read')
  })

  it('names a token Sentry does not know (401)', async () => {
    const error = await client('sntryu_unknown')
      .get('projects/shipyard/example/keys/', {
        what: 'read the keys',
        scopes: SCOPES.projectRead
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toContain(
      "Sentry did not accept the auth token (401: Invalid token) when asked to read the keys. Check 'auth-token'"
    )
  })

  it("turns Sentry's validation errors (DRF bodies) into one line", async () => {
    const error = await client()
      .post('organizations/shipyard/releases/', {
        what: 'record release x',
        scopes: SCOPES.releases,
        body: { version: 'x' }
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toBe(
      'Sentry refused to record release x (400): projects: This field is required.'
    )
  })

  it('waits for the rate-limit window instead of running into 429', async () => {
    sentry.setApiRateLimit({ limit: 2, windowSec: 2 })
    try {
      const c = client()
      const before = sentry.requests.length
      for (let i = 0; i < 4; i++)
        await c.get('projects/shipyard/example/keys/', {
          what: 'read the keys',
          scopes: SCOPES.projectRead
        })
      const statuses = sentry.requests.slice(before).map((r) => r.status)
      expect(statuses).toEqual([200, 200, 200, 200])
      expect(core.log.join('\n')).toContain(
        "Sentry's rate limit for this token is used up"
      )
      expect(c.rateLimit?.limit).toBe(2)
    } finally {
      sentry.setApiRateLimit({ limit: 40, windowSec: 1 })
    }
  })
})

describe('recordRelease', () => {
  it('creates, attaches the commit, finalizes (URL-encoded) and records the deploy', async () => {
    const version = 'web@1.0.0+b#7?x y'
    const result = await recordRelease(client(), {
      ...request(version),
      deployUrl: new URL('https://shop.example/')
    })
    expect(result).toMatchObject({
      createStatus: 201,
      created: true,
      commitAttached: true,
      deployRecovered: false
    })
    const put = sentry.requests.filter((r) => r.method === 'PUT').at(-1)
    expect(put?.path).toBe(
      `/api/0/organizations/shipyard/releases/${encodeURIComponent(version)}/`
    )
    expect(put?.status).toBe(200)
    const again = await recordRelease(client(), request(version))
    expect(again).toMatchObject({ createStatus: 208, created: false })
    // The second run keeps the first finalization date.
    expect(again.dateReleased).toBe(result.dateReleased)
  })

  it('never records a deploy twice when an answer is lost', async () => {
    // A Sentry whose first deploy answer is a 502 AFTER recording it.
    const deploys: Array<Record<string, unknown>> = []
    let deployPosts = 0
    let failNext = true
    const server: Server = createServer((req, res) => {
      let body = ''
      req.on('data', (d: Buffer) => (body += d.toString()))
      req.on('end', () => {
        const send = (status: number, data: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' })
          res.end(JSON.stringify(data))
        }
        if (req.method === 'POST' && req.url?.endsWith('/releases/'))
          return send(201, { version: 'v1', dateReleased: null })
        if (req.method === 'PUT') return send(200, { version: 'v1' })
        if (req.url?.includes('/deploys/')) {
          if (req.method === 'GET') return send(200, deploys)
          deployPosts++
          const deploy = {
            id: String(deploys.length + 1),
            ...(JSON.parse(body) as Record<string, unknown>)
          }
          deploys.push(deploy)
          if (failNext) {
            failNext = false
            return send(502, { detail: 'Bad gateway' })
          }
          return send(201, deploy)
        }
        send(404, { detail: 'The requested resource does not exist' })
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const { port } = server.address() as AddressInfo
      const c = new SentryClient({
        sentryUrl: new URL(`http://127.0.0.1:${port}`),
        authToken: 'token-x',
        http: { backoffMs: 10 }
      })
      const result = await recordRelease(c, request('v1'))
      expect(result).toMatchObject({ deployId: '1', deployRecovered: true })
      expect(deployPosts).toBe(1)
      expect(deploys).toHaveLength(1)
      expect(core.log.join('\n')).toContain('The deploy was recorded (id 1).')
    } finally {
      server.close()
    }
  })
})

describe('checkDsnProject', () => {
  it("accepts the project's own key and returns its id", async () => {
    const identity = await checkDsnProject(
      client(),
      'shipyard',
      'example',
      parseDsn('dsn', sentry.dsn())
    )
    expect(identity).toEqual({
      projectId: sentry.project.id,
      keyCount: 1,
      keyLabel: 'Default'
    })
  })

  it('refuses the key of another project, naming both project ids', async () => {
    const other = sentry.projects[1]
    if (!other) throw new Error('no second project')
    const error = await checkDsnProject(
      client(),
      'shipyard',
      'example',
      parseDsn('dsn', sentry.dsn(other))
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toContain(
      `The DSN points at project id ${other.id}, but shipyard/example is project id ${sentry.project.id}`
    )
    expect((error as Error).message).not.toContain(other.publicKey)
  })

  it('says which slugs to check when the project does not exist', async () => {
    const error = await checkDsnProject(
      client(),
      'shipyard',
      'no-such-project',
      parseDsn('dsn', sentry.dsn())
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toContain(
      "Sentry has no project shipyard/no-such-project that this token can see (404 on its client keys). Check 'org' and 'project'"
    )
  })

  it("refuses the project's key with another project id", async () => {
    const dsn = sentry.dsn().replace(/\/\d+$/, `/${sentry.projects[1]?.id}`)
    const error = await checkDsnProject(
      client(),
      'shipyard',
      'example',
      parseDsn('dsn', dsn)
    ).catch((e: unknown) => e)
    expect((error as Error).message).toContain(
      'has the public key of a client key of shipyard/example, but its project id is'
    )
  })
})

describe('findEvent', () => {
  it('gives up at the deadline with what it met while polling', async () => {
    sentry.addFault({
      kind: 'error-burst',
      path: '/organizations/shipyard/events/$',
      count: -1
    })
    try {
      const started = Date.now()
      const result = await findEvent(
        new SentryClient({
          sentryUrl,
          authToken: sentry.authToken,
          http: { backoffMs: 10, maxAttempts: 2 }
        }),
        {
          org: 'shipyard',
          project: 'example',
          projectId: sentry.project.id,
          nonce: 'sv-never-sent-000',
          deadline: Date.now() + 1500,
          intervalMs: 50
        }
      )
      expect(isFound(result)).toBe(false)
      // A 503 carrying X-Sentry-Rate-Limit-Reset waits for the reset (the
      // kit's policy), so a poll may overrun the deadline by a second.
      expect(Date.now() - started).toBeLessThan(5000)
      if (isFound(result)) return
      expect(result.polls).toBeGreaterThanOrEqual(1)
      expect(result.problems.at(-1)).toContain('503')
    } finally {
      sentry.clearFaults()
    }
  })
})
