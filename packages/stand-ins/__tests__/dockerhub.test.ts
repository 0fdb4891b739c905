import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import { Ajv, type ValidateFunction } from 'ajv'
import {
  DESCRIPTION_MAX_BYTES,
  DockerHubStandIn,
  FULL_DESCRIPTION_MAX_BYTES
} from '../src/dockerhub.js'

// ---------------------------------------------------------------- schemas
// Written from Docker Hub's API reference (AuthCreateTokenResponse,
// PostUsersLoginSuccessResponse, the `error` schema) and the repository
// answers that clients of `/v2/repositories/{ns}/{repo}/` receive.

const ajv = new Ajv({ allErrors: true, strict: false })
const iso = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}' }
const jwt = { type: 'string', pattern: '^[\\w-]+\\.[\\w-]+\\.[\\w-]+$' }

const repositorySchema = {
  type: 'object',
  required: [
    'user',
    'name',
    'namespace',
    'repository_type',
    'status',
    'description',
    'is_private',
    'star_count',
    'pull_count',
    'last_updated',
    'date_registered',
    'full_description',
    'permissions'
  ],
  properties: {
    name: { type: 'string' },
    namespace: { type: 'string' },
    repository_type: { type: ['string', 'null'] },
    status: { type: 'integer' },
    description: { type: 'string' },
    full_description: { type: ['string', 'null'] },
    is_private: { type: 'boolean' },
    star_count: { type: 'integer' },
    pull_count: { type: 'integer' },
    last_updated: { anyOf: [iso, { type: 'null' }] },
    last_modified: iso,
    date_registered: iso,
    permissions: {
      type: 'object',
      required: ['read', 'write', 'admin'],
      properties: {
        read: { type: 'boolean' },
        write: { type: 'boolean' },
        admin: { type: 'boolean' }
      }
    }
  }
}

const errorSchema = {
  type: 'object',
  required: ['message', 'errinfo'],
  additionalProperties: false,
  properties: { message: { type: 'string' }, errinfo: { type: 'object' } }
}

const fieldErrorsSchema = {
  ...errorSchema,
  properties: {
    message: {
      type: 'string',
      pattern: '^httperror 400: request had \\d+ validation errors?$'
    },
    errinfo: {
      type: 'object',
      required: ['fielderrors'],
      properties: {
        fielderrors: {
          type: 'object',
          minProperties: 1,
          additionalProperties: { type: 'string' }
        }
      }
    }
  }
}

const validators = {
  token: ajv.compile({
    type: 'object',
    required: ['access_token'],
    additionalProperties: false,
    properties: { access_token: jwt }
  }),
  login: ajv.compile({
    type: 'object',
    required: ['token'],
    additionalProperties: false,
    properties: { token: jwt }
  }),
  loginError: ajv.compile({
    type: 'object',
    required: ['detail'],
    properties: { detail: { type: 'string' } }
  }),
  repository: ajv.compile(repositorySchema),
  error: ajv.compile(errorSchema),
  fieldErrors: ajv.compile(fieldErrorsSchema),
  rateLimited: ajv.compile({
    type: 'object',
    required: ['detail', 'error'],
    properties: { detail: { type: 'string' }, error: { const: false } }
  })
}

function expectShape(validate: ValidateFunction, data: unknown): void {
  if (!validate(data)) throw new Error(ajv.errorsText(validate.errors))
}

// ----------------------------------------------------------------- set-up

// The rate limit is tested on an instance of its own.
const hub = new DockerHubStandIn({
  rateLimit: 100000,
  users: [
    { username: 'pusher', secret: 'dckr_pat_pushonly', scopes: ['repo:write'] },
    { username: 'member', secret: 'member-password', orgs: ['acme'] }
  ],
  repositories: [
    { namespace: 'shipyard', name: 'example' },
    { namespace: 'acme', name: 'tool', description: 'Acme tool' },
    { namespace: 'other', name: 'secret', isPrivate: true }
  ]
})
let base = ''
beforeAll(async () => {
  base = await hub.start()
})
afterAll(() => hub.stop())
beforeEach(() => {
  hub.clearFaults()
  hub.requests.length = 0
})

type Json = Record<string, unknown>
const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
async function accessToken(identifier = hub.username, secret = hub.token) {
  const res = await post('/v2/auth/token', { identifier, secret })
  expect(res.status).toBe(200)
  return ((await res.json()) as Json)['access_token'] as string
}
const patch = (path: string, body: unknown, jwt?: string, scheme = 'Bearer') =>
  fetch(`${base}${path}`, {
    method: 'PATCH',
    headers: {
      'content-type': 'application/json',
      ...(jwt ? { authorization: `${scheme} ${jwt}` } : {})
    },
    body: JSON.stringify(body)
  })

// ------------------------------------------------------------------ tests

describe('Docker Hub stand-in: tokens', () => {
  it('writes its URL and credentials for .services.env', () => {
    expect(hub.env()).toEqual({
      DOCKERHUB_API_URL: base,
      DOCKERHUB_USERNAME: 'shipyard',
      DOCKERHUB_TOKEN: hub.token
    })
    expect(hub.token).toMatch(/^dckr_pat_/)
  })

  it('creates a short-lived JWT access token from {identifier, secret}', async () => {
    const res = await post('/v2/auth/token', {
      identifier: 'shipyard',
      secret: hub.token
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Json
    expectShape(validators.token, body)
    const claims = JSON.parse(
      Buffer.from(
        String(body['access_token']).split('.')[1] ?? '',
        'base64url'
      ).toString()
    ) as Json
    expect(claims['sub']).toBe('shipyard')
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(600)
  })

  it('refuses bad credentials with 401 in Docker Hub’s error shape', async () => {
    const res = await post('/v2/auth/token', {
      identifier: 'shipyard',
      secret: 'wrong'
    })
    expect(res.status).toBe(401)
    expectShape(validators.error, await res.json())
    const missing = await post('/v2/auth/token', { identifier: 'shipyard' })
    expect(missing.status).toBe(400)
    const body = await missing.json()
    expectShape(validators.fieldErrors, body)
    expect(body).toMatchObject({
      errinfo: { fielderrors: { secret: 'Required' } }
    })
  })

  it('also logs in the older way, /v2/users/login → {token}', async () => {
    const ok = await post('/v2/users/login', {
      username: 'shipyard',
      password: hub.token
    })
    expect(ok.status).toBe(200)
    expectShape(validators.login, await ok.json())
    const bad = await post('/v2/users/login/', {
      username: 'shipyard',
      password: 'nope'
    })
    expect(bad.status).toBe(401)
    const body = await bad.json()
    expectShape(validators.loginError, body)
    expect(body).toEqual({ detail: 'Incorrect authentication credentials' })
  })

  it('keeps the secret and the token out of the request log', async () => {
    const jwt = await accessToken()
    await patch('/v2/repositories/shipyard/example/', { description: 'x' }, jwt)
    const log = JSON.stringify(hub.requests)
    expect(log).not.toContain(hub.token)
    expect(log).not.toContain(jwt)
    expect(log).toContain('Bearer ***')
  })
})

describe('Docker Hub stand-in: repository description', () => {
  it('updates description and full_description; GET returns what was set', async () => {
    const jwt = await accessToken()
    const readme = '# Example\n\nA Django app — shipped by shipyard.\n'
    const res = await patch(
      '/v2/repositories/shipyard/example/',
      { description: 'The shipyard example app', full_description: readme },
      jwt
    )
    expect(res.status).toBe(200)
    const body = await res.json()
    expectShape(validators.repository, body)
    expect(body).toMatchObject({
      namespace: 'shipyard',
      name: 'example',
      description: 'The shipyard example app',
      full_description: readme,
      permissions: { read: true, write: true, admin: true }
    })
    for (const path of [
      '/v2/repositories/shipyard/example/',
      '/v2/repositories/shipyard/example',
      '/v2/namespaces/shipyard/repositories/example'
    ]) {
      const got = await fetch(`${base}${path}`)
      expect(got.status).toBe(200)
      const repo = await got.json()
      expectShape(validators.repository, repo)
      expect(repo).toMatchObject({ full_description: readme })
    }
    expect(hub.repository('shipyard', 'example')?.['full_description']).toBe(
      readme
    )
  })

  it('accepts the path without a trailing slash and the older JWT scheme', async () => {
    const jwt = await accessToken()
    const res = await patch(
      '/v2/repositories/shipyard/example',
      { full_description: 'short' },
      jwt,
      'JWT'
    )
    expect(res.status).toBe(200)
  })

  it('enforces description ≤ 100 bytes and full_description ≤ 25,000 bytes', async () => {
    const jwt = await accessToken()
    const path = '/v2/repositories/shipyard/example/'
    const ok = await patch(
      path,
      {
        description: 'd'.repeat(DESCRIPTION_MAX_BYTES),
        full_description: 'f'.repeat(FULL_DESCRIPTION_MAX_BYTES)
      },
      jwt
    )
    expect(ok.status).toBe(200)

    const long = await patch(path, { description: 'd'.repeat(101) }, jwt)
    expect(long.status).toBe(400)
    const body = await long.json()
    expectShape(validators.fieldErrors, body)
    expect(body).toEqual({
      message: 'httperror 400: request had 1 validation error',
      errinfo: {
        fielderrors: { description: 'Exceeded max number of characters' }
      }
    })
    // Bytes, not characters: 34 × "€" is 34 characters but 102 bytes.
    const euros = await patch(path, { description: '€'.repeat(34) }, jwt)
    expect(euros.status).toBe(400)

    const both = await patch(
      path,
      {
        description: 'd'.repeat(101),
        full_description: 'é'.repeat(12501)
      },
      jwt
    )
    expect(both.status).toBe(400)
    const two = (await both.json()) as Json
    expectShape(validators.fieldErrors, two)
    expect(two['message']).toBe(
      'httperror 400: request had 2 validation errors'
    )
    expect(
      Object.keys((two['errinfo'] as Json)['fielderrors'] as Json).sort()
    ).toEqual(['description', 'full_description'])
    // Nothing was changed by the refused requests.
    expect(hub.repository('shipyard', 'example')?.['description']).toBe(
      'd'.repeat(100)
    )
  })

  it('answers 404 for an unknown repository, until one is created by control', async () => {
    const jwt = await accessToken()
    const missing = await patch(
      '/v2/repositories/shipyard/new-app/',
      { description: 'x' },
      jwt
    )
    expect(missing.status).toBe(404)
    expectShape(validators.error, await missing.json())
    expect(
      (await fetch(`${base}/v2/repositories/shipyard/new-app/`)).status
    ).toBe(404)
    const created = await post('/__control/dockerhub/repositories', {
      namespace: 'shipyard',
      name: 'new-app'
    })
    expect(created.status).toBe(201)
    expect(
      (
        await patch(
          '/v2/repositories/shipyard/new-app/',
          { description: 'x' },
          jwt
        )
      ).status
    ).toBe(200)
  })

  it('refuses a missing, invalid or expired token with 401', async () => {
    const path = '/v2/repositories/shipyard/example/'
    const none = await patch(path, { description: 'x' })
    expect(none.status).toBe(401)
    expectShape(validators.error, await none.json())
    expect((await patch(path, { description: 'x' }, 'not.a.jwt')).status).toBe(
      401
    )
    // The PAT itself is not a bearer token: it must be exchanged first.
    expect((await patch(path, { description: 'x' }, hub.token)).status).toBe(
      401
    )
    const jwt = await accessToken()
    hub.expireTokens()
    expect((await patch(path, { description: 'x' }, jwt)).status).toBe(401)
  })

  it('answers 403 outside the token user’s namespaces or without the admin scope', async () => {
    const mine = await accessToken()
    const theirs = await patch(
      '/v2/repositories/acme/tool/',
      { description: 'x' },
      mine
    )
    expect(theirs.status).toBe(403)
    const body = await theirs.json()
    expectShape(validators.error, body)
    expect(body).toEqual({ message: 'permission denied', errinfo: {} })
    // An organization member may.
    const member = await accessToken('member', 'member-password')
    expect(
      (await patch('/v2/repositories/acme/tool/', { description: 'y' }, member))
        .status
    ).toBe(200)
    // A push-only personal access token may not (read/write/delete needed).
    await post('/__control/dockerhub/repositories', {
      namespace: 'pusher',
      name: 'app'
    })
    const pusher = await accessToken('pusher', 'dckr_pat_pushonly')
    const scope = await patch(
      '/v2/repositories/pusher/app/',
      { description: 'x' },
      pusher
    )
    expect(scope.status).toBe(403)
    expect(await scope.json()).toEqual({
      message: 'insufficient scope',
      errinfo: {}
    })
    // A private repository of someone else does not exist for this user.
    expect(
      (
        await patch(
          '/v2/repositories/other/secret/',
          { description: 'x' },
          mine
        )
      ).status
    ).toBe(404)
  })
})

describe('Docker Hub stand-in: limits and faults', () => {
  it('sends X-RateLimit-* and answers 429 with X-Retry-After over the limit', async () => {
    const limited = new DockerHubStandIn({ rateLimit: 2 })
    const url = await limited.start()
    try {
      const get = () => fetch(`${url}/v2/repositories/shipyard/example/`)
      const first = await get()
      expect(first.status).toBe(200)
      expect(first.headers.get('x-ratelimit-limit')).toBe('2')
      expect(first.headers.get('x-ratelimit-remaining')).toBe('1')
      const reset = Number(first.headers.get('x-ratelimit-reset'))
      expect(reset).toBeGreaterThan(Date.now() / 1000)
      expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 61)
      expect((await get()).headers.get('x-ratelimit-remaining')).toBe('0')
      const refused = await get()
      expect(refused.status).toBe(429)
      expect(refused.headers.get('x-retry-after')).toBe(String(reset))
      expect(refused.headers.get('retry-after')).toBeNull()
      const body = await refused.json()
      expectShape(validators.rateLimited, body)
      expect(body).toEqual({ detail: 'Rate limit exceeded', error: false })
    } finally {
      await limited.stop()
    }
  })

  it('switches faults on per route through the framework', async () => {
    const jwt = await accessToken()
    hub.addFault({
      kind: 'error-burst',
      method: 'PATCH',
      path: '^/v2/repositories/',
      count: 2
    })
    const path = '/v2/repositories/shipyard/example/'
    expect((await patch(path, { description: 'a' }, jwt)).status).toBe(503)
    const second = await patch(path, { description: 'a' }, jwt)
    expect(second.status).toBe(503)
    expectShape(validators.error, await second.json())
    expect((await patch(path, { description: 'a' }, jwt)).status).toBe(200)
    hub.addFault({
      kind: 'rate-limit',
      path: '^/v2/auth/token$',
      retryAfter: 4
    })
    const limited = await post('/v2/auth/token', {
      identifier: 'shipyard',
      secret: hub.token
    })
    expect(limited.status).toBe(429)
    expectShape(validators.rateLimited, await limited.json())
    hub.addFault({ kind: 'drop', path: '^/v2/auth/token$' })
    await expect(accessToken()).rejects.toThrow()
  })

  it('has schemas that reject a wrong answer', () => {
    expect(validators.token({ token: 'a.b.c' })).toBe(false)
    expect(validators.fieldErrors({ message: 'bad', errinfo: {} })).toBe(false)
    expect(validators.repository({ name: 'x', namespace: 'y' })).toBe(false)
  })
})
