/**
 * The contract checker itself: it must reject answers and requests that
 * break Sentry's OpenAPI document (otherwise the contract tests prove
 * nothing), and it must honour OpenAPI 3.0 `nullable`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serializeEnvelope, type Json } from '../src/sentry-envelope.js'
import { SentryStandIn } from '../src/sentry.js'
import { ContractError, SentryContract } from './fixtures/sentry/contract.js'

let contract: SentryContract
const sentry = new SentryStandIn({ ingestionDelayMs: 0 })
let base = ''
let event: Json
const EVENT_ID = '0123456789abcdef0123456789abcdef'

beforeAll(async () => {
  contract = await SentryContract.load()
  base = await sentry.start()
  const body = serializeEnvelope({
    headers: { event_id: EVENT_ID },
    items: [
      {
        headers: { type: 'event' },
        payload: {
          event_id: EVENT_ID,
          release: 'example@1.0.0',
          exception: { values: [{ type: 'ValueError', value: 'x' }] }
        }
      }
    ]
  })
  await fetch(
    `${base}/api/${sentry.project.id}/envelope/?sentry_key=${sentry.project.publicKey}`,
    { method: 'POST', body }
  )
  const answer = await contract.call<Json>(base, {
    path: `/api/0/projects/shipyard/example/events/${EVENT_ID}/`,
    token: sentry.authToken
  })
  expect(answer.status).toBe(200)
  event = answer.body
})
afterAll(() => sentry.stop())

function errorsOf(
  operationId: string,
  status: number,
  body: unknown
): string[] {
  const result = contract.checkResponse(operationId, status, body)
  return (result.errors ?? []).map(
    (e) => `${e.instancePath} ${e.message ?? ''}`
  )
}

describe('response validation', () => {
  it("accepts the stand-in's event and rejects broken copies of it", () => {
    expect(errorsOf('getProjectEvent', 200, event)).toEqual([])
    expect(
      errorsOf('getProjectEvent', 200, { ...event, tags: { level: 'error' } })
    ).toEqual(['/tags must be array'])
    expect(
      errorsOf('getProjectEvent', 200, { ...event, groupID: 6000000001 })
    ).toEqual(['/groupID must be string'])
    const withoutId: Json = { ...event }
    delete withoutId['eventID']
    expect(errorsOf('getProjectEvent', 200, withoutId)).toEqual([
      " must have required property 'eventID'"
    ])
    expect(
      errorsOf('getProjectEvent', 200, { ...event, type: 'crash' })
    ).toEqual(['/type must be equal to one of the allowed values'])
    expect(
      errorsOf('getProjectEvent', 200, { ...event, dateReceived: 'yesterday' })
    ).toEqual(['/dateReceived must match format "date-time"'])
  })

  it('honours nullable: null where the document allows it, not elsewhere', () => {
    expect(
      errorsOf('getProjectEvent', 200, {
        ...event,
        release: null,
        groupID: null,
        message: null,
        dateReceived: null,
        user: null
      })
    ).toEqual([])
    expect(errorsOf('getProjectEvent', 200, { ...event, title: null })).toEqual(
      ['/title must be string']
    )
    expect(
      errorsOf('getProjectEvent', 200, { ...event, platform: null })
    ).toEqual(['/platform must be string'])
  })

  it('checks list items, nested objects and formats', () => {
    expect(
      errorsOf('listOrganizationReleaseDeploys', 200, [
        {
          id: '1',
          environment: 'production',
          dateStarted: null,
          dateFinished: '2024-01-01T00:00:00Z',
          name: null,
          url: 'not a url'
        }
      ])
    ).toEqual(['/0/url must match format "uri"'])
    expect(
      errorsOf('listProjectKeys', 200, [{ id: 'k', name: 'Default' }])
    ).toEqual([
      expect.stringMatching(/^\/0 must have required property '\w+'$/)
    ])
    expect(
      errorsOf('listOrganizationEvents', 200, { data: [{ id: 'x' }] })
    ).toEqual([" must have required property 'meta'"])
  })

  it('makes a contract call fail when a server answers a wrong shape', async () => {
    // A server that answers an event whose eventID is a number.
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ...event, eventID: 42 }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const fake = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const call = contract.call(fake, {
        path: `/api/0/projects/shipyard/example/events/${EVENT_ID}/`,
        token: 'x'
      })
      await expect(call).rejects.toThrow(ContractError)
      await expect(
        contract.call(fake, {
          path: `/api/0/projects/shipyard/example/events/${EVENT_ID}/`,
          token: 'x'
        })
      ).rejects.toThrow(/eventID must be string/)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe('request validation', () => {
  const valid = (result: { valid: boolean }): boolean => result.valid

  it('requires field and dataset on discover, and refuses unknown parameters', () => {
    const path = '/api/0/organizations/shipyard/events/'
    expect(
      valid(
        contract.checkRequest(
          'GET',
          path,
          'field=id&field=title&dataset=errors'
        )
      )
    ).toBe(true)
    expect(valid(contract.checkRequest('GET', path, 'field=id'))).toBe(false)
    expect(valid(contract.checkRequest('GET', path, 'dataset=errors'))).toBe(
      false
    )
    expect(
      valid(contract.checkRequest('GET', path, 'field=id&dataset=transactions'))
    ).toBe(false)
    expect(
      valid(
        contract.checkRequest('GET', path, 'field=id&dataset=errors&bogus=1')
      )
    ).toBe(false)
  })

  it('checks bodies and path parameters', () => {
    const releases = '/api/0/organizations/shipyard/releases/'
    expect(
      valid(
        contract.checkRequest('POST', releases, '', {
          version: '1.0',
          projects: ['example']
        })
      )
    ).toBe(true)
    expect(
      valid(contract.checkRequest('POST', releases, '', { version: '1.0' }))
    ).toBe(false)
    expect(
      valid(
        contract.checkRequest('POST', `${releases}1.0/deploys/`, '', {
          environment: 'x'.repeat(65)
        })
      )
    ).toBe(false)
    const eventPath = '/api/0/projects/shipyard/example/events/'
    expect(
      valid(contract.checkRequest('GET', `${eventPath}${EVENT_ID}/`, ''))
    ).toBe(true)
    expect(
      valid(contract.checkRequest('GET', `${eventPath}not-an-event-id/`, ''))
    ).toBe(false)
  })

  it('refuses to send a request that breaks the document', async () => {
    await expect(
      contract.call(base, {
        path: '/api/0/organizations/shipyard/events/',
        query: { field: 'id' },
        token: sentry.authToken
      })
    ).rejects.toThrow(/must have required property 'dataset'/)
    await expect(
      contract.call(base, { path: '/api/0/not/an/operation/' })
    ).rejects.toThrow(/not an operation/)
  })
})
