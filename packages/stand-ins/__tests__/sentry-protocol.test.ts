import { describe, expect, it } from '@jest/globals'
import {
  EnvelopeError,
  IngestAuthError,
  ingestAuth,
  normalizeEventId,
  parseDsn,
  parseEnvelope,
  serializeEnvelope
} from '../src/sentry-envelope.js'
import { describeEvent, eventEntries } from '../src/sentry-event.js'
import {
  parseSearch,
  SearchError,
  timeMatches,
  valueMatches
} from '../src/sentry-search.js'
import { versionInfo } from '../src/sentry-shapes.js'

const KEY = '0123456789abcdef0123456789abcdef'

function causeOf(body: string | Buffer): string {
  try {
    parseEnvelope(Buffer.isBuffer(body) ? body : Buffer.from(body))
  } catch (error) {
    if (error instanceof EnvelopeError) return error.message
    throw error
  }
  return 'parsed'
}

describe('parseEnvelope', () => {
  it('reads items with and without length, payloads with newlines and binary data', () => {
    const binary = Buffer.from([0x00, 0x0a, 0xff, 0x0a, 0x0a, 0x7f])
    const event = Buffer.from('{"message":"two\\nlines",\n"level":"error"}')
    const body = Buffer.concat([
      Buffer.from('{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n'),
      Buffer.from(`{"type":"event","length":${event.length}}\n`),
      event,
      Buffer.from('\n'),
      Buffer.from('{"type":"attachment","length":6,"filename":"x.bin"}\n'),
      binary,
      Buffer.from('\n'),
      Buffer.from('{"type":"client_report"}\n'),
      Buffer.from('{"discarded_events":[]}')
    ])
    const envelope = parseEnvelope(body)
    expect(envelope.headers).toEqual({
      event_id: '9ec79c33ec9942ab8353589fcb2e04dc'
    })
    expect(envelope.items.map((i) => i.type)).toEqual([
      'event',
      'attachment',
      'client_report'
    ])
    expect(JSON.parse(envelope.items[0]?.payload.toString() ?? '')).toEqual({
      message: 'two\nlines',
      level: 'error'
    })
    expect(
      Buffer.compare(envelope.items[1]?.payload ?? Buffer.alloc(0), binary)
    ).toBe(0)
    expect(envelope.items[1]?.headers['filename']).toBe('x.bin')
    expect(JSON.parse(envelope.items[2]?.payload.toString() ?? '')).toEqual({
      discarded_events: []
    })
  })

  it('keeps a length-delimited payload that holds raw newlines', () => {
    const payload = '{"a":\n"b"}'
    const envelope = parseEnvelope(
      Buffer.from(
        `{}\n{"type":"event","length":${payload.length}}\n${payload}\n`
      )
    )
    expect(envelope.items).toHaveLength(1)
    expect(JSON.parse(envelope.items[0]?.payload.toString() ?? '')).toEqual({
      a: 'b'
    })
  })

  it('round-trips what serializeEnvelope writes, and accepts an envelope with no items', () => {
    const body = serializeEnvelope({
      headers: { event_id: 'a'.repeat(32) },
      items: [
        { headers: { type: 'event' }, payload: { message: 'x\ny' } },
        { headers: { type: 'attachment' }, payload: Buffer.from([1, 10, 2]) }
      ]
    })
    const envelope = parseEnvelope(body)
    expect(envelope.items.map((i) => i.payload.length)).toEqual([
      JSON.stringify({ message: 'x\ny' }).length,
      3
    ])
    expect(parseEnvelope(Buffer.from('{}')).items).toEqual([])
    expect(parseEnvelope(Buffer.from('{}\n')).items).toEqual([])
  })

  it("refuses malformed envelopes with Relay's causes", () => {
    expect(causeOf('')).toBe('missing envelope header')
    expect(causeOf('not json\n')).toBe('invalid envelope header')
    expect(causeOf('[1]\n')).toBe('invalid envelope header')
    expect(causeOf('{"event_id":"nope"}\n')).toBe('invalid envelope header')
    expect(causeOf('{}\n{"length":2}\n{}\n')).toBe('invalid item header')
    expect(causeOf('{}\n{"type":"event","length":-1}\n')).toBe(
      'invalid item header'
    )
    expect(causeOf('{}\n{"type":"event","length":50}\n{}\n')).toBe(
      'unexpected end of file'
    )
    expect(causeOf('{}\n{"type":"event","length":2}\n{}X')).toBe(
      'missing newline after header or payload'
    )
    expect(causeOf('{}\n{"type":"event"}\n{}\n\n')).toBe(
      'unexpected end of file'
    )
  })
})

describe('ingestAuth', () => {
  const query = (q: string): URLSearchParams => new URLSearchParams(q)

  it('reads the key from the header, the query or the envelope dsn', () => {
    expect(
      ingestAuth(
        [`Sentry sentry_version=7, sentry_key=${KEY}, sentry_client=py/2.0`],
        query('')
      )
    ).toEqual({ publicKey: KEY, version: 7, client: 'py/2.0', form: 'header' })
    expect(
      ingestAuth([], query(`sentry_version=7&sentry_key=${KEY}`))
    ).toMatchObject({ publicKey: KEY, form: 'query' })
    expect(
      ingestAuth([], query(''), `https://${KEY}@o1.ingest.sentry.io/42`)
    ).toMatchObject({ publicKey: KEY, form: 'dsn' })
  })

  it('refuses missing, doubled and malformed credentials with the status Relay uses', () => {
    const refusal = (fn: () => unknown): [number, string] => {
      try {
        fn()
      } catch (error) {
        if (error instanceof IngestAuthError)
          return [error.status, error.message]
        throw error
      }
      return [200, 'accepted']
    }
    expect(refusal(() => ingestAuth([], query('')))).toEqual([
      401,
      'missing authorization information'
    ])
    expect(
      refusal(() =>
        ingestAuth([`Sentry sentry_key=${KEY}`], query(`sentry_key=${KEY}`))
      )
    ).toEqual([401, 'multiple authorization payloads detected'])
    expect(
      refusal(() => ingestAuth(['Sentry sentry_version=7'], query('')))
    ).toEqual([401, 'bad x-sentry-auth header'])
    expect(refusal(() => ingestAuth([], query('sentry_key=short')))).toEqual([
      400,
      'bad sentry DSN public key'
    ])
  })

  it('parses DSNs and event ids', () => {
    expect(parseDsn(`http://${KEY}@127.0.0.1:9000/sub/4507`)).toEqual({
      protocol: 'http',
      publicKey: KEY,
      secretKey: undefined,
      host: '127.0.0.1:9000',
      path: '/sub',
      projectId: '4507'
    })
    expect(parseDsn('http://127.0.0.1/1')).toBeUndefined()
    expect(normalizeEventId('9EC79C33-EC99-42AB-8353-589FCB2E04DC')).toBe(
      '9ec79c33ec9942ab8353589fcb2e04dc'
    )
    expect(normalizeEventId('9ec79c33ec9942ab8353589fcb2e04dc')).toBe(
      '9ec79c33ec9942ab8353589fcb2e04dc'
    )
    expect(
      normalizeEventId('9ec79c33-ec9942ab8353589fcb2e04dc')
    ).toBeUndefined()
    expect(normalizeEventId('xyz')).toBeUndefined()
  })
})

describe('describeEvent', () => {
  it('derives title, culprit, tags and grouping the way Sentry shows them', () => {
    const view = describeEvent(
      {
        level: 'warn',
        release: 'app@1.2.3',
        environment: 'staging',
        server_name: 'web-1',
        tags: { 'shipyard.check': 'c1', level: 'ignored' },
        contexts: { runtime: { name: 'CPython', version: '3.11.9' } },
        exception: {
          values: [
            {
              type: 'KeyError',
              value: "'x'",
              module: 'builtins',
              mechanism: { type: 'django', handled: false },
              stacktrace: {
                frames: [
                  { module: 'django.core', function: 'run', in_app: false },
                  {
                    module: 'app.views',
                    function: 'index',
                    filename: 'app/views.py',
                    in_app: true
                  },
                  { module: 'app.util', function: 'helper', in_app: false }
                ]
              }
            }
          ]
        },
        request: { url: 'http://example.test/boom' },
        timestamp: '2024-05-01T10:00:00.5Z'
      },
      'event',
      0
    )
    expect(view.type).toBe('error')
    expect(view.title).toBe("KeyError: 'x'")
    expect(view.culprit).toBe('app.views in index')
    expect(view.location).toBe('app/views.py')
    expect(view.level).toBe('warning')
    expect(view.unhandled).toBe(true)
    expect(view.timestamp).toBe(Date.parse('2024-05-01T10:00:00.5Z'))
    expect(view.tags).toEqual([
      { key: 'environment', value: 'staging' },
      { key: 'handled', value: 'no' },
      { key: 'level', value: 'warning' },
      { key: 'mechanism', value: 'django' },
      { key: 'release', value: 'app@1.2.3' },
      { key: 'runtime', value: 'CPython 3.11.9' },
      { key: 'runtime.name', value: 'CPython' },
      { key: 'server_name', value: 'web-1' },
      { key: 'shipyard.check', value: 'c1' },
      { key: 'url', value: 'http://example.test/boom' }
    ])
    expect(view.grouping).toEqual(["KeyError: 'x'"])
  })

  it('groups by a custom fingerprint, with {{ default }} expanded', () => {
    const base = {
      message: 'hello world',
      fingerprint: ['checkout', '{{ default }}']
    }
    expect(describeEvent(base, 'event', 0).grouping).toEqual([
      'checkout',
      'hello world'
    ])
    const logged = describeEvent(
      {
        logentry: {
          message: 'user %s failed',
          params: ['a'],
          formatted: 'user a failed'
        }
      },
      'event',
      0
    )
    expect(logged.type).toBe('default')
    expect(logged.title).toBe('user a failed')
    // The template groups, not the formatted text.
    expect(logged.grouping).toEqual(['user %s failed'])
  })

  it('converts SDK interfaces into API entries', () => {
    const entries = eventEntries({
      message: 'boom',
      breadcrumbs: [
        { message: 'clicked', timestamp: 1714557600, level: 'warn' }
      ],
      request: {
        method: 'POST',
        url: 'http://x/y',
        query_string: 'a=1&b=2',
        headers: { 'User-Agent': 'ua', Accept: '*/*' },
        cookies: 'c=1; d=2',
        data: { k: 'v' }
      }
    })
    expect(entries.map((e) => e['type'])).toEqual([
      'message',
      'breadcrumbs',
      'request'
    ])
    expect(entries[1]).toEqual({
      type: 'breadcrumbs',
      data: {
        values: [
          {
            type: 'default',
            category: null,
            level: 'warning',
            message: 'clicked',
            data: null,
            timestamp: '2024-05-01T10:00:00.000Z',
            event_id: null
          }
        ]
      }
    })
    expect(entries[2]?.['data']).toMatchObject({
      method: 'POST',
      query: [
        ['a', '1'],
        ['b', '2']
      ],
      headers: [
        ['Accept', '*/*'],
        ['User-Agent', 'ua']
      ],
      cookies: [
        ['c', '1'],
        ['d', '2']
      ],
      data: { k: 'v' },
      inferredContentType: 'application/json'
    })
  })
})

describe('search syntax', () => {
  it('parses keys, quotes, lists, negation, comparisons and free text', () => {
    expect(
      parseSearch(
        'is:unresolved release:"app 1.0" !level:info env:[a, "b c"] timesSeen:>3 some text tags[x.y]:z'
      )
    ).toEqual([
      { key: 'is', negated: false, op: ':', values: ['unresolved'] },
      { key: 'release', negated: false, op: ':', values: ['app 1.0'] },
      { key: 'level', negated: true, op: ':', values: ['info'] },
      { key: 'env', negated: false, op: ':', values: ['a', 'b c'] },
      { key: 'timesSeen', negated: false, op: '>', values: ['3'] },
      { negated: false, op: ':', values: ['some text'] },
      { key: 'tags[x.y]', negated: false, op: ':', values: ['z'] }
    ])
    expect(() => parseSearch('a:1 OR b:2')).toThrow(SearchError)
    expect(() => parseSearch('release:"open')).toThrow(SearchError)
  })

  it('matches wildcards and relative or absolute times', () => {
    expect(valueMatches('app@1.*', 'app@1.2.3')).toBe(true)
    expect(valueMatches('app@1.*', 'app@2.0')).toBe(false)
    expect(valueMatches('a.b', 'axb')).toBe(false)
    const now = Date.parse('2024-05-02T00:00:00Z')
    const term = (op: ':' | '>' | '<', value: string) => ({
      negated: false,
      op,
      values: [value],
      key: 'timestamp'
    })
    expect(timeMatches(term(':', '-24h'), now - 3_600_000, now)).toBe(true)
    expect(timeMatches(term(':', '-24h'), now - 2 * 86_400_000, now)).toBe(
      false
    )
    expect(timeMatches(term(':', '+24h'), now - 2 * 86_400_000, now)).toBe(true)
    expect(timeMatches(term('>', '2024-05-01T00:00:00'), now, now)).toBe(true)
    expect(timeMatches(term('<', '2024-05-01T00:00:00'), now, now)).toBe(false)
    expect(() => timeMatches(term('>', 'yesterday'), now, now)).toThrow(
      SearchError
    )
  })
})

describe('versionInfo', () => {
  it('parses package@version+build and commit hashes like Sentry', () => {
    expect(versionInfo('shipyard-example@1.4.0+3f2a1bc')).toEqual({
      package: 'shipyard-example',
      version: {
        raw: '1.4.0+3f2a1bc',
        major: 1,
        minor: 4,
        patch: 0,
        revision: 0,
        pre: null,
        buildCode: '3f2a1bc',
        components: 3
      },
      description: '1.4.0 (3f2a1bc)',
      buildHash: null
    })
    const sha = 'e48e7b5b90327ea1a4d1a4360c735eee7b536f82'
    expect(versionInfo(sha)).toEqual({
      package: null,
      version: { raw: sha },
      description: 'e48e7b5b9032',
      buildHash: sha
    })
  })
})
