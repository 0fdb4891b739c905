import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mockCore } from '../testing/core-mock.js'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)
const kit = await import('../src/index.js')

beforeEach(() => {
  for (const key of Object.keys(core.inputs)) delete core.inputs[key]
  core.secrets.length = 0
  core.log.length = 0
})

function failure(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(kit.ConfigurationError)
    return error as Error
  }
  throw new Error('expected a ConfigurationError')
}

describe('getString', () => {
  it('returns the trimmed value, or the default when empty', () => {
    core.inputs['name'] = '  value  '
    expect(kit.getString('name')).toBe('value')
    expect(kit.getString('other', { default: 'fallback' })).toBe('fallback')
  })

  it('names the missing required input', () => {
    expect(
      failure(() => kit.getString('image', { required: true })).message
    ).toBe("Input required and not supplied: 'image'.")
  })

  it('refuses a value outside the pattern, saying what is accepted', () => {
    core.inputs['image'] = 'Alice/App'
    const { message } = failure(() =>
      kit.getString('image', {
        pattern: /^[a-z/]+$/,
        accepted: 'lowercase names'
      })
    )
    expect(message).toBe(
      'Invalid value for input \'image\': "Alice/App". Accepted: lowercase names.'
    )
  })
})

describe('getSecret', () => {
  it('masks the value at once, with its encoded forms', () => {
    core.inputs['token'] = 'p@ss word/1'
    expect(kit.getSecret('token')).toBe('p@ss word/1')
    expect(core.secrets).toEqual(
      expect.arrayContaining([
        'p@ss word/1',
        encodeURIComponent('p@ss word/1'),
        Buffer.from('p@ss word/1').toString('base64')
      ])
    )
  })

  it('never puts the secret in an error message', () => {
    core.inputs['token'] = 'hunter2-secret'
    const { message } = failure(() =>
      kit.getString('token', {
        secret: true,
        pattern: /^rnd_/,
        accepted: 'a key starting rnd_'
      })
    )
    expect(message).not.toContain('hunter2')
    expect(message).toContain("'token'")
    expect(message).toContain('not shown')
  })
})

describe('getBoolean', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['FALSE', false]
  ])('reads %s', (value, expected) => {
    core.inputs['wait'] = value
    expect(kit.getBoolean('wait', { default: false })).toBe(expected)
  })

  it.each(['ture', 'yes', '1', 'on'])(
    'refuses the typo %s instead of reading false',
    (value) => {
      core.inputs['wait'] = value
      expect(
        failure(() => kit.getBoolean('wait', { default: true })).message
      ).toBe(
        `Invalid value for input 'wait': "${value}". Accepted: \`true\` or \`false\`.`
      )
    }
  )

  it('uses the default when empty', () => {
    expect(kit.getBoolean('wait', { default: true })).toBe(true)
  })
})

describe('getInteger and getNumber', () => {
  it('accepts whole numbers within range', () => {
    core.inputs['port'] = '8000'
    expect(kit.getInteger('port', { min: 1, max: 65535 })).toBe(8000)
  })

  it.each(['80.5', 'abc', '70000', '0'])(
    'refuses %j with the range',
    (value) => {
      core.inputs['port'] = value
      const error = failure(() =>
        kit.getInteger('port', { min: 1, max: 65535 })
      )
      expect(error.message).toContain("'port'")
      expect(error.message).toContain('from 1 to 65535')
    }
  )

  it('reads decimals for percentages', () => {
    core.inputs['coverage'] = '87.5'
    expect(kit.getNumber('coverage', { min: 0, max: 100 })).toBe(87.5)
    core.inputs['coverage'] = '101'
    expect(
      failure(() => kit.getNumber('coverage', { min: 0, max: 100 })).message
    ).toContain('a number, from 0 to 100')
  })
})

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['45', 45_000],
    ['1.5m', 90_000]
  ])('parses %s', (text, ms) => {
    expect(kit.parseDuration('timeout', text)).toBe(ms)
  })

  it.each(['10 minutes', 'm10', '10x', '-5s', 's'])('refuses %j', (text) => {
    const error = failure(() => kit.parseDuration('timeout', text))
    expect(error.message).toContain(`"${text}"`)
    expect(error.message).toContain('`90s`')
  })

  it('applies the default and bounds', () => {
    expect(kit.getDuration('timeout', { default: '15m' })).toBe(900_000)
    core.inputs['timeout'] = '5h'
    expect(
      failure(() => kit.getDuration('timeout', { max: '2h' })).message
    ).toContain('a duration at most 2h')
  })

  it('formats durations for people', () => {
    expect(kit.formatDuration(5_400_000)).toBe('1h30m')
    expect(kit.formatDuration(250)).toBe('250ms')
    expect(kit.formatDuration(61_000)).toBe('1m1s')
  })
})

describe('lists', () => {
  it('splits newlines and commas, dropping blanks and comments', () => {
    core.inputs['tags'] = 'a, b\n# a comment\n\nc,,d'
    expect(kit.getList('tags')).toEqual(['a', 'b', 'c', 'd'])
  })

  it('requires at least one item when asked', () => {
    core.inputs['tags'] = ' , '
    expect(
      failure(() => kit.getList('tags', { required: true })).message
    ).toContain("'tags'")
  })
})

describe('getUrl', () => {
  it('accepts https by default and refuses other schemes', () => {
    core.inputs['api'] = 'https://api.render.com/v1'
    expect(kit.getUrl('api')?.hostname).toBe('api.render.com')
    core.inputs['api'] = 'ftp://example.com'
    expect(failure(() => kit.getUrl('api')).message).toBe(
      'Invalid value for input \'api\': "ftp://example.com". Accepted: an absolute URL with scheme https://.'
    )
  })

  it('refuses relative URLs and honours the scheme list', () => {
    core.inputs['api'] = '/v1/services'
    expect(() => kit.getUrl('api')).toThrow(kit.ConfigurationError)
    core.inputs['api'] = 'http://127.0.0.1:8080'
    expect(kit.getUrl('api', { schemes: ['https', 'http'] })?.port).toBe('8080')
  })

  it('masks a secret URL whole and its key, even when invalid', () => {
    core.inputs['hook'] = 'https://api.render.com/deploy/srv-abc?key=s3cr3tkey'
    kit.getUrl('hook', { secret: true })
    expect(core.secrets).toEqual(
      expect.arrayContaining([
        'https://api.render.com/deploy/srv-abc?key=s3cr3tkey',
        's3cr3tkey'
      ])
    )
    core.inputs['hook'] = 'htps:/broken?key=abcdef'
    const error = failure(() => kit.getUrl('hook', { secret: true }))
    expect(error.message).not.toContain('abcdef')
    expect(core.secrets).toContain('htps:/broken?key=abcdef')
  })
})

describe('getEnum', () => {
  it('accepts listed values and the default', () => {
    core.inputs['engine'] = 'podman'
    expect(kit.getEnum('engine', ['auto', 'docker', 'podman'] as const)).toBe(
      'podman'
    )
    expect(kit.getEnum('other', ['a', 'b'] as const, { default: 'b' })).toBe(
      'b'
    )
  })

  it('lists what is accepted', () => {
    core.inputs['engine'] = 'Docker'
    expect(
      failure(() => kit.getEnum('engine', ['auto', 'docker'] as const)).message
    ).toBe(
      'Invalid value for input \'engine\': "Docker". Accepted: one of `auto`, `docker`.'
    )
  })
})

describe('key=value lines', () => {
  it('parses lines, skipping comments and blanks, keeping = in values', () => {
    core.inputs['env'] = 'SECRET_KEY=abc=def\n# note\n\nDEBUG = false'
    expect(kit.getKeyValues('env')).toEqual({
      SECRET_KEY: 'abc=def',
      DEBUG: 'false'
    })
  })

  it('masks every value when secret, before a later line fails', () => {
    core.inputs['env'] = 'TOKEN=first-secret\nnot a pair'
    const error = failure(() => kit.getKeyValues('env', { secret: true }))
    expect(core.secrets).toContain('first-secret')
    expect(error.message).toContain('line 2')
    expect(error.message).toContain('KEY=VALUE')
  })

  it('refuses bad keys and duplicates', () => {
    expect(() => kit.parseKeyValues('env', '1ABC=x')).toThrow(/line 1/)
    expect(() => kit.parseKeyValues('env', 'A=1\nA=2')).toThrow(
      /the key A is given twice/
    )
  })

  it('does not show a secret value in the error for a bad key', () => {
    const error = failure(() =>
      kit.parseKeyValues('env', 'BAD-KEY=topsecret', { secret: true })
    )
    expect(error.message).not.toContain('topsecret')
  })
})

describe('masking and scrubbing', () => {
  it('scrubs every registered form from text we write', () => {
    kit.maskSecret('sk_live_12345')
    const text = `token sk_live_12345 and ${Buffer.from('sk_live_12345').toString('base64')}`
    expect(kit.scrub(text)).toBe('token *** and ***')
  })

  it('masks multi-line secrets line by line', () => {
    kit.maskSecret('line-one-secret\nline-two-secret')
    expect(core.secrets).toEqual(
      expect.arrayContaining(['line-one-secret', 'line-two-secret'])
    )
  })

  it('redacts credentials in URLs for logs', () => {
    expect(
      kit.redactUrl(
        'https://user:pw@h.example/api/1/envelope/?sentry_key=abc&x=1'
      )
    ).toBe('https://***:***@h.example/api/1/envelope/?sentry_key=***&x=1')
    expect(kit.redactUrl('not a url')).toBe('<invalid URL>')
  })
})

describe('errorMessage', () => {
  it('reads anything thrown', () => {
    expect(kit.errorMessage(new Error('boom'))).toBe('boom')
    expect(kit.errorMessage('plain')).toBe('plain')
    expect(kit.errorMessage({ message: 'shaped' })).toBe('shaped')
    expect(kit.errorMessage({ code: 1 })).toBe('{"code":1}')
    expect(kit.errorMessage(undefined)).toBe('undefined')
  })
})
