/**
 * The checks on an event as Sentry's API returns it (the shape of
 * `GET /projects/{org}/{project}/events/{id}/`), and the summary built from
 * them.
 */
import { describe, expect, it } from '@jest/globals'
import { checkEvent, privateData, type Check } from '../src/assertions.js'
import { renderSummary } from '../src/summary.js'

const NONCE = 'sv-0123456789abcdef01234567'

function event(overrides: Record<string, unknown> = {}) {
  return {
    eventID: 'e'.repeat(32),
    groupID: '42',
    release: { version: 'shop@1.0.0' },
    user: null,
    tags: [
      { key: 'environment', value: 'production' },
      { key: 'level', value: 'error' },
      { key: 'release', value: 'shop@1.0.0' },
      { key: 'shipyard.nonce', value: NONCE }
    ],
    entries: [
      {
        type: 'exception',
        data: {
          values: [
            {
              type: 'ShipyardVerificationError',
              value: `Shipyard Sentry verification (nonce=${NONCE})`
            }
          ]
        }
      },
      {
        type: 'breadcrumbs',
        data: {
          values: [
            { level: 'info', category: 'django', message: 'GET /' },
            {
              level: 'info',
              category: 'shipyard_example.views',
              message: `Sentry verification started (nonce=${NONCE})`
            }
          ]
        }
      },
      {
        type: 'request',
        data: {
          headers: [
            ['X-Shipyard-Verify-Token', '[Filtered]'],
            ['Cookie', '[Filtered]']
          ],
          cookies: []
        }
      }
    ],
    ...overrides
  }
}

const expectations = {
  nonce: NONCE,
  release: 'shop@1.0.0',
  environment: 'production',
  level: 'error' as const,
  checkBreadcrumbs: true,
  secrets: ['the-trigger-token-123']
}

const byName = (checks: Check[], name: string) =>
  checks.find((c) => c.name === name)

describe('checkEvent', () => {
  it('passes every check of a well-configured app', () => {
    const checks = checkEvent(event(), expectations)
    expect(checks.map((c) => [c.name, c.pass])).toEqual([
      ['tag shipyard.nonce', true],
      ['release', true],
      ['environment', true],
      ['level', true],
      ['exception', true],
      ['breadcrumb', true],
      ['no personal data', true]
    ])
  })

  it('names the expected and the actual value of each failed check', () => {
    const e = event({
      release: null,
      tags: [
        { key: 'environment', value: 'development' },
        { key: 'level', value: 'warning' }
      ]
    })
    const checks = checkEvent(e, { ...expectations, checkBreadcrumbs: false })
    expect(byName(checks, 'release')).toMatchObject({
      expected: 'shop@1.0.0',
      actual: '(none)',
      pass: false,
      hint: expect.stringContaining('SENTRY_RELEASE') as unknown
    })
    expect(byName(checks, 'environment')).toMatchObject({
      actual: 'development',
      pass: false
    })
    expect(byName(checks, 'level')).toMatchObject({
      expected: 'error',
      actual: 'warning',
      pass: false
    })
    expect(byName(checks, 'tag shipyard.nonce')).toMatchObject({
      actual: '(none)',
      pass: false
    })
    expect(byName(checks, 'breadcrumb')).toBeUndefined()
  })

  it('fails the breadcrumb check when INFO records are not routed to Sentry', () => {
    const e = event()
    e.entries = e.entries.filter((x) => x.type !== 'breadcrumbs')
    expect(byName(checkEvent(e, expectations), 'breadcrumb')).toMatchObject({
      actual: '(no breadcrumbs)',
      pass: false,
      hint: expect.stringContaining(
        'LoggingIntegration(level=logging.INFO)'
      ) as unknown
    })
  })

  it('fails the exception check for an event without the raised error', () => {
    const e = event()
    e.entries = e.entries.filter((x) => x.type !== 'exception')
    expect(byName(checkEvent(e, expectations), 'exception')).toMatchObject({
      actual: '(no exception)',
      pass: false
    })
  })
})

describe('privateData', () => {
  it('finds cookies, unfiltered credentials, user data and secrets, without showing them', () => {
    const e = event({
      user: { ip_address: '203.0.113.9', email: null },
      entries: [
        {
          type: 'request',
          data: {
            headers: [
              ['Authorization', 'Bearer abc'],
              ['X-Shipyard-Verify-Token', 'the-trigger-token-123']
            ],
            cookies: [['sessionid', 'xyz']]
          }
        }
      ]
    })
    const found = privateData(e, ['the-trigger-token-123'])
    expect(found).toEqual([
      '1 secret value sent by the action (token or canary cookie)',
      'cookies',
      'the Authorization header',
      'the X-Shipyard-Verify-Token header',
      'user.ip_address'
    ])
    const check = byName(checkEvent(e, expectations), 'no personal data')
    expect(check?.pass).toBe(false)
    expect(JSON.stringify(check)).not.toContain('the-trigger-token-123')
  })

  it('accepts filtered headers and no user', () => {
    expect(privateData(event(), ['the-trigger-token-123'])).toEqual([])
  })
})

describe('renderSummary', () => {
  it('shows every check, the links, the release and the timings', () => {
    const checks = checkEvent(event(), { ...expectations, release: 'other' })
    const markdown = renderSummary({
      org: 'acme',
      project: 'shop',
      release: 'other',
      environment: 'production',
      verified: false,
      failure: 'The app reports another release',
      checks,
      trigger: 'POST https://shop.example/_shipyard/sentry-verify/ → 500',
      eventId: 'e'.repeat(32),
      eventUrl: 'https://sentry.io/organizations/acme/issues/42/events/eee/',
      issueUrl: 'https://sentry.io/organizations/acme/issues/42/',
      latencySeconds: 1.234,
      releaseResult: {
        createStatus: 208,
        created: false,
        commitAttached: true,
        dateReleased: '2026-01-01T00:00:00.000Z',
        deployId: '7',
        deployRecovered: false
      },
      timings: [{ phase: 'Wait for the event', ms: 1500 }],
      apiRequests: 9
    })
    expect(markdown).toContain(
      '### ❌ Sentry verification failed for acme/shop'
    )
    expect(markdown).toContain('| release | other | shop@1.0.0 | ❌ fail (')
    expect(markdown).toContain('| level | error | error | ✅ pass |')
    expect(markdown).toContain(
      '[issue](https://sentry.io/organizations/acme/issues/42/)'
    )
    expect(markdown).toContain('latency 1.23 s')
    expect(markdown).toContain('Release already there (208), commit attached')
    expect(markdown).toContain('| Wait for the event | 1.50 s |')
    expect(markdown).toContain('| Sentry API requests | 9 |')
  })
})

describe('clip', () => {
  it('keeps what the app sent short and on one line', async () => {
    const { clip } = await import('../src/assertions.js')
    expect(clip('a\nb')).toBe('a b')
    const long = clip('x'.repeat(500))
    expect(long).toHaveLength(200)
    expect(long.endsWith('…')).toBe(true)
  })
})
