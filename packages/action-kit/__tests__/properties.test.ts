/**
 * Properties of the kit's parsers and masks, over arbitrary strings
 * (fast-check): a parser returns a value or throws the kit's
 * ConfigurationError naming the input, never anything else; what is
 * accepted is exactly the grammar and round-trips; a masked secret is gone
 * from scrubbed text in every form it takes.
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import fc from 'fast-check'
import { mockCore } from '../testing/core-mock.js'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)
const kit = await import('../src/index.js')

beforeEach(() => core.reset())

/** Any string: ASCII, full Unicode (lone surrogates too), control characters. */
const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(...'0123456789.+-eEsmhx :=/\n\r\t#,@'),
    maxLength: 20
  })
)

/**
 * Runs `parse`; a throw must be a ConfigurationError whose message names
 * the input. Returns the value, or `undefined` when refused.
 */
function attempt<T>(
  name: string,
  parse: () => T
): { value?: T; refused: boolean } {
  try {
    return { value: parse(), refused: false }
  } catch (error) {
    expect(error).toBeInstanceOf(kit.ConfigurationError)
    expect((error as Error).message).toContain(`'${name}'`)
    expect((error as Error).message).toContain('Accepted:')
    return { refused: true }
  }
}

describe('parseBoolean', () => {
  it('accepts exactly true/True/TRUE/false/False/FALSE', () => {
    fc.assert(
      fc.property(anyString, (value) => {
        const { value: parsed, refused } = attempt('flag', () =>
          kit.parseBoolean('flag', value)
        )
        const known = ['true', 'True', 'TRUE', 'false', 'False', 'FALSE']
        expect(refused).toBe(!known.includes(value))
        if (!refused) expect(parsed).toBe(value.toLowerCase() === 'true')
      })
    )
  })
})

describe('parseInteger', () => {
  it('accepts exactly [+-]digits within the safe range and the bounds', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyString, fc.bigInt().map(String)),
        fc.integer({ min: -1000, max: 0 }),
        fc.integer({ min: 0, max: 1000 }),
        (value, min, max) => {
          const { value: n, refused } = attempt('count', () =>
            kit.parseInteger('count', value, { min, max })
          )
          const grammar = /^[+-]?\d+$/.test(value)
          const expected = grammar ? Number(value) : NaN
          const ok =
            grammar &&
            Number.isSafeInteger(expected) &&
            expected >= min &&
            expected <= max
          expect(refused).toBe(!ok)
          if (ok) expect(n).toBe(expected)
        }
      )
    )
  })

  it('round-trips every safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(kit.parseInteger('count', String(n))).toBe(n)
      })
    )
  })
})

const DURATION_GRAMMAR = /^(\d+(\.\d+)?|(\d+(\.\d+)?(ms|s|m|h))+)$/
const UNIT = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const

describe('parseDuration', () => {
  it('accepts exactly its grammar, and only finite durations', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyString, fc.stringMatching(/^\d{300,400}(ms|s|m|h)?$/)),
        (value) => {
          const { value: ms, refused } = attempt('timeout', () =>
            kit.parseDuration('timeout', value)
          )
          if (!refused) {
            expect(value).toMatch(DURATION_GRAMMAR)
            expect(Number.isFinite(ms)).toBe(true)
            expect(ms).toBeGreaterThanOrEqual(0)
          } else if (DURATION_GRAMMAR.test(value)) {
            // Refused although in the grammar: only when it is not finite.
            let total = 0
            for (const [, n, unit] of value.matchAll(
              /(\d+(?:\.\d+)?)(ms|s|m|h)?/g
            ))
              total += Number(n) * UNIT[(unit ?? 's') as keyof typeof UNIT]
            expect(Number.isFinite(total)).toBe(false)
          }
        }
      )
    )
  })

  it('sums the parts of generated durations', () => {
    const part = fc.tuple(
      fc.integer({ min: 0, max: 10_000 }),
      fc.constantFrom('ms', 's', 'm', 'h')
    )
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.map(([n, u]) => `${n}${u}`).join('')
        const expected = parts.reduce((sum, [n, u]) => sum + n * UNIT[u], 0)
        expect(kit.parseDuration('timeout', text)).toBe(expected)
      })
    )
  })

  it('round-trips formatDuration', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 999 }),
          fc.integer({ min: 1, max: 1_000_000 }).map((s) => s * 1000)
        ),
        (ms) => {
          expect(kit.parseDuration('timeout', kit.formatDuration(ms))).toBe(ms)
        }
      )
    )
  })

  it('a bare number is seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (s) => {
        expect(kit.parseDuration('timeout', String(s))).toBe(s * 1000)
      })
    )
  })
})

describe('undecodable bytes', () => {
  it('every reader refuses a value that was not UTF-8 (U+FFFD), naming the input', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }),
        fc.string({ maxLength: 10 }),
        fc.constantFrom<Array<(name: string) => unknown>>(
          (name) => kit.getString(name),
          (name) => kit.getSecret(name),
          (name) => kit.getBoolean(name, { default: true }),
          (name) => kit.getEnum(name, ['a\uFFFD'], { default: 'a\uFFFD' }),
          (name) => kit.getUrl(name, { httpLoopback: true })
        ),
        (before, after, read) => {
          core.reset()
          core.inputs['field'] = `${before}\uFFFD${after}`
          fc.pre(core.inputs['field'].trim() !== '')
          const { refused } = attempt('field', () => read('field'))
          expect(refused).toBe(true)
        }
      )
    )
  })
})

describe('parseList', () => {
  it('gives trimmed, non-empty items without commas or line breaks', () => {
    fc.assert(
      fc.property(anyString, (value) => {
        for (const item of kit.parseList(value)) {
          expect(item).toBe(item.trim())
          expect(item).not.toBe('')
          expect(item).not.toMatch(/[,\n]/)
        }
      })
    )
  })
})

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/
const keyArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/)
const valueArb = fc
  .string({ maxLength: 20 })
  .map((v) => v.replace(/[\r\n]/g, '').trim())

describe('parseKeyValues / getKeyValues', () => {
  it('never lets a key with `=`, spaces or a line break through', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(anyString, fc.constant('A=b'), fc.constant('=x')), {
          maxLength: 5
        }),
        (lines) => {
          const text = lines.join('\n')
          const { value, refused } = attempt('env', () =>
            kit.parseKeyValues('env', text)
          )
          if (refused || !value) return
          for (const [key, v] of Object.entries(value)) {
            expect(key).toMatch(KEY)
            expect(v).not.toMatch(/[\r\n]/)
          }
        }
      )
    )
  })

  it('round-trips KEY=VALUE lines (values may hold `=`)', () => {
    fc.assert(
      fc.property(fc.dictionary(keyArb, valueArb, { maxKeys: 6 }), (record) => {
        const text = Object.entries(record)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n')
        expect(kit.parseKeyValues('env', text)).toEqual({ ...record })
      })
    )
  })

  it('with secret, masks every non-trivial value, even when a later line is refused', () => {
    fc.assert(
      fc.property(
        fc.dictionary(keyArb, fc.stringMatching(/^[A-Za-z0-9+/]{4,16}$/), {
          minKeys: 1,
          maxKeys: 4
        }),
        fc.boolean(),
        (record, broken) => {
          core.reset()
          const lines = Object.entries(record).map(([k, v]) => `${k}=${v}`)
          if (broken) lines.push('not a pair')
          core.inputs['env'] = lines.join('\n')
          const { refused } = attempt('env', () =>
            kit.getKeyValues('env', { secret: true })
          )
          expect(refused).toBe(broken)
          for (const v of Object.values(record)) {
            if (!kit.isTrivialValue(v)) expect(core.secrets).toContain(v)
          }
        }
      )
    )
  })
})

describe('parseUrl', () => {
  it('returns an https URL with a host or refuses (naming the input)', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyString, fc.webUrl({ withQueryParameters: true })),
        (value) => {
          const { value: url, refused } = attempt('api-url', () =>
            kit.parseUrl('api-url', value)
          )
          if (!refused) {
            expect(url?.protocol).toBe('https:')
            expect(url?.hostname).not.toBe('')
          }
        }
      )
    )
  })

  it('accepts plain http only to loopback hosts, when allowed', () => {
    fc.assert(
      fc.property(
        fc.webUrl({ validSchemes: ['http', 'https', 'ftp', 'file'] }),
        (value) => {
          const { value: url, refused } = attempt('api-url', () =>
            kit.parseUrl('api-url', value, { httpLoopback: true })
          )
          if (refused) return
          if (url?.protocol === 'http:')
            expect(kit.LOOPBACK_HOSTS.has(url.hostname)).toBe(true)
          else expect(url?.protocol).toBe('https:')
        }
      )
    )
  })

  it('keeps a secret URL out of its error', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]{8,20}$/),
        fc.constantFrom('ftp', 'http', 'gopher', 'javascript'),
        (key, scheme) => {
          const value = `${scheme}://example.com/deploy/srv-1?key=${key}`
          try {
            kit.parseUrl('deploy-hook-url', value, { secret: true })
          } catch (error) {
            expect((error as Error).message).not.toContain(key)
            return
          }
          throw new Error(`accepted ${value}`)
        }
      )
    )
  })
})

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/)

describe('parseDsn', () => {
  it('returns a DSN or refuses with a ConfigurationError that never shows the key', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyString,
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
          fc
            .tuple(
              fc.constantFrom('https', 'http', 'ftp', 'ws', 'file', 'HTTPS'),
              hex32,
              fc.constantFrom(
                'o1.ingest.sentry.io',
                '127.0.0.1:9000',
                'localhost',
                'sentry.example.com'
              ),
              fc.constantFrom('', '/sentry'),
              fc.oneof(fc.nat().map(String), fc.string({ maxLength: 4 })),
              fc.constantFrom('', '?x=1', '#f', ':secret')
            )
            .map(([scheme, key, host, prefix, id, tail]) =>
              tail === ':secret'
                ? `${scheme}://${key}:${tail.slice(1)}@${host}${prefix}/${id}`
                : `${scheme}://${key}@${host}${prefix}/${id}${tail}`
            )
        ),
        (value) => {
          let dsn: ReturnType<typeof kit.parseDsn> | undefined
          try {
            dsn = kit.parseDsn('dsn', value)
          } catch (error) {
            expect(error).toBeInstanceOf(kit.ConfigurationError)
            const message = (error as Error).message
            expect(message).toContain("'dsn'")
            const key = /^[a-z]+:\/\/([^@/]+)@/i.exec(value)?.[1]
            if (key && key.length >= 4) expect(message).not.toContain(key)
            return
          }
          expect(['http', 'https']).toContain(dsn.protocol)
          if (dsn.protocol === 'http')
            expect(kit.LOOPBACK_HOSTS.has(new URL(value).hostname)).toBe(true)
          expect(dsn.publicKey).toMatch(/^[0-9a-f]{32}$/i)
          expect(dsn.projectId).toMatch(/^\d+$/)
          expect(core.secrets).toContain(dsn.publicKey)
        }
      )
    )
  })

  it('round-trips generated DSNs', () => {
    fc.assert(
      fc.property(
        hex32,
        fc.constantFrom('o1.ingest.sentry.io', 'sentry.example.com:8443'),
        fc.constantFrom('', '/sentry', '/a/b'),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (key, host, prefix, id) => {
          const dsn = kit.parseDsn(
            'dsn',
            `https://${key}@${host}${prefix}/${id}`
          )
          expect(dsn).toMatchObject({
            protocol: 'https',
            publicKey: key,
            host,
            path: prefix,
            projectId: String(id)
          })
          expect(dsn.envelopeUrl.href).toBe(
            `https://${host}${prefix}/api/${id}/envelope/`
          )
        }
      )
    )
  })

  it('refuses every scheme but http(s)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9+.-]{0,8}$/),
        hex32,
        (scheme, key) => {
          fc.pre(scheme !== 'http' && scheme !== 'https')
          const { refused } = attempt('dsn', () =>
            kit.parseDsn('dsn', `${scheme}://${key}@sentry.io/1`)
          )
          expect(refused).toBe(true)
        }
      )
    )
  })
})

/** Secrets a runner could meet: tokens, passwords with symbols, PEM-like blocks. */
const secretArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_\-+/=.:@!$%&?~]{6,40}$/),
  fc
    .array(fc.stringMatching(/^[A-Za-z0-9+/]{8,24}$/), {
      minLength: 2,
      maxLength: 4
    })
    .map((lines) => lines.join('\n')),
  fc.string({ unit: 'grapheme', minLength: 6, maxLength: 20 })
)

describe('maskSecret / scrub', () => {
  it('registers and scrubs every form: plain, URL-encoded, base64, base64url, each line', () => {
    fc.assert(
      fc.property(secretArb, fc.string({ maxLength: 8 }), (secret, around) => {
        fc.pre(!secret.includes('*') && secret.trim().length >= 4)
        core.reset()
        kit.maskSecret(secret)
        const forms = [
          secret,
          encodeURIComponent(secret),
          Buffer.from(secret).toString('base64'),
          Buffer.from(secret).toString('base64url'),
          ...secret
            .split(/\r?\n/)
            .map((line) => line.trim())
            .filter((line) => line.length >= 4)
        ]
        for (const form of forms) {
          expect(core.secrets).toContain(form)
          expect(kit.scrub(`${around}${form}${around}`)).not.toContain(form)
        }
      })
    )
  })

  it('maskUrl masks a deploy hook whole and its key alone', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{8,24}$/), (key) => {
        core.reset()
        const hook = `https://api.render.com/deploy/srv-abc?key=${key}`
        kit.maskUrl(hook)
        expect(core.secrets).toEqual(expect.arrayContaining([hook, key]))
        expect(kit.scrub(`GET /deploy/srv-abc?key=${key}`)).not.toContain(key)
      })
    )
  })

  it('redactUrl never shows user info or secret query values', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^SeCrEt[A-Za-z0-9]{4,12}$/),
        fc.constantFrom('key', 'token', 'sig', 'password', 'access_token'),
        fc.webUrl(),
        (secret, param, base) => {
          const url = new URL(base)
          url.username = 'user'
          url.password = secret
          url.searchParams.set(param, secret)
          expect(kit.redactUrl(url)).not.toContain(secret)
        }
      )
    )
  })

  it('invalidInput never shows a secret value', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), (value) => {
        fc.pre(!"Invalid value for input 'x'".includes(value))
        const message = kit.invalidInput('x', value, 'anything', {
          secret: true
        }).message
        expect(message).not.toContain(JSON.stringify(value))
      })
    )
  })
})
