import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import { gzipSync, brotliCompressSync } from 'node:zlib'
import { json, StandIn, type Reply } from '../src/index.js'

/** The smallest stand-in: one authenticated route, echoing what it received. */
class EchoStandIn extends StandIn {
  constructor() {
    super('Echo')
    this.secrets.add('echo-token-1234')
    this.route('POST', '/api/things/:id', (ctx): Reply => {
      if (ctx.headers['authorization'] !== 'Bearer echo-token-1234') {
        return this.error(401, 'Invalid token')
      }
      return json(201, { id: ctx.params['id'], got: ctx.body })
    })
    this.route('GET', '/api/things/:id', (ctx) =>
      json(200, { id: ctx.params['id'] })
    )
  }
  protected errorBody(_status: number, message: string): unknown {
    return { detail: message }
  }
  protected override rateLimitHeaders(): Record<string, string> {
    return { 'x-echo-limit': '10' }
  }
}

const echo = new EchoStandIn()
let base = ''
beforeAll(async () => {
  base = await echo.start()
})
afterAll(() => echo.stop())
beforeEach(async () => {
  await fetch(`${base}/__control/faults`, { method: 'DELETE' })
  await fetch(`${base}/__control/requests`, { method: 'DELETE' })
})

const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/things/t1?key=hook-secret&page=2`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer echo-token-1234',
      'content-type': 'application/json',
      ...headers
    },
    body
  })

describe('StandIn', () => {
  it('routes with parameters and logs requests with secrets redacted', async () => {
    const res = await post(JSON.stringify({ note: 'contains echo-token-1234' }))
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({
      id: 't1',
      got: { note: 'contains echo-token-1234' }
    })
    expect(res.headers.get('x-echo-limit')).toBe('10')
    const log = (await (
      await fetch(`${base}/__control/requests`)
    ).json()) as Array<Record<string, unknown>>
    expect(log).toHaveLength(1)
    expect(log[0]).toMatchObject({
      method: 'POST',
      path: '/api/things/t1',
      query: { key: '***', page: '2' },
      body: { note: 'contains ***' },
      status: 201
    })
    expect(
      (log[0]?.['headers'] as Record<string, string>)['authorization']
    ).toBe('Bearer ***')
    expect(JSON.stringify(log)).not.toContain('echo-token-1234')
    expect(JSON.stringify(log)).not.toContain('hook-secret')
  })

  it('decodes gzip and brotli bodies', async () => {
    const body = JSON.stringify({ n: 1 })
    expect(
      await (await post(gzipSync(body), { 'content-encoding': 'gzip' })).json()
    ).toMatchObject({ got: { n: 1 } })
    expect(
      await (
        await post(brotliCompressSync(body), { 'content-encoding': 'br' })
      ).json()
    ).toMatchObject({
      got: { n: 1 }
    })
  })

  it('answers 404 and 405 in the service error shape', async () => {
    const missing = await fetch(`${base}/api/nothing`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ detail: 'Not found' })
    expect(
      (await fetch(`${base}/api/things/x`, { method: 'DELETE' })).status
    ).toBe(405)
  })

  it('switches faults on per route, for a count of requests', async () => {
    await fetch(`${base}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'rate-limit',
        path: '^/api/things/',
        method: 'GET',
        retryAfter: 7,
        count: 2
      })
    })
    const first = await fetch(`${base}/api/things/a`)
    expect(first.status).toBe(429)
    expect(first.headers.get('retry-after')).toBe('7')
    expect(first.headers.get('x-echo-limit')).toBe('10')
    expect(await first.json()).toEqual({ detail: 'Rate limit exceeded' })
    expect((await fetch(`${base}/api/things/a`)).status).toBe(429)
    expect((await fetch(`${base}/api/things/a`)).status).toBe(200)
    expect(
      echo.received('^/api/things/a$', 'GET').map((r) => r.fault ?? r.status)
    ).toEqual(['rate-limit', 'rate-limit', 200])
  })

  it('bursts 5xx, drops connections, sends malformed and empty bodies, slows down', async () => {
    echo.addFault({ kind: 'error-burst', status: 502, count: 1 })
    expect((await fetch(`${base}/api/things/b`)).status).toBe(502)
    echo.addFault({ kind: 'drop' })
    await expect(fetch(`${base}/api/things/b`)).rejects.toThrow()
    echo.addFault({ kind: 'malformed' })
    await expect((await fetch(`${base}/api/things/b`)).json()).rejects.toThrow()
    echo.addFault({ kind: 'empty' })
    expect(await (await fetch(`${base}/api/things/b`)).text()).toBe('')
    echo.addFault({ kind: 'slow', delayMs: 300 })
    const started = Date.now()
    expect((await fetch(`${base}/api/things/b`)).status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
  })

  it('refuses an unknown fault kind', async () => {
    const res = await fetch(`${base}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'explode' })
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { message: string }).message).toContain(
      'rate-limit'
    )
  })
})

describe('StandIn form bodies', () => {
  it('keeps every value of a repeated form field', async () => {
    const res = await fetch(`${base}/api/things/f1`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer echo-token-1234',
        'content-type': 'application/x-www-form-urlencoded'
      },
      body: 'branches=main&branches=dev&token=x'
    })
    expect(await res.json()).toMatchObject({
      got: { branches: ['main', 'dev'], token: 'x' }
    })
  })
})
