/**
 * The Sentry stand-in's behaviour. Every web API request below goes through
 * `SentryContract.call`, which validates the request against the OpenAPI
 * document's request schema and the answer against its response schema, and
 * throws on a mismatch.
 */
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import { serializeEnvelope, type Json } from '../src/sentry-envelope.js'
import { SENTRY_DETAIL, SentryStandIn } from '../src/sentry.js'
import {
  SentryContract,
  type ApiAnswer,
  type ApiCall
} from './fixtures/sentry/contract.js'

const sentry = new SentryStandIn({
  ingestionDelayMs: 0,
  extraProjects: [{ slug: 'other', id: '4507000000000002' }]
})
let base = ''
let contract: SentryContract
const ORG = 'shipyard'
const PROJECT = 'example'

beforeAll(async () => {
  base = await sentry.start()
  contract = await SentryContract.load()
})
afterAll(() => sentry.stop())
beforeEach(async () => {
  await fetch(`${base}/__control/sentry/reset`, { method: 'POST' })
  await fetch(`${base}/__control/faults`, { method: 'DELETE' })
  await fetch(`${base}/__control/requests`, { method: 'DELETE' })
  await control('POST', 'ingestion-delay', { ms: 0 })
  await control('POST', 'api-rate-limit', {
    limit: 1000,
    windowSec: 1,
    concurrentLimit: 25
  })
})

async function control(
  method: string,
  path: string,
  body?: unknown
): Promise<unknown> {
  const res = await fetch(`${base}/__control/sentry/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  return text ? JSON.parse(text) : undefined
}

/** A web API call as the full-scope token, validated both ways. */
function api<T = Json>(call: ApiCall): Promise<ApiAnswer<T>> {
  return contract.call<T>(base, { token: sentry.authToken, ...call })
}

let counter = 0
function eventId(): string {
  counter++
  return `${Date.now().toString(16).padStart(16, '0')}${counter.toString(16).padStart(16, '0')}`.slice(
    -32
  )
}

interface SendOptions {
  auth?: 'header' | 'query' | 'dsn' | 'none'
  encoding?: 'gzip' | 'br' | 'deflate' | 'identity'
  key?: string
  projectId?: string
  items?: Array<{ headers: Json; payload: Buffer | string | Json }>
  envelopeHeaders?: Json
  raw?: Buffer
}

/** An error event as sentry-python would send it. */
function errorEvent(id: string, extra: Json = {}): Json {
  return {
    event_id: id,
    timestamp: new Date().toISOString(),
    platform: 'python',
    level: 'error',
    release: 'example@1.0.0',
    environment: 'production',
    server_name: 'web-1',
    sdk: { name: 'sentry.python.django', version: '2.75.0' },
    tags: { 'shipyard.check': 'c1' },
    extra: { 'sys.argv': ['manage.py'] },
    contexts: { runtime: { name: 'CPython', version: '3.11.2' } },
    breadcrumbs: {
      values: [
        {
          category: 'django',
          message: 'GET /boom',
          level: 'info',
          timestamp: new Date().toISOString()
        }
      ]
    },
    request: {
      method: 'GET',
      url: 'http://127.0.0.1:8000/boom',
      query_string: 'q=1',
      headers: { Host: '127.0.0.1:8000' }
    },
    exception: {
      values: [
        {
          type: 'ZeroDivisionError',
          value: 'division by zero',
          module: null,
          mechanism: { type: 'django', handled: false },
          stacktrace: {
            frames: [
              {
                filename: 'example/views.py',
                module: 'example.views',
                function: 'boom',
                lineno: 12,
                context_line: '    return 1 / 0',
                in_app: true
              }
            ]
          }
        }
      ]
    },
    ...extra
  }
}

async function send(
  id: string,
  event: Json | undefined,
  options: SendOptions = {}
): Promise<Response> {
  const key = options.key ?? sentry.project.publicKey
  const projectId = options.projectId ?? sentry.project.id
  const auth = options.auth ?? 'header'
  const envelopeHeaders: Json = {
    event_id: id,
    sent_at: new Date().toISOString(),
    ...(auth === 'dsn'
      ? { dsn: sentry.dsn().replace(sentry.project.publicKey, key) }
      : {}),
    ...options.envelopeHeaders
  }
  const items =
    options.items ??
    (event ? [{ headers: { type: 'event' }, payload: event }] : [])
  let body =
    options.raw ?? serializeEnvelope({ headers: envelopeHeaders, items })
  const headers: Record<string, string> = {
    'content-type': 'application/x-sentry-envelope'
  }
  const encoding = options.encoding ?? 'identity'
  if (encoding === 'gzip') body = gzipSync(body)
  if (encoding === 'br') body = brotliCompressSync(body)
  if (encoding === 'deflate') body = deflateSync(body)
  if (encoding !== 'identity') headers['content-encoding'] = encoding
  let query = ''
  if (auth === 'header')
    headers['x-sentry-auth'] =
      `Sentry sentry_version=7, sentry_key=${key}, sentry_client=shipyard-test/1.0`
  if (auth === 'query')
    query = `?sentry_version=7&sentry_key=${key}&sentry_client=shipyard-test%2F1.0`
  return fetch(`${base}/api/${projectId}/envelope/${query}`, {
    method: 'POST',
    headers,
    body
  })
}

interface RawEvent {
  eventId: string
  type: string
  auth: string
  contentEncoding: string
  visible: boolean
  groupId: string | null
  attachments: Array<{ filename: string; size: number; dataBase64: string }>
  payload: Json
}

async function rawEvents(): Promise<RawEvent[]> {
  return (await control('GET', 'events')) as RawEvent[]
}

const eventPath = (id: string, project = PROJECT): string =>
  `/api/0/projects/${ORG}/${project}/events/${id}/`

// ------------------------------------------------------------------ ingestion

describe('ingestion', () => {
  it('accepts the three auth forms and answers with the event id', async () => {
    const forms = ['header', 'query', 'dsn'] as const
    const ids: string[] = []
    for (const auth of forms) {
      const id = eventId()
      ids.push(id)
      const res = await send(id, errorEvent(id), { auth })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ id })
    }
    const stored = await rawEvents()
    expect(stored.map((e) => [e.eventId, e.auth])).toEqual(
      forms.map((auth, i) => [ids[i], auth])
    )
    const log = (await control('GET', 'envelopes')) as Array<{
      client: string | null
    }>
    expect(log.map((l) => l.client)).toEqual([
      'shipyard-test/1.0',
      'shipyard-test/1.0',
      null
    ])
  })

  it('decodes gzip, brotli and deflate bodies', async () => {
    for (const encoding of ['gzip', 'br', 'deflate', 'identity'] as const) {
      const id = eventId()
      const res = await send(id, errorEvent(id), { encoding })
      expect(res.status).toBe(200)
    }
    expect((await rawEvents()).map((e) => e.contentEncoding)).toEqual([
      'gzip',
      'br',
      'deflate',
      'identity'
    ])
  })

  it('answers 403 with Relay body for an unknown key or another project key', async () => {
    const id = eventId()
    const unknown = await send(id, errorEvent(id), {
      key: 'ffffffffffffffffffffffffffffffff'
    })
    expect(unknown.status).toBe(403)
    expect(await unknown.json()).toEqual({
      detail: 'event submission rejected with_reason: ProjectId'
    })
    const other = sentry.projects[1]
    const wrongProject = await send(id, errorEvent(id), {
      key: other?.publicKey
    })
    expect(wrongProject.status).toBe(403)
    const viaDsn = await send(id, errorEvent(id), {
      auth: 'dsn',
      key: 'ffffffffffffffffffffffffffffffff'
    })
    expect(viaDsn.status).toBe(403)
    expect(await rawEvents()).toEqual([])
    // The other project's key is accepted on the other project's endpoint.
    const right = await send(id, errorEvent(id), {
      key: other?.publicKey,
      projectId: other?.id
    })
    expect(right.status).toBe(200)
  })

  it('answers 401/400 for missing, doubled or malformed credentials', async () => {
    const id = eventId()
    const none = await send(id, errorEvent(id), { auth: 'none' })
    expect(none.status).toBe(401)
    expect(await none.json()).toEqual({
      detail: 'missing authorization information'
    })
    const both = await fetch(
      `${base}/api/${sentry.project.id}/envelope/?sentry_key=${sentry.project.publicKey}`,
      {
        method: 'POST',
        headers: {
          'x-sentry-auth': `Sentry sentry_key=${sentry.project.publicKey}`
        },
        body: serializeEnvelope({ headers: {}, items: [] })
      }
    )
    expect(both.status).toBe(401)
    expect(await both.json()).toEqual({
      detail: 'multiple authorization payloads detected'
    })
    const shortKey = await send(id, errorEvent(id), { key: 'abc' })
    expect(shortKey.status).toBe(400)
    expect(await shortKey.json()).toEqual({
      detail: 'bad sentry DSN public key'
    })
    const badProject = await send(id, errorEvent(id), { projectId: 'abc' })
    expect(badProject.status).toBe(400)
  })

  it('answers 400 invalid event envelope with the cause, and for an empty body', async () => {
    const id = eventId()
    const cases: Array<[string, string]> = [
      ['not json\n', 'invalid envelope header'],
      ['{}\n{"length":2}\n{}', 'invalid item header'],
      ['{}\n{"type":"event","length":99}\n{}', 'unexpected end of file'],
      [
        '{}\n{"type":"event","length":2}\n{}junk',
        'missing newline after header or payload'
      ]
    ]
    for (const [raw, cause] of cases) {
      const res = await send(id, undefined, { raw: Buffer.from(raw) })
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({
        detail: 'invalid event envelope',
        causes: [cause]
      })
    }
    const empty = await send(id, undefined, { raw: Buffer.alloc(0) })
    expect(empty.status).toBe(400)
    expect(await empty.json()).toEqual({ detail: 'empty request body' })
    const badGzip = await fetch(
      `${base}/api/${sentry.project.id}/envelope/?sentry_key=${sentry.project.publicKey}`,
      {
        method: 'POST',
        headers: { 'content-encoding': 'gzip' },
        body: Buffer.from('definitely not gzip')
      }
    )
    expect(badGzip.status).toBe(400)
    expect(await rawEvents()).toEqual([])
  })

  it('keeps events, transactions and binary attachments; counts and skips unknown items', async () => {
    const id = eventId()
    const binary = Buffer.from([0, 10, 13, 255, 10, 0, 128])
    const res = await send(id, undefined, {
      items: [
        { headers: { type: 'event' }, payload: errorEvent(id) },
        {
          headers: {
            type: 'attachment',
            filename: 'dump.bin',
            content_type: 'application/octet-stream'
          },
          payload: binary
        },
        {
          headers: { type: 'client_report' },
          payload: { discarded_events: [] }
        },
        { headers: { type: 'made_up_item' }, payload: 'whatever\nit is' }
      ]
    })
    expect(res.status).toBe(200)
    const txId = eventId()
    const tx = await send(txId, undefined, {
      items: [
        {
          headers: { type: 'transaction' },
          payload: {
            event_id: txId,
            type: 'transaction',
            transaction: '/boom',
            start_timestamp: Date.now() / 1000 - 1,
            timestamp: Date.now() / 1000,
            contexts: {
              trace: { trace_id: 'b'.repeat(32), span_id: 'c'.repeat(16) }
            },
            spans: []
          }
        }
      ]
    })
    expect(tx.status).toBe(200)
    const stored = await rawEvents()
    expect(stored.map((e) => [e.eventId, e.type])).toEqual([
      [id, 'event'],
      [txId, 'transaction']
    ])
    expect(stored[0]?.attachments).toEqual([
      expect.objectContaining({
        filename: 'dump.bin',
        size: 7,
        dataBase64: binary.toString('base64')
      })
    ])
    const stats = (await control('GET', 'stats')) as {
      itemCounts: Record<string, number>
      skippedItems: number
    }
    expect(stats.itemCounts).toEqual({
      event: 1,
      attachment: 1,
      client_report: 1,
      made_up_item: 1,
      transaction: 1
    })
    expect(stats.skippedItems).toBe(1)
    // The transaction is visible by id but forms no issue.
    const detail = await api({ path: eventPath(txId) })
    expect(detail.status).toBe(200)
    expect(detail.body).toMatchObject({
      type: 'transaction',
      title: '/boom',
      groupID: null
    })
    const issues = await api<Json[]>({
      path: `/api/0/organizations/${ORG}/issues/`
    })
    expect(issues.body).toHaveLength(1)
    // Event-id resolution searches errors only, as Sentry's does.
    const lookup = await api({
      path: `/api/0/organizations/${ORG}/eventids/${txId}/`
    })
    expect(lookup.status).toBe(404)
  })

  it('accepts the legacy store endpoint and drops a repeated event id', async () => {
    const id = eventId()
    const store = await fetch(
      `${base}/api/${sentry.project.id}/store/?sentry_key=${sentry.project.publicKey}&sentry_version=7`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(errorEvent(id))
      }
    )
    expect(store.status).toBe(200)
    expect(await store.json()).toEqual({ id })
    const again = await send(id, errorEvent(id, { level: 'fatal' }))
    expect(again.status).toBe(200)
    const stored = await rawEvents()
    expect(stored).toHaveLength(1)
    expect(stored[0]?.payload['level']).toBe('error')
  })

  it('rate limits with 429, Retry-After and X-Sentry-Rate-Limits', async () => {
    await control('POST', 'ingest-rate-limit', {
      retryAfter: 30,
      scope: 'key',
      reasonCode: 'key_quota'
    })
    const id = eventId()
    const limited = await send(id, errorEvent(id))
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('30')
    expect(limited.headers.get('x-sentry-rate-limits')).toBe(
      '30::key:key_quota'
    )
    expect(await limited.json()).toEqual({
      detail: SENTRY_DETAIL.ingestRateLimited
    })

    // Only transactions limited: the error goes through, the header tells.
    await control('POST', 'ingest-rate-limit', {
      retryAfter: 10,
      categories: ['transaction']
    })
    const ok = await send(id, errorEvent(id))
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-sentry-rate-limits')).toBe(
      '10:transaction:organization'
    )
    const txId = eventId()
    const tx = await send(txId, undefined, {
      items: [
        {
          headers: { type: 'transaction' },
          payload: { event_id: txId, type: 'transaction' }
        }
      ]
    })
    expect(tx.status).toBe(429)
    await control('DELETE', 'ingest-rate-limit')
    expect((await rawEvents()).map((e) => e.eventId)).toEqual([id])
  })

  it('answers a framework rate-limit fault on the envelope route as Relay does', async () => {
    sentry.addFault({ kind: 'rate-limit', path: '/envelope/$', retryAfter: 7 })
    const id = eventId()
    const res = await send(id, errorEvent(id))
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('7')
    expect(res.headers.get('x-sentry-rate-limits')).toBe(
      '7::organization:rate_limited'
    )
    expect(res.headers.get('x-sentry-rate-limit-limit')).toBeNull()
    expect(await res.json()).toEqual({
      detail: SENTRY_DETAIL.ingestRateLimited
    })
    expect((await send(id, errorEvent(id))).status).toBe(200)
  })
})

// ------------------------------------------------------ asynchronous ingestion

describe('asynchronous ingestion', () => {
  it('answers 404 until the ingestion delay has passed, then the event', async () => {
    await control('POST', 'ingestion-delay', { ms: 400 })
    const id = eventId()
    const sentAt = Date.now()
    expect((await send(id, errorEvent(id))).status).toBe(200)
    const early = await api({ path: eventPath(id) })
    expect(early.status).toBe(404)
    expect(early.body).toEqual({ detail: SENTRY_DETAIL.eventNotFound })
    const lookup = await api({
      path: `/api/0/organizations/${ORG}/eventids/${id}/`
    })
    expect(lookup.status).toBe(404)
    expect((await rawEvents())[0]?.visible).toBe(false)

    let answer = early
    while (answer.status === 404 && Date.now() - sentAt < 5000) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      answer = await api({ path: eventPath(id) })
    }
    expect(answer.status).toBe(200)
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(390)
    expect((await rawEvents())[0]?.visible).toBe(true)
  })
})

// ------------------------------------------------------------- configuration

describe('configuration', () => {
  it('writes the URLs and credentials an action needs to env()', () => {
    const env = sentry.env()
    expect(Object.keys(env).sort()).toEqual([
      'SENTRY_AUTH_TOKEN',
      'SENTRY_CI_TOKEN',
      'SENTRY_DSN',
      'SENTRY_ORG',
      'SENTRY_PROJECT',
      'SENTRY_URL'
    ])
    expect(env['SENTRY_URL']).toBe(base)
    expect(env['SENTRY_URL']).not.toContain('/api/0')
    expect(env['SENTRY_ORG']).toBe('shipyard')
    expect(env['SENTRY_PROJECT']).toBe('example')
    expect(env['SENTRY_AUTH_TOKEN']).toMatch(/^sntryu_[0-9a-f]{64}$/)
    expect(env['SENTRY_CI_TOKEN']).toMatch(/^sntrys_/)
    const port = new URL(base).port
    expect(env['SENTRY_DSN']).toMatch(
      new RegExp(
        `^http://[0-9a-f]{32}@127\\.0\\.0\\.1:${port}/4507000000000001$`
      )
    )
  })

  it('accepts extra tokens with chosen scopes through the control endpoint', async () => {
    const { token } = (await control('POST', 'tokens', {
      token: 'sntryu_' + 'e'.repeat(64),
      scopes: ['event:read']
    })) as { token: string }
    const issues = await api({
      path: `/api/0/organizations/${ORG}/issues/`,
      token
    })
    expect(issues.status).toBe(200)
    const releases = await api({
      path: `/api/0/organizations/${ORG}/releases/`,
      token
    })
    expect(releases.status).toBe(403)
  })
})

// ----------------------------------------------------------------- web auth

describe('web API authentication', () => {
  const path = `/api/0/organizations/${ORG}/releases/`

  it('answers 401 for a missing, unknown or malformed token', async () => {
    const missing = await api({ path, token: null })
    expect(missing.status).toBe(401)
    expect(missing.body).toEqual({ detail: SENTRY_DETAIL.notAuthenticated })
    const wrong = await api({ path, token: 'sntryu_' + '0'.repeat(64) })
    expect(wrong.status).toBe(401)
    expect(wrong.body).toEqual({ detail: 'Invalid token' })
    const wrongOrg = await api({ path, token: 'sntrys_bogus_bogus' })
    expect(wrongOrg.body).toEqual({ detail: 'Invalid org token' })
    const bare = await api({
      path,
      token: null,
      headers: { authorization: 'Bearer' }
    })
    expect(bare.status).toBe(401)
    expect(bare.body).toEqual({
      detail: 'Invalid token header. No credentials provided.'
    })
  })

  it('answers 404 for an unknown organization or project', async () => {
    const org = await api({ path: '/api/0/organizations/nope/releases/' })
    expect(org.status).toBe(404)
    expect(org.body).toEqual({ detail: SENTRY_DETAIL.notFound })
    const project = await api({
      path: `/api/0/projects/${ORG}/nope/keys/`
    })
    expect(project.status).toBe(404)
    expect(project.body).toEqual({ detail: SENTRY_DETAIL.notFound })
  })

  it('lets the org CI token record releases and deploys but not read events (403)', async () => {
    const ci = sentry.ciToken
    expect(ci).toMatch(/^sntrys_[A-Za-z0-9+/=]+_[A-Za-z0-9+/]+$/)
    const payload = JSON.parse(
      Buffer.from(ci.split('_')[1] ?? '', 'base64').toString('utf8')
    ) as Json
    expect(payload).toMatchObject({ url: base, org: ORG })
    const created = await api({
      method: 'POST',
      path,
      token: ci,
      body: { version: 'ci@1.0.0', projects: [PROJECT] }
    })
    expect(created.status).toBe(201)
    const deploy = await api({
      method: 'POST',
      path: `${path}ci%401.0.0/deploys/`,
      token: ci,
      body: { environment: 'production' }
    })
    expect(deploy.status).toBe(201)
    const id = eventId()
    await send(id, errorEvent(id))
    for (const forbidden of [
      eventPath(id),
      `/api/0/projects/${ORG}/${PROJECT}/events/`,
      `/api/0/organizations/${ORG}/eventids/${id}/`,
      `/api/0/organizations/${ORG}/issues/`,
      `/api/0/projects/${ORG}/${PROJECT}/keys/`
    ]) {
      const res = await api({ path: forbidden, token: ci })
      expect([forbidden, res.status, res.body]).toEqual([
        forbidden,
        403,
        { detail: 'You do not have permission to perform this action.' }
      ])
    }
    const discover = await api({
      path: `/api/0/organizations/${ORG}/events/`,
      query: { dataset: 'errors', field: 'id' },
      token: ci
    })
    expect(discover.status).toBe(403)
    // The full token reads the same event.
    expect((await api({ path: eventPath(id) })).status).toBe(200)
  })
})

// ------------------------------------------------------------------ releases

describe('releases and deploys', () => {
  const releases = `/api/0/organizations/${ORG}/releases/`

  it('creates a release (201), then answers 208 for the same version and projects', async () => {
    const body = { version: 'example@2.0.0+abc1234', projects: [PROJECT] }
    const first = await api<Json>({ method: 'POST', path: releases, body })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({
      version: 'example@2.0.0+abc1234',
      shortVersion: '2.0.0 (abc1234)',
      deployCount: 0,
      lastDeploy: null,
      dateReleased: null,
      projects: [
        expect.objectContaining({ slug: PROJECT, id: 4507000000000001 })
      ]
    })
    const again = await api<Json>({ method: 'POST', path: releases, body })
    expect(again.status).toBe(208)
    // 208 carries the release too; the document only has a schema for 201.
    expect(
      contract.checkResponse('createOrganizationRelease', 201, again.body).valid
    ).toBe(true)
    expect(again.body['id']).toBe(first.body['id'])
    // A new project on the same version is a change: 201 again.
    const widened = await api({
      method: 'POST',
      path: releases,
      body: { version: body.version, projects: [PROJECT, 'other'] }
    })
    expect(widened.status).toBe(201)
  })

  it('validates the release body as Sentry does', async () => {
    const missing = await api({
      method: 'POST',
      path: releases,
      body: { version: 'x@1' },
      validateRequest: false
    })
    expect(missing.status).toBe(400)
    expect(missing.body).toEqual({ projects: ['This field is required.'] })
    const badName = await api({
      method: 'POST',
      path: releases,
      body: { version: 'a/b', projects: [PROJECT] }
    })
    expect(badName.status).toBe(400)
    expect(badName.body).toEqual({
      version: ['Release with name a/b is not allowed']
    })
    const badProject = await api({
      method: 'POST',
      path: releases,
      body: { version: 'x@1', projects: ['nope'] }
    })
    expect(badProject.body).toEqual({
      projects: ['Invalid project ids or slugs']
    })
  })

  it('reads, finalizes (URL-encoded version) and deploys a release', async () => {
    const version = 'example@3.1.0+build.7'
    const encoded = encodeURIComponent(version)
    expect(encoded).toContain('%40')
    await api({
      method: 'POST',
      path: releases,
      body: { version, projects: [PROJECT], ref: 'abc' }
    })
    const read = await api<Json>({ path: `${releases}${encoded}/` })
    expect(read.status).toBe(200)
    expect(read.body['version']).toBe(version)
    const released = '2024-06-01T12:00:00Z'
    const finalized = await api<Json>({
      method: 'PUT',
      path: `${releases}${encoded}/`,
      body: { dateReleased: released }
    })
    expect(finalized.status).toBe(200)
    expect(finalized.body['dateReleased']).toBe('2024-06-01T12:00:00.000Z')
    const deploy = await api<Json>({
      method: 'POST',
      path: `${releases}${encoded}/deploys/`,
      body: {
        environment: 'production',
        name: 'deploy 1',
        url: 'https://example.onrender.com/'
      }
    })
    expect(deploy.status).toBe(201)
    expect(deploy.body).toMatchObject({
      environment: 'production',
      name: 'deploy 1',
      url: 'https://example.onrender.com/',
      dateStarted: null
    })
    const deploys = await api<Json[]>({
      path: `${releases}${encoded}/deploys/`
    })
    expect(deploys.body.map((d) => d['id'])).toEqual([deploy.body['id']])
    const after = await api<Json>({ path: `${releases}${encoded}/` })
    expect(after.body).toMatchObject({
      deployCount: 1,
      lastDeploy: { id: deploy.body['id'], environment: 'production' }
    })
    const missing = await api({ path: `${releases}nope/` })
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual({ detail: SENTRY_DETAIL.notFound })
    const noEnv = await api({
      method: 'POST',
      path: `${releases}${encoded}/deploys/`,
      body: { name: 'x' },
      validateRequest: false
    })
    expect(noEnv.body).toEqual({ environment: ['This field is required.'] })
  })

  it('creates the release of an ingested event, so recording it later answers 208', async () => {
    const id = eventId()
    await send(id, errorEvent(id, { release: 'example@9.9.9' }))
    const list = await api<Json[]>({ path: releases })
    expect(list.body.map((r) => r['version'])).toEqual(['example@9.9.9'])
    expect(list.body[0]).toMatchObject({ newGroups: 1 })
    const recorded = await api({
      method: 'POST',
      path: releases,
      body: { version: 'example@9.9.9', projects: [PROJECT] }
    })
    expect(recorded.status).toBe(208)
  })
})

// ------------------------------------------------------------ events, issues

describe('events and issues', () => {
  it('serves the event as the SDK sent it, in the documented shape', async () => {
    const id = eventId()
    await api({
      method: 'POST',
      path: `/api/0/organizations/${ORG}/releases/`,
      body: { version: 'example@1.0.0', projects: [PROJECT] }
    })
    await send(id, errorEvent(id))
    const answer = await api<Json>({ path: eventPath(id) })
    expect(answer.status).toBe(200)
    const event = answer.body
    expect(event).toMatchObject({
      id,
      eventID: id,
      projectID: sentry.project.id,
      title: 'ZeroDivisionError: division by zero',
      message: '',
      culprit: 'example.views in boom',
      location: 'example/views.py',
      platform: 'python',
      type: 'error',
      user: null,
      sdk: { name: 'sentry.python.django', version: '2.75.0' },
      context: { 'sys.argv': ['manage.py'] },
      contexts: {
        runtime: { name: 'CPython', version: '3.11.2', type: 'runtime' }
      },
      release: { version: 'example@1.0.0', deployCount: 0 },
      metadata: { type: 'ZeroDivisionError', value: 'division by zero' }
    })
    expect(event['groupID']).toMatch(/^\d+$/)
    expect(event['tags']).toEqual(
      expect.arrayContaining([
        { key: 'environment', value: 'production' },
        { key: 'level', value: 'error' },
        { key: 'release', value: 'example@1.0.0' },
        { key: 'shipyard.check', value: 'c1' },
        { key: 'handled', value: 'no' }
      ])
    )
    const entries = event['entries'] as Array<{ type: string; data: Json }>
    expect(entries.map((e) => e.type)).toEqual([
      'exception',
      'breadcrumbs',
      'request'
    ])
    expect(entries[0]?.data['values']).toEqual([
      expect.objectContaining({
        type: 'ZeroDivisionError',
        value: 'division by zero',
        mechanism: { type: 'django', handled: false }
      })
    ])
    expect(entries[2]?.data).toMatchObject({
      method: 'GET',
      url: 'http://127.0.0.1:8000/boom',
      query: [['q', '1']]
    })
    expect(Date.parse(String(event['dateReceived']))).toBeGreaterThan(0)
    expect(Date.parse(String(event['dateCreated']))).toBeGreaterThan(0)

    // Dashed event ids are accepted (Sentry's URL pattern allows them); the
    // document's pattern does not, so the request is not validated.
    const dashed = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`
    const viaDashes = await api<Json>({
      path: eventPath(dashed),
      validateRequest: false
    })
    expect(viaDashes.status).toBe(200)
    expect(viaDashes.body['eventID']).toBe(id)
    // Another project of the organization does not have it.
    expect((await api({ path: eventPath(id, 'other') })).status).toBe(404)

    const resolved = await api<Json>({
      path: `/api/0/organizations/${ORG}/eventids/${id}/`
    })
    expect(resolved.body).toMatchObject({
      organizationSlug: ORG,
      projectSlug: PROJECT,
      groupId: event['groupID'],
      eventId: id,
      event: { eventID: id }
    })
  })

  it('groups events into issues and finds them by tag, status and text', async () => {
    const a1 = eventId()
    const a2 = eventId()
    const b = eventId()
    const c = eventId()
    await send(a1, errorEvent(a1, { tags: { 'shipyard.check': 'run-1' } }))
    await send(a2, errorEvent(a2, { tags: { 'shipyard.check': 'run 2' } }))
    await send(
      b,
      errorEvent(b, {
        environment: 'staging',
        exception: { values: [{ type: 'KeyError', value: "'user'" }] }
      })
    )
    await send(c, {
      event_id: c,
      message: 'payment declined',
      level: 'warning',
      fingerprint: ['payments'],
      platform: 'python'
    })
    const issues = `/api/0/organizations/${ORG}/issues/`
    const all = await api<Json[]>({ path: issues })
    expect(all.body).toHaveLength(3)
    const zero = all.body.find((i) => String(i['title']).startsWith('Zero'))
    expect(zero).toMatchObject({
      count: '2',
      status: 'unresolved',
      level: 'error'
    })
    expect(String(zero?.['shortId'])).toMatch(/^EXAMPLE-[1-3]$/)

    const byTag = await api<Json[]>({
      path: issues,
      query: { query: 'shipyard.check:"run 2"' }
    })
    expect(byTag.body.map((i) => i['id'])).toEqual([zero?.['id']])
    expect(byTag.body[0]).toMatchObject({
      matchingEventId: a2,
      filtered: { count: '1' }
    })
    const tagSyntax = await api<Json[]>({
      path: issues,
      query: { query: 'tags[shipyard.check]:run-1 is:unresolved' }
    })
    expect(tagSyntax.body[0]?.['matchingEventId']).toBe(a1)
    const env = await api<Json[]>({
      path: issues,
      query: { environment: 'staging' }
    })
    expect(env.body.map((i) => i['title'])).toEqual(["KeyError: 'user'"])
    const level = await api<Json[]>({
      path: issues,
      query: { query: 'level:warning' }
    })
    expect(level.body.map((i) => i['title'])).toEqual(['payment declined'])
    const negated = await api<Json[]>({
      path: issues,
      query: { query: '!level:warning' }
    })
    expect(negated.body).toHaveLength(2)
    const text = await api<Json[]>({
      path: issues,
      query: { query: 'division' }
    })
    expect(text.body.map((i) => i['id'])).toEqual([zero?.['id']])

    // Resolved issues leave the default (is:unresolved) list.
    await control('PUT', `issues/${String(zero?.['id'])}`, {
      status: 'resolved'
    })
    expect((await api<Json[]>({ path: issues })).body).toHaveLength(2)
    const resolved = await api<Json[]>({
      path: issues,
      query: { query: 'is:resolved' }
    })
    expect(resolved.body.map((i) => i['status'])).toEqual(['resolved'])
    expect(
      (await api<Json[]>({ path: issues, query: { query: '' } })).body
    ).toHaveLength(3)
    const bad = await api({
      path: issues,
      query: { query: 'level:error OR level:fatal' }
    })
    expect(bad.status).toBe(400)

    const events = await api<Json[]>({
      path: `/api/0/organizations/${ORG}/issues/${String(zero?.['id'])}/events/`
    })
    expect(events.body.map((e) => e['eventID'])).toEqual([a2, a1])
    const filteredEvents = await api<Json[]>({
      path: `/api/0/organizations/${ORG}/issues/${String(zero?.['shortId'])}/events/`,
      query: { query: 'shipyard.check:run-1', full: 'true' }
    })
    expect(filteredEvents.body.map((e) => e['eventID'])).toEqual([a1])
    expect(filteredEvents.body[0]?.['entries']).toBeDefined()
  })

  it('lists project events newest first, short or full', async () => {
    const ids = [eventId(), eventId()]
    for (const [i, id] of ids.entries())
      await send(
        id,
        errorEvent(id, {
          timestamp: new Date(Date.now() - (2 - i) * 1000).toISOString()
        })
      )
    const list = await api<Json[]>({
      path: `/api/0/projects/${ORG}/${PROJECT}/events/`
    })
    expect(list.body.map((e) => e['eventID'])).toEqual([ids[1], ids[0]])
    expect(list.body[0]).toMatchObject({ 'event.type': 'error' })
    expect(list.body[0]).not.toHaveProperty('entries')
    const full = await api<Json[]>({
      path: `/api/0/projects/${ORG}/${PROJECT}/events/`,
      query: { full: 'true' }
    })
    expect(full.body[0]).toHaveProperty('entries')
  })

  it('answers discover queries with field[] and dataset, filtered by tag', async () => {
    const a = eventId()
    const b = eventId()
    await send(a, errorEvent(a, { tags: { deploy: 'd-1' } }))
    await send(
      b,
      errorEvent(b, { tags: { deploy: 'd-2' }, environment: 'staging' })
    )
    const path = `/api/0/organizations/${ORG}/events/`
    const rows = await api<{ data: Json[]; meta: Json }>({
      path,
      query: {
        dataset: 'errors',
        field: ['id', 'title', 'release', 'environment', 'timestamp', 'deploy'],
        query: 'deploy:d-2'
      }
    })
    expect(rows.status).toBe(200)
    expect(rows.body.data).toEqual([
      {
        id: b,
        title: 'ZeroDivisionError: division by zero',
        release: 'example@1.0.0',
        environment: 'staging',
        timestamp: expect.any(String) as unknown,
        deploy: 'd-2'
      }
    ])
    expect(rows.body.meta).toMatchObject({
      fields: { id: 'string', timestamp: 'date' },
      dataset: 'errors'
    })
    const counted = await api<{ data: Json[] }>({
      path,
      query: {
        dataset: 'errors',
        field: ['environment', 'count()'],
        sort: '-count()'
      }
    })
    expect(counted.body.data).toEqual(
      expect.arrayContaining([
        { environment: 'production', 'count()': 1 },
        { environment: 'staging', 'count()': 1 }
      ])
    )
    const noField = await api({
      path,
      query: { dataset: 'errors' },
      validateRequest: false
    })
    expect(noField.status).toBe(400)
    expect(noField.body).toEqual({ detail: 'No columns selected' })
    const noDataset = await api({
      path,
      query: { field: 'id' },
      validateRequest: false
    })
    expect(noDataset.status).toBe(400)
    const badSort = await api({
      path,
      query: { dataset: 'errors', field: 'id', sort: 'title' }
    })
    expect(badSort.body).toEqual({
      detail: 'Cannot order by a field that is not selected.'
    })
  })

  it('lists the project key whose DSN the SDKs use', async () => {
    const keys = await api<Json[]>({
      path: `/api/0/projects/${ORG}/${PROJECT}/keys/`
    })
    expect(keys.status).toBe(200)
    expect(keys.body).toHaveLength(1)
    expect(keys.body[0]).toMatchObject({
      public: sentry.project.publicKey,
      isActive: true,
      projectId: Number(sentry.project.id),
      dsn: { public: sentry.env()['SENTRY_DSN'] }
    })
    const other = await api<Json[]>({
      path: `/api/0/projects/${ORG}/other/keys/`
    })
    expect(other.body[0]?.['public']).toBe(sentry.projects[1]?.publicKey)
    const inactive = await api<Json[]>({
      path: `/api/0/projects/${ORG}/${PROJECT}/keys/`,
      query: { status: 'inactive' }
    })
    expect(inactive.body).toEqual([])
  })
})

// ------------------------------------------------- pagination, rate limits

function links(
  answer: ApiAnswer
): Record<string, { url: string; results: boolean; cursor: string }> {
  const header = answer.headers.get('link') ?? ''
  const out: Record<string, { url: string; results: boolean; cursor: string }> =
    {}
  for (const part of header.split(/,\s*(?=<)/)) {
    const match =
      /^<([^>]+)>; rel="(\w+)"; results="(true|false)"; cursor="([^"]+)"$/.exec(
        part.trim()
      )
    if (match)
      out[match[2]] = {
        url: match[1],
        results: match[3] === 'true',
        cursor: match[4]
      }
  }
  return out
}

describe('pagination and rate limits', () => {
  it('pages through releases by following the Link header', async () => {
    const versions = ['p@1', 'p@2', 'p@3', 'p@4', 'p@5']
    for (const version of versions) {
      await api({
        method: 'POST',
        path: `/api/0/organizations/${ORG}/releases/`,
        body: { version, projects: [PROJECT] }
      })
    }
    const seen: string[] = []
    let answer = await api<Json[]>({
      path: `/api/0/organizations/${ORG}/releases/`,
      query: { per_page: 2 }
    })
    const first = links(answer)
    expect(first['previous']?.results).toBe(false)
    expect(first['next']).toMatchObject({ results: true, cursor: '2:1:0' })
    let pages = 0
    for (;;) {
      pages++
      seen.push(...answer.body.map((r) => String(r['version'])))
      const next = links(answer)['next']
      if (!next?.results) break
      const url = new URL(next.url)
      expect(url.searchParams.get('per_page')).toBe('2')
      answer = await api<Json[]>({ path: url.pathname + url.search })
    }
    expect(pages).toBe(3)
    expect(seen).toEqual([...versions].reverse())
    expect(links(answer)['previous']).toMatchObject({
      results: true,
      cursor: '2:1:1'
    })
    const badCursor = await api({
      path: `/api/0/organizations/${ORG}/releases/`,
      query: { cursor: 'garbage' }
    })
    expect(badCursor.status).toBe(400)
    expect(badCursor.body).toEqual({ detail: 'Invalid cursor parameter.' })
    const tooMany = await api({
      path: `/api/0/organizations/${ORG}/releases/`,
      query: { per_page: 101 }
    })
    expect(tooMany.body).toEqual({
      detail: 'Invalid per_page value. Cannot exceed 100.'
    })
  })

  it('pages issues with limit and cursor', async () => {
    for (let i = 0; i < 3; i++) {
      const id = eventId()
      await send(
        id,
        errorEvent(id, {
          exception: { values: [{ type: `E${i}`, value: 'x' }] }
        })
      )
    }
    const path = `/api/0/organizations/${ORG}/issues/`
    const page1 = await api<Json[]>({ path, query: { limit: 2 } })
    expect(page1.body).toHaveLength(2)
    const next = links(page1)['next']
    expect(next?.results).toBe(true)
    const page2 = await api<Json[]>({
      path,
      query: { limit: 2, cursor: next?.cursor }
    })
    expect(page2.body).toHaveLength(1)
    expect(links(page2)['next']?.results).toBe(false)
    const ids = [...page1.body, ...page2.body].map((i) => i['id'])
    expect(new Set(ids).size).toBe(3)
  })

  it('sends X-Sentry-Rate-Limit-* on every answer and 429 over the limit', async () => {
    await control('POST', 'api-rate-limit', {
      limit: 3,
      windowSec: 60,
      concurrentLimit: 5
    })
    const path = `/api/0/organizations/${ORG}/releases/`
    const remaining: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await api({ path })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-sentry-rate-limit-limit')).toBe('3')
      expect(res.headers.get('x-sentry-rate-limit-concurrentlimit')).toBe('5')
      expect(
        Number(res.headers.get('x-sentry-rate-limit-concurrentremaining'))
      ).toBe(4)
      expect(
        Number(res.headers.get('x-sentry-rate-limit-reset')) * 1000
      ).toBeGreaterThan(Date.now())
      remaining.push(res.headers.get('x-sentry-rate-limit-remaining') ?? '')
    }
    expect(remaining).toEqual(['2', '1', '0'])
    const over = await api({ path })
    expect(over.status).toBe(429)
    expect(over.headers.get('x-sentry-rate-limit-remaining')).toBe('0')
    expect(over.body).toEqual({
      detail:
        'You are attempting to use this endpoint too frequently. Limit is 3 requests in 60 seconds'
    })
    // Error answers carry them too; another token has its own budget.
    const other = await api({ path, token: sentry.ciToken })
    expect(other.status).toBe(200)
    expect(other.headers.get('x-sentry-rate-limit-remaining')).toBe('2')
    const unauthenticated = await api({ path, token: 'sntryu_nope' })
    expect(unauthenticated.status).toBe(401)
    expect(unauthenticated.headers.get('x-sentry-rate-limit-limit')).toBe('3')
  })

  it('applies framework faults to a Sentry route', async () => {
    const path = `/api/0/organizations/${ORG}/releases/`
    sentry.addFault({
      kind: 'rate-limit',
      path: '^/api/0/organizations/[^/]+/releases/$',
      retryAfter: 4
    })
    const limited = await api({ path })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('4')
    expect(limited.headers.get('x-sentry-rate-limit-limit')).toBe('1000')
    expect(limited.headers.get('x-sentry-rate-limits')).toBeNull()
    expect(String(limited.body['detail'])).toMatch(
      /^You are attempting to use this endpoint too frequently/
    )
    sentry.addFault({
      kind: 'error-burst',
      status: 502,
      count: 2,
      path: '/releases/'
    })
    expect((await api({ path })).status).toBe(502)
    expect((await api({ path })).status).toBe(502)
    expect((await api({ path })).status).toBe(200)
    sentry.addFault({ kind: 'malformed', path: '/releases/' })
    await expect(api({ path })).rejects.toThrow(/non-JSON/)
    expect(
      sentry.received('/releases/$', 'GET').map((r) => r.fault ?? r.status)
    ).toEqual(['rate-limit', 'error-burst', 'error-burst', 200, 'malformed'])
    // The request log never holds the token.
    expect(JSON.stringify(sentry.requests)).not.toContain(sentry.authToken)
  })
})

describe('the contract', () => {
  it('validated an answer of every operation the stand-in serves', () => {
    const served = [
      'resolveOrganizationEventId',
      'listOrganizationEvents',
      'listOrganizationIssues',
      'listOrganizationIssueEvents',
      'listOrganizationReleases',
      'createOrganizationRelease',
      'getOrganizationRelease',
      'updateOrganizationRelease',
      'listOrganizationReleaseDeploys',
      'createOrganizationReleaseDeploy',
      'listProjectEvents',
      'getProjectEvent',
      'listProjectKeys'
    ]
    for (const operationId of served) {
      const statuses = contract.validated.get(operationId)
      expect([operationId, statuses?.size ?? 0]).not.toEqual([operationId, 0])
      expect([...(statuses ?? [])].some((s) => s >= 200 && s < 300)).toBe(true)
    }
  })
})
