/**
 * Docker Hub's web API (hub.docker.com), not the registry: the access token
 * and the repository description.
 *
 * Contract followed (Docker Hub API reference `latest.yaml`, and the answers
 * clients such as peter-evans/dockerhub-description and docker-pushrm met):
 *
 * - `POST /v2/auth/token` `{identifier, secret}` → 200 `{access_token}` (a
 *   JWT valid 10 minutes); the deprecated `POST /v2/users/login`
 *   `{username, password}` → 200 `{token}`, 401 `{"detail":"Incorrect
 *   authentication credentials"}`.
 * - `GET|PATCH /v2/repositories/{namespace}/{repository}/` (with or without the
 *   trailing slash), `Authorization: Bearer <jwt>` (or the older `JWT <jwt>`).
 *   PATCH takes `description` (≤ 100 bytes) and `full_description`
 *   (≤ 25,000 bytes) and answers the repository; too long is 400
 *   `{"message":"httperror 400: request had 1 validation error","errinfo":
 *   {"fielderrors":{"full_description":"Exceeded max number of characters"}}}`.
 *   Changing it needs admin rights on the namespace and, for a personal
 *   access token, the `repo:admin` (read/write/delete) scope: 403 otherwise.
 *   `GET /v2/namespaces/{namespace}/repositories/{repository}` answers the same.
 * - Errors `{message, errinfo}`; rate limits `X-RateLimit-Limit/-Remaining/
 *   -Reset` (epoch seconds), 429 `{"detail":"Rate limit exceeded","error":
 *   false}` with `X-Retry-After` (epoch seconds, no `Retry-After`).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import {
  json,
  StandIn,
  type Context,
  type Handler,
  type Reply
} from './server.js'

export const DESCRIPTION_MAX_BYTES = 100
export const FULL_DESCRIPTION_MAX_BYTES = 25000

export interface DockerHubUserSeed {
  username: string
  /** A password or a personal access token (`dckr_pat_…`). */
  secret: string
  /** The token's scopes (default `repo:admin`, i.e. read/write/delete). */
  scopes?: string[]
  /** Organizations whose repositories the user administers. */
  orgs?: string[]
}

export interface DockerHubRepositorySeed {
  namespace: string
  name: string
  description?: string
  fullDescription?: string
  isPrivate?: boolean
}

export interface DockerHubOptions {
  /** The seeded user (default `shipyard`). */
  username?: string
  /** Its personal access token (default: random `dckr_pat_…`). */
  token?: string
  users?: DockerHubUserSeed[]
  /** Default: `<username>/example`. */
  repositories?: DockerHubRepositorySeed[]
  /** Lifetime of an access token (default 600 s). */
  tokenTtlSeconds?: number
  /** Requests per minute per user or address (default 180). */
  rateLimit?: number
}

interface User {
  username: string
  secret: string
  scopes: string[]
  orgs: string[]
}

interface Repository {
  namespace: string
  name: string
  description: string
  fullDescription: string
  isPrivate: boolean
  dateRegistered: string
  lastModified: string
}

interface Session {
  user: User
  expires: number
}

export class DockerHubStandIn extends StandIn {
  readonly username: string
  readonly token: string
  private readonly users = new Map<string, User>()
  private readonly repositories = new Map<string, Repository>()
  private readonly sessions = new Map<string, Session>()
  private readonly windows = new Map<string, { start: number; count: number }>()
  private readonly signingKey = randomBytes(32)
  private readonly ttl: number
  private readonly rate: number

  constructor(options: DockerHubOptions = {}) {
    super('Docker Hub')
    this.username = options.username ?? 'shipyard'
    this.token =
      options.token ?? `dckr_pat_${randomBytes(20).toString('base64url')}`
    this.ttl = options.tokenTtlSeconds ?? 600
    this.rate = options.rateLimit ?? 180
    this.addUser({ username: this.username, secret: this.token })
    for (const user of options.users ?? []) this.addUser(user)
    for (const repo of options.repositories ?? [
      { namespace: this.username, name: 'example' }
    ])
      this.addRepository(repo)

    this.api('POST', '/v2/auth/token', (ctx) => this.createToken(ctx))
    this.api('POST', '/v2/users/login', (ctx) => this.login(ctx))
    this.api('POST', '/v2/users/login/', (ctx) => this.login(ctx))
    for (const path of [
      '/v2/repositories/:namespace/:repository',
      '/v2/repositories/:namespace/:repository/'
    ]) {
      this.api('GET', path, (ctx) => this.getRepository(ctx))
      this.api('PATCH', path, (ctx) => this.updateRepository(ctx))
    }
    this.api(
      'GET',
      '/v2/namespaces/:namespace/repositories/:repository',
      (ctx) => this.getRepository(ctx)
    )

    this.control('GET', '/__control/dockerhub/repositories', () =>
      json(
        200,
        [...this.repositories.values()].map((r) => this.serialize(r))
      )
    )
    this.control('POST', '/__control/dockerhub/repositories', (ctx) => {
      const body = record(ctx.body)
      if (
        typeof body['namespace'] !== 'string' ||
        typeof body['name'] !== 'string'
      )
        return json(400, { message: 'namespace and name are required' })
      const repo = this.addRepository({
        namespace: body['namespace'],
        name: body['name'],
        description: text(body['description']),
        fullDescription: text(body['full_description']),
        isPrivate: body['is_private'] === true
      })
      return json(201, this.serialize(repo))
    })
    this.control('POST', '/__control/dockerhub/users', (ctx) => {
      const body = record(ctx.body)
      if (
        typeof body['username'] !== 'string' ||
        typeof body['secret'] !== 'string'
      )
        return json(400, { message: 'username and secret are required' })
      this.addUser({
        username: body['username'],
        secret: body['secret'],
        scopes: strings(body['scopes']),
        orgs: strings(body['orgs'])
      })
      return json(201, { username: body['username'] })
    })
    this.control('POST', '/__control/dockerhub/expire-tokens', () => {
      this.expireTokens()
      return json(204)
    })
  }

  addUser(seed: DockerHubUserSeed): void {
    this.users.set(seed.username.toLowerCase(), {
      username: seed.username,
      secret: seed.secret,
      scopes: seed.scopes ?? ['repo:admin'],
      orgs: seed.orgs ?? []
    })
    this.secrets.add(seed.secret)
  }

  addRepository(seed: DockerHubRepositorySeed): Repository {
    const now = new Date().toISOString()
    const repo: Repository = {
      namespace: seed.namespace,
      name: seed.name,
      description: seed.description ?? '',
      fullDescription: seed.fullDescription ?? '',
      isPrivate: seed.isPrivate ?? false,
      dateRegistered: now,
      lastModified: now
    }
    this.repositories.set(`${seed.namespace}/${seed.name}`, repo)
    return repo
  }

  /** The repository as `GET /v2/repositories/{ns}/{repo}/` answers it. */
  repository(
    namespace: string,
    name: string
  ): Record<string, unknown> | undefined {
    const repo = this.repositories.get(`${namespace}/${name}`)
    return repo ? this.serialize(repo) : undefined
  }

  /** Every access token issued so far stops working (as after 10 minutes). */
  expireTokens(): void {
    this.sessions.clear()
  }

  override env(): Record<string, string> {
    return {
      DOCKERHUB_API_URL: this.url,
      DOCKERHUB_USERNAME: this.username,
      DOCKERHUB_TOKEN: this.token
    }
  }

  protected errorBody(status: number, message: string): unknown {
    if (status === 429) return { detail: message, error: false }
    return {
      message:
        status === 404 && message === 'Not found' ? 'not found' : message,
      errinfo: {}
    }
  }

  // ------------------------------------------------------------- plumbing

  /** A route with Docker Hub's rate limit: headers on every answer, 429 over it. */
  private api(method: string, pattern: string, handler: Handler): void {
    this.route(method, pattern, async (ctx) => {
      const session = this.session(ctx)
      const key =
        session && 'user' in session
          ? `user:${session.user.username}`
          : `ip:${ctx.req.socket.remoteAddress ?? ''}`
      const now = Date.now()
      let window = this.windows.get(key)
      if (!window || now - window.start >= 60000) {
        window = { start: now, count: 0 }
        this.windows.set(key, window)
      }
      const reset = String(Math.ceil((window.start + 60000) / 1000))
      if (window.count >= this.rate) {
        return json(
          429,
          { detail: 'Rate limit exceeded', error: false },
          {
            'x-ratelimit-limit': String(this.rate),
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': reset,
            'x-retry-after': reset
          }
        )
      }
      window.count++
      const reply = await handler(ctx)
      reply.headers = {
        'x-ratelimit-limit': String(this.rate),
        'x-ratelimit-remaining': String(this.rate - window.count),
        'x-ratelimit-reset': reset,
        ...reply.headers
      }
      return reply
    })
  }

  private fail(status: number, message: string, errinfo: unknown = {}): Reply {
    return json(status, { message, errinfo })
  }

  /** The session of the request's bearer token; `invalid` when one was sent but is not valid. */
  private session(ctx: Context): Session | { invalid: true } | undefined {
    const header = String(ctx.headers['authorization'] ?? '')
    const match = /^(bearer|jwt)\s+(\S+)$/i.exec(header)
    if (!match) return header ? { invalid: true } : undefined
    const session = this.sessions.get(match[2] ?? '')
    if (!session || session.expires < Date.now()) return { invalid: true }
    return session
  }

  private issue(user: User): string {
    const now = Math.floor(Date.now() / 1000)
    const part = (value: unknown): string =>
      Buffer.from(JSON.stringify(value)).toString('base64url')
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({
      sub: user.username,
      iss: 'https://login.docker.com/',
      aud: 'https://hub.docker.com',
      scope: user.scopes.join(' '),
      'https://hub.docker.com': { username: user.username },
      iat: now,
      exp: now + this.ttl,
      jti: randomUUID()
    })}`
    const signature = createHmac('sha256', this.signingKey)
      .update(unsigned)
      .digest('base64url')
    const token = `${unsigned}.${signature}`
    this.sessions.set(token, { user, expires: Date.now() + this.ttl * 1000 })
    return token
  }

  private credentials(identifier: unknown, secret: unknown): User | undefined {
    if (typeof identifier !== 'string' || typeof secret !== 'string')
      return undefined
    const user = this.users.get(identifier.toLowerCase())
    return user && user.secret === secret ? user : undefined
  }

  // --------------------------------------------------------------- routes

  private createToken(ctx: Context): Reply {
    const body = record(ctx.body)
    const missing = ['identifier', 'secret'].filter(
      (field) => typeof body[field] !== 'string' || !body[field]
    )
    if (missing.length > 0)
      return this.validationError(
        Object.fromEntries(missing.map((field) => [field, 'Required']))
      )
    const user = this.credentials(body['identifier'], body['secret'])
    if (!user) return this.fail(401, 'incorrect username or password')
    return json(200, { access_token: this.issue(user) })
  }

  private login(ctx: Context): Reply {
    const body = record(ctx.body)
    const user = this.credentials(body['username'], body['password'])
    if (!user)
      return json(401, { detail: 'Incorrect authentication credentials' })
    return json(200, { token: this.issue(user) })
  }

  private getRepository(ctx: Context): Reply {
    const session = this.session(ctx)
    if (session && 'invalid' in session) return this.fail(401, 'unauthorized')
    const repo = this.repositories.get(
      `${ctx.params['namespace']}/${ctx.params['repository']}`
    )
    if (!repo || (repo.isPrivate && !this.owns(session?.user, repo)))
      return this.fail(404, 'object not found')
    return json(200, this.serialize(repo, session?.user))
  }

  private updateRepository(ctx: Context): Reply {
    const session = this.session(ctx)
    if (!session || 'invalid' in session)
      return this.fail(401, 'authentication required')
    const { user } = session
    const repo = this.repositories.get(
      `${ctx.params['namespace']}/${ctx.params['repository']}`
    )
    if (!repo || (repo.isPrivate && !this.owns(user, repo)))
      return this.fail(404, 'object not found')
    if (!this.owns(user, repo)) return this.fail(403, 'permission denied')
    if (!user.scopes.includes('repo:admin'))
      return this.fail(403, 'insufficient scope')
    const body = record(ctx.body)
    const errors: Record<string, string> = {}
    const limits: Array<[string, number]> = [
      ['description', DESCRIPTION_MAX_BYTES],
      ['full_description', FULL_DESCRIPTION_MAX_BYTES]
    ]
    for (const [field, max] of limits) {
      const value = body[field]
      if (value === undefined || value === null) continue
      if (typeof value !== 'string') errors[field] = 'Not a valid string.'
      else if (Buffer.byteLength(value, 'utf8') > max)
        errors[field] = 'Exceeded max number of characters'
    }
    if (Object.keys(errors).length > 0) return this.validationError(errors)
    if (typeof body['description'] === 'string')
      repo.description = body['description']
    if (typeof body['full_description'] === 'string')
      repo.fullDescription = body['full_description']
    repo.lastModified = new Date().toISOString()
    return json(200, this.serialize(repo, user))
  }

  private validationError(fielderrors: Record<string, string>): Reply {
    const n = Object.keys(fielderrors).length
    return this.fail(
      400,
      `httperror 400: request had ${n} validation error${n === 1 ? '' : 's'}`,
      { fielderrors }
    )
  }

  private owns(user: User | undefined, repo: Repository): boolean {
    if (!user) return false
    const ns = repo.namespace.toLowerCase()
    return (
      user.username.toLowerCase() === ns ||
      user.orgs.some((org) => org.toLowerCase() === ns)
    )
  }

  private serialize(repo: Repository, user?: User): Record<string, unknown> {
    const admin = this.owns(user, repo)
    return {
      user: repo.namespace,
      name: repo.name,
      namespace: repo.namespace,
      repository_type: 'image',
      status: 1,
      status_description: 'active',
      description: repo.description,
      is_private: repo.isPrivate,
      is_automated: false,
      star_count: 0,
      pull_count: 0,
      last_updated: null,
      last_modified: repo.lastModified,
      date_registered: repo.dateRegistered,
      collaborator_count: 0,
      affiliation: admin ? 'owner' : null,
      hub_user: repo.namespace,
      has_starred: false,
      full_description: repo.fullDescription,
      permissions: { read: !repo.isPrivate || admin, write: admin, admin },
      media_types: [],
      content_types: [],
      categories: [],
      immutable_tags_settings: { enabled: false, rules: ['.*'] },
      storage_size: 0,
      source: null
    }
  }
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : undefined
}
