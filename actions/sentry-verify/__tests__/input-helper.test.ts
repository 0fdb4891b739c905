import { afterAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { configurationError, mockCore } from '@shipyard/action-kit/testing'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)

const { getInputs } = await import('../src/input-helper.js')
const { main } = await import('../src/main.js')
const { Inputs, Outputs } = await import('../src/constants.js')
const { run, ConfigurationError } = await import('@shipyard/action-kit')

const AUTH_TOKEN = 'sntryu_AuthTokenS3cretValue'
const TRIGGER_TOKEN = 'TriggerTokenS3cretValue'
const PUBLIC_KEY = '0123456789abcdef0123456789abcdef'
const DSN = `https://${PUBLIC_KEY}@o1.ingest.sentry.io/42`
const SHA = 'f'.repeat(40)

const minimal = {
  'auth-token': AUTH_TOKEN,
  org: 'acme',
  project: 'web-app',
  dsn: DSN,
  'app-url': 'https://app.onrender.com',
  'trigger-path': '/sentry/verify',
  'trigger-token': TRIGGER_TOKEN
}

/** Everything written to the log through @actions/core. */
const logged = (): string => core.log.join('\n')

const failure = (): Error => configurationError(getInputs)

const githubSha = process.env['GITHUB_SHA']
beforeEach(() => {
  core.reset()
  process.env['GITHUB_SHA'] = SHA
})
afterAll(() => {
  if (githubSha === undefined) delete process.env['GITHUB_SHA']
  else process.env['GITHUB_SHA'] = githubSha
})

describe('action.yml', () => {
  it('declares exactly the inputs and outputs of constants.ts', () => {
    const meta = parse(
      readFileSync(new URL('../action.yml', import.meta.url), 'utf8')
    ) as { inputs: object; outputs: object }
    expect(Object.keys(meta.inputs).sort()).toEqual(
      Object.values(Inputs).sort()
    )
    expect(Object.keys(meta.outputs).sort()).toEqual(
      Object.values(Outputs).sort()
    )
  })
})

describe('getInputs', () => {
  it('applies every default to the minimal inputs', () => {
    core.setInputs({ ...minimal })
    expect(getInputs()).toEqual({
      sentryUrl: new URL('https://sentry.io'),
      authToken: AUTH_TOKEN,
      org: 'acme',
      project: 'web-app',
      dsn: {
        dsn: DSN,
        protocol: 'https',
        publicKey: PUBLIC_KEY,
        secretKey: undefined,
        host: 'o1.ingest.sentry.io',
        path: '',
        projectId: '42',
        envelopeUrl: new URL('https://o1.ingest.sentry.io/api/42/envelope/')
      },
      environment: 'production',
      release: SHA,
      createRelease: true,
      deployUrl: new URL('https://app.onrender.com'),
      trigger: {
        kind: 'endpoint',
        appUrl: new URL('https://app.onrender.com'),
        triggerPath: '/sentry/verify',
        url: new URL('https://app.onrender.com/sentry/verify'),
        token: TRIGGER_TOKEN
      },
      timeoutMs: 120_000,
      expectLevel: 'error',
      checkBreadcrumbs: true
    })
    expect(core.warning).not.toHaveBeenCalled()
  })

  it('masks every secret through the kit and logs none of them', () => {
    core.setInputs({ ...minimal })
    getInputs()
    expect(core.secrets).toEqual(
      expect.arrayContaining([AUTH_TOKEN, TRIGGER_TOKEN, DSN, PUBLIC_KEY])
    )
    expect(core.debug).toHaveBeenCalledWith(
      expect.stringContaining('o1.ingest.sentry.io')
    )
    for (const secret of [AUTH_TOKEN, TRIGGER_TOKEN, PUBLIC_KEY]) {
      expect(logged()).not.toContain(secret)
    }
  })

  it('names auth-token first when nothing is given', () => {
    expect(failure().message).toMatch(
      /^Input required and not supplied: 'auth-token'\./
    )
  })

  it('warns that an organization token cannot read events', () => {
    core.setInputs({ ...minimal, 'auth-token': 'sntrys_OrgTokenS3cret' })
    getInputs()
    expect(core.warning).toHaveBeenCalledWith(
      expect.stringContaining('event:read')
    )
    expect(logged()).not.toContain('sntrys_OrgTokenS3cret')
  })

  it.each([
    ['org', 'Acme'],
    ['org', '12345'],
    ['project', 'web app'],
    ['project', 'web/app']
  ])('refuses the %s slug %j', (name, value) => {
    core.setInputs({ ...minimal, [name]: value })
    const { message } = failure()
    expect(message).toContain(`Invalid value for input '${name}'`)
    expect(message).toContain(JSON.stringify(value))
    expect(message).toContain('slug')
  })

  it.each([
    ['None', 'not `None`'],
    ['my env', 'without spaces'],
    ['prod/eu', 'slashes'],
    ['e'.repeat(65), '1 to 64 characters']
  ])('refuses the environment %j', (value, accepted) => {
    core.setInputs({ ...minimal, environment: value })
    const { message } = failure()
    expect(message).toContain(`'environment': ${JSON.stringify(value)}`)
    expect(message).toContain(accepted)
  })

  it('takes the release from the input, else GITHUB_SHA, and checks it', () => {
    core.setInputs({ ...minimal, release: 'web@1.4.2' })
    expect(getInputs().release).toBe('web@1.4.2')

    core.setInputs({ ...minimal, release: 'latest' })
    expect(failure().message).toContain(
      'Invalid value for input \'release\': "latest". Accepted: a Sentry release name'
    )

    core.setInputs({ ...minimal })
    process.env['GITHUB_SHA'] = 'a/b'
    expect(failure().message).toContain('"a/b" (from GITHUB_SHA)')

    delete process.env['GITHUB_SHA']
    const { message } = failure()
    expect(message).toContain("Input required and not supplied: 'release'")
    expect(message).toContain('GITHUB_SHA')
  })

  it('checks the Sentry and app URLs: https, or http to loopback only', () => {
    core.setInputs({
      ...minimal,
      'sentry-url': 'http://127.0.0.1:9000',
      'app-url': 'http://localhost:8000/app/'
    })
    const parsed = getInputs()
    expect(parsed.sentryUrl.href).toBe('http://127.0.0.1:9000/')
    expect(parsed.trigger).toMatchObject({
      url: new URL('http://localhost:8000/app/sentry/verify')
    })

    for (const name of ['sentry-url', 'app-url']) {
      core.setInputs({ ...minimal, [name]: 'http://example.com' })
      const { message } = failure()
      expect(message).toContain(`'${name}': "http://example.com"`)
      expect(message).toContain('http:// only to 127.0.0.1, localhost or [::1]')
    }
  })

  it('checks timeout, expect-level and booleans strictly', () => {
    core.setInputs({ ...minimal, timeout: '90s', 'expect-level': 'warning' })
    expect(getInputs()).toMatchObject({
      timeoutMs: 90_000,
      expectLevel: 'warning'
    })
    for (const [name, value, accepted] of [
      ['timeout', '2s', 'at least 5s'],
      ['timeout', '2h', 'at most 1h'],
      [
        'expect-level',
        'critical',
        'one of `debug`, `info`, `warning`, `error`, `fatal`'
      ],
      ['check-breadcrumbs', 'no', '`true` or `false`']
    ] as const) {
      core.setInputs({ ...minimal, [name]: value })
      const { message } = failure()
      expect(message).toContain(`'${name}': ${JSON.stringify(value)}`)
      expect(message).toContain(accepted)
    }
  })
})

describe('the DSN', () => {
  it('parses a path, a port and a legacy secret key, and masks the keys', () => {
    const secret = 'fedcba9876543210fedcba9876543210'
    core.setInputs({
      ...minimal,
      dsn: `http://${PUBLIC_KEY}:${secret}@127.0.0.1:9000/sentry/7`
    })
    const { dsn } = getInputs()
    expect(dsn).toMatchObject({
      protocol: 'http',
      publicKey: PUBLIC_KEY,
      secretKey: secret,
      host: '127.0.0.1:9000',
      path: '/sentry',
      projectId: '7'
    })
    expect(dsn.envelopeUrl.href).toBe(
      'http://127.0.0.1:9000/sentry/api/7/envelope/'
    )
    expect(core.secrets).toEqual(expect.arrayContaining([PUBLIC_KEY, secret]))
  })

  it.each([
    ['not a dsn', 'is not a URL'],
    ['https://o1.ingest.sentry.io/42', 'has no public key'],
    [`https://${PUBLIC_KEY}@o1.ingest.sentry.io/project`, 'numeric project id'],
    ['https://abc123@o1.ingest.sentry.io/42', 'not 32 hexadecimal digits'],
    [`http://${PUBLIC_KEY}@sentry.example.com/1`, 'uses http://'],
    [`ftp://${PUBLIC_KEY}@sentry.example.com/1`, 'has the scheme ftp://'],
    [`https://${PUBLIC_KEY}@o1.ingest.sentry.io/42?x=1`, 'query']
  ])('refuses %s clearly, without its key', (value, problem) => {
    core.setInputs({ ...minimal, dsn: value })
    const { message } = failure()
    expect(message).toContain("Invalid value for input 'dsn'")
    expect(message).toContain(problem)
    expect(message).toContain('Accepted: a Sentry DSN {protocol}://')
    expect(message).not.toContain(PUBLIC_KEY)
    expect(message).not.toContain('abc123')
    expect(core.secrets).toContain(value)
  })
})

describe('how the app is made to report an error', () => {
  const {
    'app-url': _a,
    'trigger-path': _p,
    'trigger-token': _t,
    ...base
  } = minimal

  it('runs probe-command instead of an endpoint', () => {
    core.setInputs({
      ...base,
      'probe-command': 'docker run --rm acme/app probe'
    })
    const parsed = getInputs()
    expect(parsed.trigger).toEqual({
      kind: 'probe-command',
      command: 'docker run --rm acme/app probe'
    })
    expect(parsed.deployUrl).toBeUndefined()
  })

  it('needs an endpoint or probe-command, not both', () => {
    core.setInputs({ ...base })
    expect(failure().message).toBe(
      "Input required and not supplied: 'app-url'. Accepted: the app's base URL, with 'trigger-path' and 'trigger-token' (its verification endpoint); or 'probe-command' instead."
    )
    core.setInputs({ ...minimal, 'probe-command': 'make probe' })
    expect(failure().message).toContain(
      `Inputs 'app-url' ("https://app.onrender.com/") and 'probe-command' cannot both be given`
    )
    core.setInputs({
      ...base,
      'trigger-token': TRIGGER_TOKEN,
      'probe-command': 'x'
    })
    const { message } = failure()
    expect(message).toContain("'trigger-token' and 'probe-command'")
    expect(message).not.toContain(TRIGGER_TOKEN)
  })

  it('needs trigger-path and trigger-token with app-url', () => {
    core.setInputs({ ...minimal, 'trigger-path': '' })
    expect(failure().message).toContain(
      "Input required and not supplied: 'trigger-path'"
    )
    core.setInputs({ ...minimal, 'trigger-path': 'verify' })
    expect(failure().message).toContain(
      'Invalid value for input \'trigger-path\': "verify"'
    )
    core.setInputs({ ...minimal, 'trigger-token': '' })
    expect(failure().message).toContain(
      "Input required and not supplied: 'trigger-token'"
    )
  })

  it('records the deploy with deploy-url when given', () => {
    core.setInputs({
      ...minimal,
      'deploy-url': 'https://dashboard.example/d/1'
    })
    expect(getInputs().deployUrl).toEqual(
      new URL('https://dashboard.example/d/1')
    )
  })
})

describe('main', () => {
  it('validates every input before sending anything', async () => {
    const fetchSpy = jest.spyOn(globalThis, 'fetch')
    try {
      core.setInputs({ ...minimal, timeout: '2 minutes' })
      await expect(main()).rejects.toThrow(ConfigurationError)
      core.setInputs({ ...minimal, 'probe-command': 'true' })
      await run(main)
      expect(core.setFailed).toHaveBeenCalledWith(
        expect.stringContaining('cannot both be given')
      )
      expect(fetchSpy).not.toHaveBeenCalled()
      expect(core.setOutput).not.toHaveBeenCalled()
      expect(logged()).not.toContain(TRIGGER_TOKEN)
    } finally {
      fetchSpy.mockRestore()
    }
  })

  it('says what it will do, without a secret', async () => {
    const { plan } = await import('../src/main.js')
    core.setInputs({ ...minimal })
    const line = plan(getInputs())
    expect(line).toContain(`record release ${SHA} and its deploy to production`)
    expect(line).toContain('https://app.onrender.com/sentry/verify')
    expect(line).not.toContain(TRIGGER_TOKEN)
    expect(line).not.toContain(AUTH_TOKEN)
  })
})
