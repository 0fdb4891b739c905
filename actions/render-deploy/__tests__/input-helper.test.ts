import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parse } from 'yaml'
import { configurationError, mockCore } from '@shipyard/action-kit/testing'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)

const { getInputs, parseImageReference } =
  await import('../src/input-helper.js')
const { main, plan } = await import('../src/main.js')
const { Inputs, Outputs } = await import('../src/constants.js')
const { run } = await import('@shipyard/action-kit')

const API_KEY = 'rnd_Sup3rSecretApiKeyValue'
const HOOK_KEY = 'hookKeyS3cretValue'
const HOOK_URL = `https://api.render.com/deploy/srv-abc123?key=${HOOK_KEY}`
const GITHUB_TOKEN = 'ghs_GitHubTokenS3cretValue'
const DIGEST = `sha256:${'a'.repeat(64)}`

/** Everything written to the log through @actions/core. */
const logged = (): string => core.log.join('\n')

const failure = (): Error => configurationError(getInputs)

const apiMode = {
  'service-id': 'srv-abc123',
  'api-key': API_KEY,
  'github-token': GITHUB_TOKEN
}

beforeEach(() => {
  core.reset()
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

describe('getInputs in API mode', () => {
  it('applies every default to the minimal inputs', () => {
    core.setInputs({ ...apiMode })
    expect(getInputs()).toEqual({
      trigger: {
        mode: 'api',
        api: {
          serviceId: 'srv-abc123',
          apiKey: API_KEY,
          apiUrl: new URL('https://api.render.com/v1')
        }
      },
      source: { kind: 'service-default' },
      wait: true,
      timeoutMs: 15 * 60_000,
      disableAutoDeploy: true,
      healthPath: undefined,
      rollbackOnFailure: true,
      cancelOnTimeout: true,
      clearCache: false,
      githubDeployment: { environment: 'production', token: GITHUB_TOKEN }
    })
    expect(core.warning).not.toHaveBeenCalled()
  })

  it('reads the mock through the kit: secrets are masked, never logged', () => {
    core.setInputs({ ...apiMode })
    getInputs()
    expect(core.getInput).toHaveBeenCalledWith('api-key', {
      trimWhitespace: true
    })
    expect(core.secrets).toEqual(
      expect.arrayContaining([API_KEY, GITHUB_TOKEN])
    )
    expect(core.debug).toHaveBeenCalledWith(
      expect.stringContaining('srv-abc123')
    )
    expect(logged()).not.toContain(API_KEY)
    expect(logged()).not.toContain(GITHUB_TOKEN)
  })

  it('names service-id first when nothing is given', () => {
    expect(failure().message).toBe(
      "Input required and not supplied: 'service-id'. Accepted: a Render service id: `srv-` followed by lowercase letters and digits (with `api-key`), unless `deploy-hook-url` is given."
    )
  })

  it.each(['SRV-ABC', 'abc123', 'srv-', 'srv-ab_c'])(
    'refuses the service id %j',
    (id) => {
      core.setInputs({ ...apiMode, 'service-id': id })
      const { message } = failure()
      expect(message).toContain("'service-id'")
      expect(message).toContain(JSON.stringify(id))
      expect(message).toContain('`srv-` followed by lowercase letters')
    }
  )

  it('requires api-key without a deploy hook', () => {
    core.setInputs({ 'service-id': 'srv-abc123' })
    expect(failure().message).toContain(
      "Input required and not supplied: 'api-key'"
    )
  })

  it('refuses an api-key with spaces without showing it', () => {
    core.setInputs({ ...apiMode, 'api-key': 'rnd_abc def' })
    const { message } = failure()
    expect(message).toContain("'api-key'")
    expect(message).toContain('(secret value, not shown)')
    expect(message).toContain('without spaces')
    expect(message).not.toContain('rnd_abc def')
  })

  it('warns about an api-key without the rnd_ prefix but uses it', () => {
    core.setInputs({ ...apiMode, 'api-key': 'NotARenderPrefixKey' })
    const parsed = getInputs()
    expect(parsed.trigger.api?.apiKey).toBe('NotARenderPrefixKey')
    expect(core.warning).toHaveBeenCalledTimes(1)
    expect(String(core.warning.mock.calls[0]?.[0])).toContain('rnd_')
    expect(logged()).not.toContain('NotARenderPrefixKey')
  })

  it('accepts render-api-url over https, or http to loopback only', () => {
    core.setInputs({ ...apiMode, 'render-api-url': 'http://127.0.0.1:8123/v1' })
    expect(getInputs().trigger.api?.apiUrl.href).toBe(
      'http://127.0.0.1:8123/v1'
    )
    core.setInputs({
      ...apiMode,
      'render-api-url': 'http://render.internal/v1'
    })
    const { message } = failure()
    expect(message).toContain("'render-api-url'")
    expect(message).toContain('"http://render.internal/v1"')
    expect(message).toContain('http:// only to 127.0.0.1, localhost or [::1]')
  })

  it('parses timeouts and enforces their bounds', () => {
    core.setInputs({ ...apiMode, timeout: '1h30m' })
    expect(getInputs().timeoutMs).toBe(90 * 60_000)
    for (const [value, accepted] of [
      ['5s', 'at least 10s'],
      ['7h', 'at most 6h'],
      ['soon', 'a duration such as']
    ]) {
      core.setInputs({ ...apiMode, timeout: value })
      const { message } = failure()
      expect(message).toContain("'timeout'")
      expect(message).toContain(JSON.stringify(value))
      expect(message).toContain(accepted)
    }
  })

  it('treats a typo in a boolean as an error, not false', () => {
    core.setInputs({ ...apiMode, 'rollback-on-failure': 'yes' })
    const { message } = failure()
    expect(message).toContain("'rollback-on-failure'")
    expect(message).toContain('"yes"')
    expect(message).toContain('`true` or `false`')
  })

  it('checks health-path and environment', () => {
    core.setInputs({
      ...apiMode,
      'health-path': '/healthz',
      environment: 'staging'
    })
    const parsed = getInputs()
    expect(parsed.healthPath).toBe('/healthz')
    expect(parsed.githubDeployment?.environment).toBe('staging')

    core.setInputs({ ...apiMode, 'health-path': 'health' })
    expect(failure().message).toContain(
      'Invalid value for input \'health-path\': "health". Accepted: a URL path starting with `/`'
    )
    core.setInputs({ ...apiMode, environment: 'prod\u0007' })
    expect(failure().message).toContain("'environment'")
  })

  it('needs github-token only for a GitHub deployment', () => {
    core.setInputs({ 'service-id': 'srv-abc123', 'api-key': API_KEY })
    const { message } = failure()
    expect(message).toContain("Input required and not supplied: 'github-token'")
    expect(message).toContain('github-deployment: false')

    core.inputs['github-deployment'] = 'false'
    expect(getInputs().githubDeployment).toBeUndefined()
  })
})

describe('getInputs: what is deployed', () => {
  it.each([
    ['acme/app:1.4.2', 'docker.io', 'acme/app', '1.4.2', undefined],
    ['python:3.13-slim', 'docker.io', 'library/python', '3.13-slim', undefined],
    [`ghcr.io/acme/app@${DIGEST}`, 'ghcr.io', 'acme/app', undefined, DIGEST],
    [
      `localhost:5000/acme/app:sha-1@${DIGEST}`,
      'localhost:5000',
      'acme/app',
      'sha-1',
      DIGEST
    ]
  ])('parses the image %s', (ref, registry, repository, tag, digest) => {
    core.setInputs({ ...apiMode, 'image-url': ref })
    expect(getInputs().source).toEqual({
      kind: 'image',
      image: { ref, registry, repository, tag, digest }
    })
  })

  it.each([
    'acme/app',
    'Acme/App:1',
    'https://docker.io/acme/app:1',
    'acme/app@sha256:abc',
    'acme//app:1'
  ])('refuses the image reference %j', (ref) => {
    expect(() => parseImageReference('image-url', ref)).toThrow(
      `Invalid value for input 'image-url': ${JSON.stringify(ref)}. Accepted: an image reference with a tag or a digest`
    )
  })

  it('takes commit-id lowercased, and not with image-url', () => {
    core.setInputs({ ...apiMode, 'commit-id': 'ABCDEF1234567' })
    expect(getInputs().source).toEqual({
      kind: 'commit',
      commitId: 'abcdef1234567'
    })

    core.setInputs({ ...apiMode, 'commit-id': 'main' })
    expect(failure().message).toContain(
      'Invalid value for input \'commit-id\': "main". Accepted: a git commit id'
    )

    core.setInputs({
      ...apiMode,
      'commit-id': 'abcdef1',
      'image-url': 'acme/a:1'
    })
    const { message } = failure()
    expect(message).toContain("'image-url' and 'commit-id'")
    expect(message).toContain('"acme/a:1" and "abcdef1"')
  })
})

describe('getInputs with a deploy hook', () => {
  const hookOnly = { 'deploy-hook-url': HOOK_URL, 'github-token': GITHUB_TOKEN }

  it('triggers only, without waiting or changing the service', () => {
    core.setInputs({ ...hookOnly })
    const parsed = getInputs()
    expect(parsed.trigger).toEqual({
      mode: 'deploy-hook',
      deployHookUrl: new URL(HOOK_URL),
      serviceId: 'srv-abc123',
      api: undefined
    })
    expect(parsed.wait).toBe(false)
    expect(parsed.disableAutoDeploy).toBe(false)
    expect(core.secrets).toEqual(expect.arrayContaining([HOOK_URL, HOOK_KEY]))
    expect(logged()).not.toContain(HOOK_KEY)
  })

  it('refuses wait or disable-auto-deploy without an api-key', () => {
    for (const name of ['wait', 'disable-auto-deploy']) {
      core.setInputs({ ...hookOnly, [name]: 'true' })
      const { message } = failure()
      expect(message).toContain(`Invalid value for input '${name}': "true"`)
      expect(message).toContain('give `api-key` too')
    }
  })

  it('can wait when an api-key is given too', () => {
    core.setInputs({
      ...hookOnly,
      'api-key': API_KEY,
      'service-id': 'srv-abc123'
    })
    const parsed = getInputs()
    expect(parsed.trigger.mode).toBe('deploy-hook')
    expect(parsed.trigger.api).toEqual({
      serviceId: 'srv-abc123',
      apiKey: API_KEY,
      apiUrl: new URL('https://api.render.com/v1')
    })
    expect(parsed.wait).toBe(true)
    expect(parsed.disableAutoDeploy).toBe(true)
  })

  it.each([
    [`http://render.example/deploy/srv-abc123?key=${HOOK_KEY}`, 'http://'],
    [`https://api.render.com/hooks/srv-abc123?key=${HOOK_KEY}`, '/deploy/'],
    ['https://api.render.com/deploy/srv-abc123?token=HookTokenS3cret', 'key=']
  ])('refuses the hook %s without showing it', (url, hint) => {
    core.setInputs({ ...hookOnly, 'deploy-hook-url': url })
    const { message } = failure()
    expect(message).toContain("'deploy-hook-url'")
    expect(message).toContain('(secret value, not shown)')
    expect(message).toContain(hint)
    expect(message).not.toContain(HOOK_KEY)
    expect(message).not.toContain('HookTokenS3cret')
    expect(core.secrets).toContain(url)
  })

  it('accepts a hook on loopback over http (a local stand-in)', () => {
    const local = `http://127.0.0.1:9000/deploy/srv-local1?key=${HOOK_KEY}`
    core.setInputs({ ...hookOnly, 'deploy-hook-url': local })
    expect(getInputs().trigger).toMatchObject({ serviceId: 'srv-local1' })
  })

  it('refuses a service-id other than the hook’s, and a commit-id', () => {
    core.setInputs({ ...hookOnly, 'service-id': 'srv-other9' })
    expect(failure().message).toBe(
      'Invalid value for input \'service-id\': "srv-other9". Accepted: the service of `deploy-hook-url` (srv-abc123), or nothing.'
    )
    core.setInputs({ ...hookOnly, 'commit-id': 'abcdef1' })
    const { message } = failure()
    expect(message).toContain("'commit-id'")
    expect(message).toContain("deploys the branch's latest commit")
  })
})

describe('main', () => {
  it('refuses invalid inputs before any request is made', async () => {
    let requests = 0
    const server = createServer((_req, res) => {
      requests++
      res.writeHead(500).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      core.setInputs({
        ...apiMode,
        'render-api-url': `http://127.0.0.1:${port}/v1`,
        'image-url': `acme/app@${DIGEST}`,
        timeout: '5s'
      })
      await run(main)
      expect(core.setFailed).toHaveBeenCalledTimes(1)
      expect(core.setFailed).toHaveBeenCalledWith(
        expect.stringContaining("Invalid value for input 'timeout'")
      )
      expect(requests).toBe(0)
      expect(logged()).not.toContain(API_KEY)
    } finally {
      server.close()
    }
  })

  it('says what it will do, without secrets', () => {
    core.setInputs({ ...apiMode, 'image-url': `acme/app@${DIGEST}` })
    expect(plan(getInputs())).toBe(
      `Deploying image acme/app@${DIGEST} to Render service srv-abc123 through the API at https://api.render.com/v1, then wait up to 15m for it to be live.`
    )
  })
})
