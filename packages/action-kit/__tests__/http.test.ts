import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import {
  createServer,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { mockCore } from '../testing/core-mock.js'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)
const { HttpClient, HttpError, maskSecret, retryAfterMs } =
  await import('../src/index.js')

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void

/** A real HTTP server on 127.0.0.1 whose answers each test scripts in turn. */
let handlers: Handler[] = []
const seen: {
  method: string
  url: string
  body: string
  headers: IncomingMessage['headers']
}[] = []
const server = createServer((req, res) => {
  let body = ''
  req.on('data', (chunk: Buffer) => (body += chunk.toString()))
  req.on('end', () => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      body,
      headers: req.headers
    })
    const handler = handlers.shift()
    if (handler) handler(req, res, body)
    else res.writeHead(500).end('no handler left')
  })
})
let base = ''
const waits: number[] = []

function client(
  extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}
) {
  return new HttpClient({
    service: 'Render',
    baseUrl: `${base}/v1`,
    headers: { authorization: 'Bearer rnd_sentinel_key' },
    sleep: async (ms) => {
      waits.push(ms)
    },
    random: () => 0.5,
    ...extra
  })
}

const json =
  (
    status: number,
    body: unknown,
    headers: Record<string, string> = {}
  ): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(body === undefined ? '' : JSON.stringify(body))
  }

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
beforeEach(() => {
  handlers = []
  seen.length = 0
  waits.length = 0
  core.log.length = 0
})

describe('HttpClient', () => {
  it('sends JSON with the base path, query arrays and headers', async () => {
    handlers.push(json(201, { id: 'dep-1' }))
    const response = await client().post<{ id: string }>(
      'services/srv-1/deploys',
      {
        body: { imageUrl: 'docker.io/a/b:1' },
        query: { 'status[]': ['queued', 'live'], limit: 1, skip: undefined }
      }
    )
    expect(response.status).toBe(201)
    expect(response.data.id).toBe('dep-1')
    expect(seen[0]?.url).toBe(
      '/v1/services/srv-1/deploys?status%5B%5D=queued&status%5B%5D=live&limit=1'
    )
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
      imageUrl: 'docker.io/a/b:1'
    })
    expect(seen[0]?.headers['authorization']).toBe('Bearer rnd_sentinel_key')
    expect(seen[0]?.headers['content-type']).toBe('application/json')
  })

  it('gives undefined data for an empty 202', async () => {
    handlers.push(json(202, undefined))
    const response = await client().post('services/srv-1/deploys', { body: {} })
    expect(response.status).toBe(202)
    expect(response.data).toBeUndefined()
  })

  it('waits as Retry-After says on 429, then succeeds, even for a POST', async () => {
    handlers.push(
      json(429, { message: 'rate limited' }, { 'retry-after': '7' }),
      json(201, { id: 'dep-2' })
    )
    const response = await client().post('services/srv-1/deploys', { body: {} })
    expect(response.attempts).toBe(2)
    expect(waits).toEqual([7000])
    expect(core.log.join('\n')).toContain(
      'Render answered 429 Too Many Requests'
    )
  })

  it('reads Ratelimit-Reset as seconds or as an epoch', () => {
    const now = 1_800_000_000_000
    expect(retryAfterMs(new Headers({ 'ratelimit-reset': '12' }), now)).toBe(
      12_000
    )
    expect(
      retryAfterMs(
        new Headers({ 'x-sentry-rate-limit-reset': String(now / 1000 + 30) }),
        now
      )
    ).toBe(30_000)
    expect(
      retryAfterMs(
        new Headers({ 'retry-after': new Date(now + 5000).toUTCString() }),
        now
      )
    ).toBe(5000)
    expect(retryAfterMs(new Headers(), now)).toBeUndefined()
  })

  it('retries a burst of 5xx on GET with growing jittered backoff', async () => {
    handlers.push(
      json(503, {}),
      json(502, {}),
      json(500, {}),
      json(200, { ok: true })
    )
    const response = await client().get('services/srv-1')
    expect(response.data).toEqual({ ok: true })
    expect(response.attempts).toBe(4)
    // random() = 0.5: three quarters of 1 s, 2 s, 4 s.
    expect(waits).toEqual([750, 1500, 3000])
  })

  it('backs off on a 5xx even when the answer carries a rate-limit reset', async () => {
    handlers.push(
      json(503, {}, { 'x-sentry-rate-limit-reset': '50' }),
      json(200, { ok: true })
    )
    const response = await client().get('organizations/o/events/')
    expect(response.attempts).toBe(2)
    expect(waits).toEqual([750])
  })

  it('does not resend a POST after a 5xx unless it is idempotent', async () => {
    handlers.push(json(503, { message: 'unavailable' }))
    await expect(
      client().post('services/srv-1/deploys', { body: {} })
    ).rejects.toThrow('Render answered 503 Service Unavailable to POST')
    expect(seen).toHaveLength(1)
    handlers.push(json(503, {}), json(201, { id: 'rel' }))
    const response = await client().post('releases', {
      body: {},
      idempotent: true
    })
    expect(response.attempts).toBe(2)
  })

  it('stops after maxAttempts with a clear message', async () => {
    handlers.push(
      json(500, {}),
      json(500, {}),
      json(500, { message: 'still broken' })
    )
    const error = await client({ maxAttempts: 3 })
      .get('x')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HttpError)
    expect((error as Error).message).toMatch(
      /500 Internal Server Error .*still broken \(after 3 attempts\)/
    )
    expect((error as InstanceType<typeof HttpError>).status).toBe(500)
  })

  it('refuses to wait longer than allowed', async () => {
    handlers.push(json(429, {}, { 'retry-after': '3600' }))
    await expect(client({ maxRetryWaitMs: 10_000 }).get('x')).rejects.toThrow(
      /asks to wait 3600 s, longer than the 10 s allowed/
    )
  })

  it('retries a dropped connection on GET', async () => {
    handlers.push((req) => req.socket.destroy(), json(200, { ok: 1 }))
    const response = await client().get('x')
    expect(response.attempts).toBe(2)
  })

  it('gives up on a slow answer after the timeout', async () => {
    handlers.push((_req, res) => setTimeout(() => res.end('{}'), 2000))
    const error = await client({ timeoutMs: 200, maxAttempts: 1 })
      .get('slow')
      .catch((e: unknown) => e)
    expect((error as Error).message).toMatch(
      /did not answer GET .*\/v1\/slow within 0 s/
    )
  })

  it('reports a malformed body on success instead of crashing', async () => {
    handlers.push((_req, res) => res.writeHead(200).end('{"id": '))
    await expect(client().get('x')).rejects.toThrow(
      /with a body that is not JSON: \{"id":/
    )
  })

  it('treats accepted statuses as answers (Sentry 208)', async () => {
    handlers.push(json(208, { version: '1.0' }))
    const response = await client().post('releases', {
      body: {},
      accept: [208]
    })
    expect(response.status).toBe(208)
  })

  it('keeps secrets out of error messages, even when the body echoes them', async () => {
    maskSecret('rnd_sentinel_key')
    handlers.push(json(401, { message: 'invalid key rnd_sentinel_key' }))
    const error = (await client()
      .get('services', { query: { key: 'hook-secret' } })
      .catch((e: unknown) => e)) as Error
    expect(error.message).not.toContain('rnd_sentinel_key')
    expect(error.message).not.toContain('hook-secret')
    expect(error.message).toContain('401 Unauthorized')
    expect(error.message).toContain('key=***')
  })

  it('reports an unreachable service by its error code', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const closed = new HttpClient({
      service: 'Sentry',
      baseUrl: `http://127.0.0.1:${port}`,
      maxAttempts: 2,
      sleep: async () => undefined
    })
    await expect(closed.post('x', { body: {} })).rejects.toThrow(
      /Sentry could not be reached for POST .*ECONNREFUSED \(after 2 attempts\)/
    )
  })
})
