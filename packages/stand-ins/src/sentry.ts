/**
 * Sentry: event ingestion as Relay does it, and the web API endpoints
 * shipyard uses (releases, deploys, events, issues, discover, client keys).
 *
 * Contract followed (SERVICES.md § Sentry; the response and request schemas
 * of `../shared/data/sentry-openapi-subset.json`; Relay's and Sentry's error
 * texts):
 *
 * - Ingestion: `POST /api/{projectId}/envelope/` (and the legacy `/store/`),
 *   authenticated by `X-Sentry-Auth: Sentry sentry_key=…`, the `sentry_key`
 *   query parameter, or the envelope header's `dsn`; gzip/br/deflate bodies.
 *   200 `{"id": …}`; 401 for missing or doubled credentials; 400 `invalid
 *   event envelope` with Relay's cause; 403 `event submission rejected
 *   with_reason: ProjectId` for an unknown key or a key of another project;
 *   429 with `Retry-After` and `X-Sentry-Rate-Limits` when rate limited
 *   (switched on through the control endpoint). Ingestion is asynchronous: an
 *   event appears in the web API `ingestionDelayMs` after it was accepted
 *   (404 `Event not found` before), when it is grouped into an issue and its
 *   release is created, as Sentry does.
 * - Web API under `/api/0/`, `Authorization: Bearer <token>`: 401
 *   `Authentication credentials were not provided.` / `Invalid token` /
 *   `Invalid org token`; 404 `The requested resource does not exist` for an
 *   unknown organization, project, release or issue; 403 `You do not have
 *   permission to perform this action.` when the token lacks every scope the
 *   endpoint accepts (an organization token `sntrys_…` has only `org:ci`:
 *   releases and deploys, not events). Releases answer 201, then 208 for a
 *   version that exists with the same projects. Lists paginate with Sentry's
 *   `Link` header (`cursor="<per_page>:<page>:<is_prev>"`, `results`), and
 *   every answer carries `X-Sentry-Rate-Limit-Limit/-Remaining/-Reset/
 *   -ConcurrentLimit/-ConcurrentRemaining`; over the limit it is 429 with
 *   Sentry's text.
 * - Control (for tests and scripts): `/__control/sentry/events`,
 *   `…/envelopes`, `…/stats`, `…/ingestion-delay`, `…/ingest-rate-limit`,
 *   `…/api-rate-limit`, `…/issues/{id}`, `…/tokens`, `…/reset`, `…/config`.
 *
 * Modules: `sentry-envelope` (envelope format, DSN auth), `sentry-ingest`
 * (the ingestion endpoint), `sentry-event` (what Sentry derives from a
 * payload: title, tags, grouping, entries), `sentry-shapes` (records and
 * API shapes), `sentry-search` (search syntax), `sentry-query` (pagination,
 * filters, discover); this file holds the state, auth and routes.
 */
import { randomBytes } from 'node:crypto'
import { json, StandIn, type Context, type Reply } from './server.js'
import { normalizeEventId, type Json } from './sentry-envelope.js'
import { asObject, asString, iso } from './sentry-event.js'
import {
  deployShape,
  eventShape,
  issueShape,
  projectKeyShape,
  releaseShape,
  simpleEventShape,
  type Deploy,
  type Issue,
  type Release,
  type SentryProject,
  type StoredEvent
} from './sentry-shapes.js'
import {
  INGEST_DETAIL,
  SentryIngest,
  type EnvelopeRecord,
  type IngestRateLimitSpec
} from './sentry-ingest.js'
import {
  DATASETS,
  EventQuery,
  ForbiddenError,
  ISSUE_KEYS,
  ISSUE_STATUS,
  issueTermMatches,
  newestFirst,
  paginate,
  ParseError,
  projectFilter,
  timeWindow,
  type PageOptions
} from './sentry-query.js'
import { parseSearch, SearchError, type SearchTerm } from './sentry-search.js'

export type {
  EnvelopeRecord as SentryEnvelopeRecord,
  IngestRateLimitSpec as SentryIngestRateLimitSpec
} from './sentry-ingest.js'
export type {
  Deploy as SentryDeploy,
  Issue as SentryIssue,
  Release as SentryRelease,
  SentryProject,
  StoredAttachment as SentryAttachment,
  StoredEvent as SentryEvent
} from './sentry-shapes.js'

/** Scopes each endpoint accepts, from the OpenAPI document's `security`. */
export const SENTRY_SCOPES = {
  releasesRead: [
    'org:ci',
    'project:admin',
    'project:read',
    'project:releases',
    'project:write'
  ],
  releasesWrite: [
    'org:ci',
    'project:admin',
    'project:releases',
    'project:write'
  ],
  projectRead: ['project:admin', 'project:read', 'project:write'],
  eventRead: ['event:admin', 'event:read', 'event:write'],
  orgRead: ['org:admin', 'org:read', 'org:write']
} as const

export const SENTRY_FULL_TOKEN_SCOPES = [
  'event:read',
  'project:read',
  'org:read',
  'project:releases'
]
export const SENTRY_ORG_TOKEN_SCOPES = ['org:ci']

export const SENTRY_DETAIL = {
  notAuthenticated: 'Authentication credentials were not provided.',
  invalidToken: 'Invalid token',
  invalidOrgToken: 'Invalid org token',
  forbidden: 'You do not have permission to perform this action.',
  notFound: 'The requested resource does not exist',
  eventNotFound: 'Event not found',
  ...INGEST_DETAIL
} as const

export interface SentryProjectSeed {
  slug: string
  /** Numeric string; generated when absent. */
  id?: string
  name?: string
  platform?: string | null
  /** 32 hex digits; generated when absent. */
  publicKey?: string
}

export interface SentryApiRateLimit {
  /** Requests per window and token. */
  limit: number
  windowSec: number
  concurrentLimit: number
}

export interface SentryOptions {
  /** Organization slug (default `shipyard`). */
  org?: string
  orgId?: string
  /** The default project's slug (default `example`). */
  project?: string
  /** Its numeric id (default `4507000000000001`). */
  projectId?: string
  platform?: string | null
  /** The default project's DSN public key (32 hex digits; generated). */
  publicKey?: string
  /** More projects of the organization, each with its own client key. */
  extraProjects?: SentryProjectSeed[]
  /** A user token `sntryu_…` with event:read, project:read, org:read, project:releases. */
  authToken?: string
  /** An organization token `sntrys_…` (org:ci only); generated at start. */
  ciToken?: string
  /** How long accepted events stay invisible to the web API (default 1000). */
  ingestionDelayMs?: number
  apiRateLimit?: Partial<SentryApiRateLimit>
}

interface TokenInfo {
  scopes: Set<string>
}

interface ApiContext extends Context {
  project?: SentryProject
}

type ApiHandler = (ctx: ApiContext) => Reply

/** Sentry's short-id alphabet (Crockford's base32). */
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

function base32(n: number): string {
  let out = ''
  let rest = n
  do {
    out = BASE32[rest % 32] + out
    rest = Math.floor(rest / 32)
  } while (rest > 0)
  return out
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex')
}

/** DRF's validation error body: `{field: [message]}`. */
function invalid(field: string, message: string): Reply {
  return json(400, { [field]: [message] })
}

function detail(status: number, message: string): Reply {
  return json(status, { detail: message })
}

const RELEASE_NAME = /^(?!\.\.?$)(?!latest$)[^\n\r\f\t\v/\\]*$/
const ENVIRONMENT_NAME = /^[^\n\r\f/]*$/

function isDateTime(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/.test(
      value
    ) &&
    Number.isFinite(Date.parse(value))
  )
}

function isUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false
  try {
    new URL(value)
    return true
  } catch {
    return false
  }
}

function isoOrNull(value: unknown): string | null {
  return typeof value === 'string' ? new Date(value).toISOString() : null
}

export class SentryStandIn extends StandIn {
  readonly org: { id: string; slug: string; name: string }
  readonly projects: SentryProject[]
  readonly authToken: string
  private ciTokenValue?: string
  private readonly tokens = new Map<string, TokenInfo>()
  private apiLimit: SentryApiRateLimit
  private readonly buckets = new Map<
    string,
    { start: number; count: number; inFlight: number }
  >()
  private lastRateHeaders: Record<string, string> = {}
  private readonly ingestion: SentryIngest
  /** Events visible in the web API, in the order they finished ingestion. */
  private visible: StoredEvent[] = []
  private issues: Issue[] = []
  private readonly issueByKey = new Map<string, Issue>()
  private readonly shortIdCounters = new Map<string, number>()
  private releases = new Map<string, Release>()
  private nextIssueId = 6_000_000_001
  private nextReleaseId = 1
  private nextDeployId = 1
  private readonly query: EventQuery

  constructor(options: SentryOptions = {}) {
    super('Sentry')
    const created = new Date().toISOString()
    this.org = {
      id: options.orgId ?? '4507000000000000',
      slug: options.org ?? 'shipyard',
      name: options.org ?? 'shipyard'
    }
    const seeds: SentryProjectSeed[] = [
      {
        slug: options.project ?? 'example',
        id: options.projectId ?? '4507000000000001',
        platform:
          options.platform === undefined ? 'python-django' : options.platform,
        publicKey: options.publicKey
      },
      ...(options.extraProjects ?? [])
    ]
    this.projects = seeds.map((seed, i) => ({
      id: seed.id ?? String(4507000000000001 + i),
      slug: seed.slug,
      name: seed.name ?? seed.slug,
      platform: seed.platform ?? null,
      publicKey: (seed.publicKey ?? hex(16)).toLowerCase(),
      secretKey: hex(16),
      keyLabel: 'Default',
      dateCreated: created
    }))
    for (const project of this.projects) this.secrets.add(project.secretKey)
    this.authToken = options.authToken ?? `sntryu_${hex(32)}`
    this.addToken(this.authToken, SENTRY_FULL_TOKEN_SCOPES)
    if (options.ciToken) this.setCiToken(options.ciToken)
    this.ingestion = new SentryIngest(
      this.projects,
      options.ingestionDelayMs ?? 1000
    )
    this.apiLimit = {
      limit: 40,
      windowSec: 1,
      concurrentLimit: 25,
      ...options.apiRateLimit
    }
    this.query = new EventQuery(this.projects, (event) => this.issueOf(event))
    this.registerIngestion()
    this.registerReleases()
    this.registerEvents()
    this.registerControl()
  }

  /** The default project (the DSN's). */
  get project(): SentryProject {
    return this.projects[0]
  }

  /** The organization token (`sntrys_…`, scope org:ci); known once started. */
  get ciToken(): string {
    if (!this.ciTokenValue) throw new Error('Sentry stand-in is not started')
    return this.ciTokenValue
  }

  /** The DSN of a project (default: the first) on this stand-in. */
  dsn(project: SentryProject = this.project): string {
    const url = new URL(this.url)
    return `${url.protocol}//${project.publicKey}@${url.host}/${project.id}`
  }

  override async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const url = await super.start(port, host)
    if (!this.ciTokenValue) {
      // The shape Sentry issues: base64 JSON {iat, url, region_url, org}, then
      // a random secret; sentry-cli reads the URL and org out of it.
      const payload = Buffer.from(
        JSON.stringify({
          iat: Date.now() / 1000,
          url,
          region_url: url,
          org: this.org.slug
        })
      ).toString('base64')
      this.setCiToken(
        `sntrys_${payload}_${randomBytes(32).toString('base64').replace(/=+$/, '')}`
      )
    }
    return url
  }

  override env(): Record<string, string> {
    return {
      SENTRY_URL: this.url,
      SENTRY_AUTH_TOKEN: this.authToken,
      SENTRY_CI_TOKEN: this.ciToken,
      SENTRY_ORG: this.org.slug,
      SENTRY_PROJECT: this.project.slug,
      SENTRY_DSN: this.dsn()
    }
  }

  /** Accepts another bearer token with these scopes (e.g. an integration's). */
  addToken(token: string, scopes: readonly string[]): void {
    this.tokens.set(token, {
      scopes: new Set(scopes)
    })
    this.secrets.add(token)
  }

  /** How long accepted events stay invisible to the web API. */
  get ingestionDelayMs(): number {
    return this.ingestion.ingestionDelayMs
  }

  setIngestionDelay(ms: number): void {
    this.ingestion.ingestionDelayMs = ms
  }

  setApiRateLimit(limit: Partial<SentryApiRateLimit>): SentryApiRateLimit {
    this.apiLimit = { ...this.apiLimit, ...limit }
    this.buckets.clear()
    this.lastRateHeaders = {}
    return this.apiLimit
  }

  /** Answers ingestion with 429 for `retryAfter` seconds (all or some categories). */
  setIngestRateLimit(spec: IngestRateLimitSpec | null): void {
    this.ingestion.setRateLimit(spec)
  }

  /** Every accepted event (pending and visible), oldest first. */
  storedEvents(): StoredEvent[] {
    return [...this.visible, ...this.ingestion.pendingEvents].sort(
      (a, b) => a.receivedAt - b.receivedAt
    )
  }

  envelopeLog(): EnvelopeRecord[] {
    return this.ingestion.envelopes
  }

  /** Forgets every event, issue, release and envelope. */
  reset(): void {
    this.ingestion.reset()
    this.visible = []
    this.issues = []
    this.issueByKey.clear()
    this.shortIdCounters.clear()
    this.releases.clear()
    this.buckets.clear()
  }

  protected errorBody(_status: number, message: string): unknown {
    return { detail: message }
  }

  /**
   * For answers the route handler does not give (faults, 404/405): the
   * headers of the last web API answer, or a full budget before any.
   */
  protected override rateLimitHeaders(ctx?: Context): Record<string, string> {
    if (!(ctx?.path ?? this.currentPath()).startsWith('/api/0/')) return {}
    if (!Object.keys(this.lastRateHeaders).length) {
      const windowMs = this.apiLimit.windowSec * 1000
      const start = Math.floor(Date.now() / windowMs) * windowMs
      return this.rateHeaders({ start, count: 0, inFlight: 0 }, windowMs)
    }
    return this.lastRateHeaders
  }

  /**
   * The framework's `rate-limit` fault answers through `error()` without the
   * request; Sentry's two 429s differ (ingestion: Relay's body and
   * `X-Sentry-Rate-Limits`; web API: the middleware's text), so the path of
   * the request being answered decides.
   */
  protected override error(
    status: number,
    message: string,
    headers?: Record<string, string>
  ): Reply {
    if (status === 429 && message === 'Rate limit exceeded') {
      const retryAfter = headers?.['retry-after'] ?? '60'
      if (/^\/api\/\d+\/(envelope|store)\/$/.test(this.currentPath())) {
        return json(
          429,
          { detail: SENTRY_DETAIL.ingestRateLimited },
          {
            ...headers,
            'X-Sentry-Rate-Limits': `${retryAfter}::organization:rate_limited`
          }
        )
      }
      return json(
        429,
        {
          detail: `You are attempting to use this endpoint too frequently. Limit is ${this.apiLimit.limit} requests in ${this.apiLimit.windowSec} seconds`
        },
        headers
      )
    }
    return super.error(status, message, headers)
  }

  private setCiToken(token: string): void {
    this.ciTokenValue = token
    this.addToken(token, SENTRY_ORG_TOKEN_SCOPES)
  }

  /** The path of the request being answered (the last one logged). */
  private currentPath(): string {
    return this.requests[this.requests.length - 1]?.path ?? ''
  }

  // ============================================================== ingestion

  private registerIngestion(): void {
    this.route('POST', '/api/:projectId/envelope/', (ctx) =>
      this.ingestion.handle(ctx, 'envelope')
    )
    this.route('POST', '/api/:projectId/store/', (ctx) =>
      this.ingestion.handle(ctx, 'store')
    )
  }

  /** Finishes ingestion of every event whose delay has passed. */
  private promote(now = Date.now()): void {
    for (const event of this.ingestion.takeReady(now)) {
      const project = this.projects.find((p) => p.id === event.projectId)
      if (!project) continue
      let isNewIssue = false
      if (event.view.type !== 'transaction') {
        const key = `${project.id}\n${event.view.grouping.join('\n')}`
        let issue = this.issueByKey.get(key)
        if (!issue) {
          const n = (this.shortIdCounters.get(project.id) ?? 0) + 1
          this.shortIdCounters.set(project.id, n)
          issue = {
            id: String(this.nextIssueId++),
            shortId: `${project.slug.toUpperCase()}-${base32(n)}`,
            projectId: project.id,
            key,
            status: 'unresolved',
            events: [],
            firstSeen: event.view.timestamp,
            lastSeen: event.view.timestamp,
            first: event.view
          }
          this.issueByKey.set(key, issue)
          this.issues.push(issue)
          isNewIssue = true
        } else if (issue.status === 'resolved') {
          // A new event on a resolved issue is a regression.
          issue.status = 'unresolved'
        }
        issue.events.push(event)
        issue.firstSeen = Math.min(issue.firstSeen, event.view.timestamp)
        issue.lastSeen = Math.max(issue.lastSeen, event.view.timestamp)
        event.groupId = issue.id
      }
      const version = event.view.release
      if (version) {
        const release =
          this.releases.get(version) ??
          this.createRelease(version, { userAgent: null })
        release.projectIds.add(project.id)
        release.firstEvent = Math.min(
          release.firstEvent ?? event.view.timestamp,
          event.view.timestamp
        )
        release.lastEvent = Math.max(
          release.lastEvent ?? event.view.timestamp,
          event.view.timestamp
        )
        if (isNewIssue)
          release.newGroups.set(
            project.id,
            (release.newGroups.get(project.id) ?? 0) + 1
          )
      }
      this.visible.push(event)
    }
  }

  private createRelease(
    version: string,
    fields: Partial<Release> & { userAgent: string | null }
  ): Release {
    const release: Release = {
      id: this.nextReleaseId++,
      version,
      projectIds: new Set(),
      ref: null,
      url: null,
      dateCreated: new Date().toISOString(),
      dateReleased: null,
      dateStarted: null,
      commitCount: 0,
      status: 'open',
      deploys: [],
      firstEvent: null,
      lastEvent: null,
      newGroups: new Map(),
      ...fields
    }
    this.releases.set(version, release)
    return release
  }

  // ============================================================== web API

  private rateHeaders(
    bucket: { start: number; count: number; inFlight: number },
    windowMs: number
  ): Record<string, string> {
    const { limit, concurrentLimit } = this.apiLimit
    return {
      'X-Sentry-Rate-Limit-Limit': String(limit),
      'X-Sentry-Rate-Limit-Remaining': String(
        Math.max(0, limit - bucket.count)
      ),
      'X-Sentry-Rate-Limit-Reset': String(
        Math.ceil((bucket.start + windowMs) / 1000)
      ),
      'X-Sentry-Rate-Limit-ConcurrentLimit': String(concurrentLimit),
      'X-Sentry-Rate-Limit-ConcurrentRemaining': String(
        Math.max(0, concurrentLimit - bucket.inFlight)
      )
    }
  }

  private bearer(ctx: Context): string | undefined {
    const header = ctx.headers['authorization']
    return typeof header === 'string' ? header : undefined
  }

  /**
   * A web API route: rate limit, authentication, organization and project
   * lookup, scope check (in Sentry's order), then the handler.
   */
  private api(
    method: string,
    pattern: string,
    scopes: readonly string[],
    handler: ApiHandler
  ): void {
    this.route(method, `/api/0${pattern}`, (ctx) => {
      this.promote()
      const header = this.bearer(ctx)
      const bucketKey = header ?? `ip:${ctx.req.socket.remoteAddress ?? ''}`
      const now = Date.now()
      const windowMs = this.apiLimit.windowSec * 1000
      const start = Math.floor(now / windowMs) * windowMs
      let bucket = this.buckets.get(bucketKey)
      if (!bucket || bucket.start !== start) {
        bucket = { start, count: 0, inFlight: 0 }
        this.buckets.set(bucketKey, bucket)
      }
      if (bucket.count >= this.apiLimit.limit) {
        this.lastRateHeaders = this.rateHeaders(bucket, windowMs)
        return json(
          429,
          {
            detail: `You are attempting to use this endpoint too frequently. Limit is ${this.apiLimit.limit} requests in ${this.apiLimit.windowSec} seconds`
          },
          this.lastRateHeaders
        )
      }
      if (bucket.inFlight >= this.apiLimit.concurrentLimit) {
        this.lastRateHeaders = this.rateHeaders(bucket, windowMs)
        return json(
          429,
          {
            detail: `You are attempting to go above the allowed concurrency for this endpoint. Concurrency limit is ${this.apiLimit.concurrentLimit}`
          },
          this.lastRateHeaders
        )
      }
      bucket.count++
      bucket.inFlight++
      const headers = this.rateHeaders(bucket, windowMs)
      this.lastRateHeaders = headers
      try {
        const reply = this.authorize(ctx, header, scopes, handler)
        return { ...reply, headers: { ...headers, ...reply.headers } }
      } finally {
        bucket.inFlight--
      }
    })
  }

  private authorize(
    ctx: Context,
    header: string | undefined,
    scopes: readonly string[],
    handler: ApiHandler
  ): Reply {
    let token: TokenInfo | undefined
    const parts = header?.trim().split(/\s+/) ?? []
    if (parts.length && parts[0]?.toLowerCase() === 'bearer') {
      if (parts.length === 1)
        return detail(401, 'Invalid token header. No credentials provided.')
      if (parts.length > 2)
        return detail(
          401,
          'Invalid token header. Token string should not contain spaces.'
        )
      token = this.tokens.get(parts[1])
      if (!token)
        return detail(
          401,
          parts[1]?.startsWith('sntrys_')
            ? SENTRY_DETAIL.invalidOrgToken
            : SENTRY_DETAIL.invalidToken
        )
    }
    const org = ctx.params['org']
    if (org !== this.org.slug && org !== this.org.id)
      return detail(404, SENTRY_DETAIL.notFound)
    const apiCtx: ApiContext = ctx
    const projectParam = ctx.params['project']
    if (projectParam !== undefined) {
      apiCtx.project = this.projects.find(
        (p) => p.slug === projectParam || p.id === projectParam
      )
      if (!apiCtx.project) return detail(404, SENTRY_DETAIL.notFound)
    }
    if (!token) return detail(401, SENTRY_DETAIL.notAuthenticated)
    if (!scopes.some((scope) => token.scopes.has(scope)))
      return detail(403, SENTRY_DETAIL.forbidden)
    try {
      return handler(apiCtx)
    } catch (error) {
      if (error instanceof ForbiddenError) return detail(403, error.message)
      if (error instanceof SearchError || error instanceof ParseError)
        return detail(400, error.message)
      throw error
    }
  }

  private paginate<T>(
    ctx: Context,
    rows: T[],
    options?: PageOptions
  ): { page: T[]; headers: Record<string, string> } {
    return paginate(this.url, ctx.path, ctx.query, rows, options)
  }

  private projectFilter(ctx: Context): Set<string> {
    return projectFilter(ctx.query, this.projects, SENTRY_DETAIL.forbidden)
  }

  private issueOf(event: StoredEvent): Issue | undefined {
    return event.groupId
      ? this.issues.find((i) => i.id === event.groupId)
      : undefined
  }

  private filteredEvents(
    ctx: Context,
    projects: Set<string>,
    options: { types?: Array<StoredEvent['view']['type']> } = {}
  ): StoredEvent[] {
    const environments = ctx.query.getAll('environment').filter(Boolean)
    const window = timeWindow(ctx.query, Date.now())
    return this.visible.filter(
      (e) =>
        projects.has(e.projectId) &&
        (!options.types || options.types.includes(e.view.type)) &&
        (!environments.length ||
          environments.includes(e.view.environment ?? '')) &&
        e.view.timestamp >= window.from &&
        e.view.timestamp <= window.to
    )
  }

  private full(ctx: Context): boolean {
    const value = (ctx.query.get('full') ?? '').toLowerCase()
    return value === '1' || value === 'true'
  }

  private eventDetail(event: StoredEvent): Json {
    const issue = this.issueOf(event)
    const siblings = issue
      ? [...issue.events].sort((a, b) => a.view.timestamp - b.view.timestamp)
      : []
    const index = siblings.indexOf(event)
    return eventShape(event, {
      release: event.view.release
        ? this.releases.get(event.view.release)
        : undefined,
      previous: index > 0 ? (siblings[index - 1]?.eventId ?? null) : null,
      next:
        index >= 0 && index < siblings.length - 1
          ? (siblings[index + 1]?.eventId ?? null)
          : null
    })
  }

  /** A list item: the short event, or with `full` the whole event too. */
  private listedEvent(event: StoredEvent, full: boolean): Json {
    const short = simpleEventShape(event)
    return full ? { ...short, ...this.eventDetail(event) } : short
  }

  // ---------------------------------------------------------- releases

  private registerReleases(): void {
    const base = '/organizations/:org/releases/'
    this.api('GET', base, SENTRY_SCOPES.releasesRead, (ctx) => {
      const projects = this.projectFilter(ctx)
      const explicit = ctx.query.getAll('project').length > 0
      const query = ctx.query.get('query') ?? ''
      const environments = ctx.query.getAll('environment').filter(Boolean)
      const rows = [...this.releases.values()]
        .filter(
          (r) => !explicit || [...r.projectIds].some((id) => projects.has(id))
        )
        .filter((r) => !query || r.version.startsWith(query))
        .filter(
          (r) =>
            !environments.length ||
            r.deploys.some((d) => environments.includes(d.environment)) ||
            this.visible.some(
              (e) =>
                e.view.release === r.version &&
                environments.includes(e.view.environment ?? '')
            )
        )
        .sort(
          (a, b) => b.dateCreated.localeCompare(a.dateCreated) || b.id - a.id
        )
      const { page, headers } = this.paginate(ctx, rows)
      return json(
        200,
        page.map((r) => releaseShape(r, this.projects)),
        headers
      )
    })

    this.api('POST', base, SENTRY_SCOPES.releasesWrite, (ctx) => {
      const body = asObject(ctx.body)
      if (!body) return detail(400, 'Invalid data. Expected a dictionary.')
      const version = body['version']
      if (version === undefined)
        return invalid('version', 'This field is required.')
      if (typeof version !== 'string' || version === '')
        return invalid('version', 'This field may not be blank.')
      if (version.length > 200)
        return invalid(
          'version',
          'Ensure this field has no more than 200 characters.'
        )
      if (!RELEASE_NAME.test(version) || version.trim() === '')
        return invalid('version', `Release with name ${version} is not allowed`)
      const requested = body['projects']
      if (requested === undefined)
        return invalid('projects', 'This field is required.')
      if (!Array.isArray(requested))
        return invalid(
          'projects',
          'Expected a list of items but got type "str".'
        )
      if (!requested.length)
        return invalid('projects', 'This list may not be empty.')
      const projects: SentryProject[] = []
      for (const idOrSlug of requested) {
        const project = this.projects.find(
          (p) => p.slug === idOrSlug || p.id === String(idOrSlug)
        )
        if (!project) return invalid('projects', 'Invalid project ids or slugs')
        projects.push(project)
      }
      const fieldError = this.releaseFieldError(body)
      if (fieldError) return fieldError
      let release = this.releases.get(version)
      const created = !release
      if (!release) {
        release = this.createRelease(version, {
          ref: asString(body['ref']) ?? null,
          url: asString(body['url']) ?? null,
          dateReleased: isoOrNull(body['dateReleased']),
          userAgent: this.userAgent(ctx)
        })
      }
      let addedProject = false
      for (const project of projects) {
        if (!release.projectIds.has(project.id)) {
          release.projectIds.add(project.id)
          addedProject = true
        }
      }
      this.applyCommits(release, body)
      return json(
        !created && !addedProject ? 208 : 201,
        releaseShape(release, this.projects)
      )
    })

    const one = `${base}:version/`
    this.api('GET', one, SENTRY_SCOPES.releasesRead, (ctx) => {
      const release = this.releases.get(ctx.params['version'] ?? '')
      if (!release) return detail(404, SENTRY_DETAIL.notFound)
      return json(200, releaseShape(release, this.projects))
    })

    this.api('PUT', one, SENTRY_SCOPES.releasesWrite, (ctx) => {
      const release = this.releases.get(ctx.params['version'] ?? '')
      if (!release) return detail(404, SENTRY_DETAIL.notFound)
      const body = asObject(ctx.body) ?? {}
      const fieldError = this.releaseFieldError(body)
      if (fieldError) return fieldError
      if ('ref' in body) release.ref = asString(body['ref']) ?? null
      if ('url' in body) release.url = asString(body['url']) ?? null
      if ('dateReleased' in body)
        release.dateReleased = isoOrNull(body['dateReleased'])
      if (typeof body['status'] === 'string') release.status = body['status']
      this.applyCommits(release, body)
      return json(200, releaseShape(release, this.projects))
    })

    const deploys = `${one}deploys/`
    this.api('GET', deploys, SENTRY_SCOPES.releasesRead, (ctx) => {
      const release = this.releases.get(ctx.params['version'] ?? '')
      if (!release) return detail(404, SENTRY_DETAIL.notFound)
      const rows = [...release.deploys].reverse()
      const { page, headers } = this.paginate(ctx, rows)
      return json(200, page.map(deployShape), headers)
    })

    this.api('POST', deploys, SENTRY_SCOPES.releasesWrite, (ctx) => {
      const release = this.releases.get(ctx.params['version'] ?? '')
      if (!release) return detail(404, SENTRY_DETAIL.notFound)
      const body = asObject(ctx.body) ?? {}
      const environment = body['environment']
      if (environment === undefined)
        return invalid('environment', 'This field is required.')
      if (typeof environment !== 'string' || environment === '')
        return invalid('environment', 'This field may not be blank.')
      if (environment.length > 64)
        return invalid(
          'environment',
          'Ensure this field has no more than 64 characters.'
        )
      if (!ENVIRONMENT_NAME.test(environment))
        return invalid('environment', 'Invalid value for environment')
      for (const field of ['name', 'url'] as const) {
        const value = body[field]
        if (value !== undefined && value !== null && typeof value !== 'string')
          return invalid(field, 'Not a valid string.')
      }
      if (typeof body['name'] === 'string' && body['name'].length > 64)
        return invalid(
          'name',
          'Ensure this field has no more than 64 characters.'
        )
      if (
        body['url'] !== undefined &&
        body['url'] !== null &&
        !isUrl(body['url'])
      )
        return invalid('url', 'Enter a valid URL.')
      for (const field of ['dateStarted', 'dateFinished'] as const) {
        const value = body[field]
        if (value !== undefined && value !== null && !isDateTime(value))
          return invalid(
            field,
            'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].'
          )
      }
      const projectSlugs = Array.isArray(body['projects'])
        ? body['projects'].map(String)
        : []
      for (const slug of projectSlugs) {
        if (!this.projects.some((p) => p.slug === slug))
          return invalid('projects', `Invalid projects: ${slug}`)
      }
      const deploy: Deploy = {
        id: String(this.nextDeployId++),
        environment,
        name: asString(body['name']) ?? null,
        url: asString(body['url']) ?? null,
        dateStarted: isoOrNull(body['dateStarted']),
        dateFinished:
          isoOrNull(body['dateFinished']) ?? new Date().toISOString(),
        projects: projectSlugs
      }
      release.deploys.push(deploy)
      return json(201, deployShape(deploy))
    })
  }

  private userAgent(ctx: Context): string | null {
    const value = ctx.headers['user-agent']
    return typeof value === 'string' ? value.slice(0, 256) : null
  }

  /** DRF's checks of the optional release fields (create and update). */
  private releaseFieldError(body: Json): Reply | undefined {
    const ref = body['ref']
    if (ref !== undefined && ref !== null) {
      if (typeof ref !== 'string') return invalid('ref', 'Not a valid string.')
      if (ref.length > 200)
        return invalid(
          'ref',
          'Ensure this field has no more than 200 characters.'
        )
    }
    const url = body['url']
    if (url !== undefined && url !== null && !isUrl(url))
      return invalid('url', 'Enter a valid URL.')
    const released = body['dateReleased']
    if (released !== undefined && released !== null && !isDateTime(released))
      return invalid(
        'dateReleased',
        'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].'
      )
    for (const field of ['commits', 'refs'] as const) {
      const value = body[field]
      if (value !== undefined && value !== null && !Array.isArray(value))
        return invalid(field, 'Expected a list of items but got type "dict".')
    }
    return undefined
  }

  private applyCommits(release: Release, body: Json): void {
    const commits = body['commits']
    if (Array.isArray(commits) && commits.length)
      release.commitCount = commits.length
  }

  // ---------------------------------------------------------- events

  private registerEvents(): void {
    this.api(
      'GET',
      '/projects/:org/:project/events/:eventId/',
      SENTRY_SCOPES.projectRead,
      (ctx) => {
        const project = ctx.project as SentryProject
        const eventId = normalizeEventId(ctx.params['eventId'])
        const event = eventId
          ? this.ingestion.find(project.id, eventId)
          : undefined
        if (!event || !this.visible.includes(event))
          return detail(404, SENTRY_DETAIL.eventNotFound)
        const environments = ctx.query.getAll('environment').filter(Boolean)
        if (
          environments.length &&
          !environments.includes(event.view.environment ?? '')
        )
          return detail(404, SENTRY_DETAIL.eventNotFound)
        return json(200, this.eventDetail(event))
      }
    )

    this.api(
      'GET',
      '/projects/:org/:project/events/',
      SENTRY_SCOPES.projectRead,
      (ctx) => {
        const project = ctx.project as SentryProject
        const query = (ctx.query.get('query') ?? '').toLowerCase()
        const events = newestFirst(
          this.filteredEvents(ctx, new Set([project.id]), {
            types: ['error', 'default']
          }).filter(
            (e) =>
              !query ||
              e.view.message.toLowerCase().includes(query) ||
              e.view.title.toLowerCase().includes(query)
          )
        )
        const { page, headers } = this.paginate(ctx, events)
        const full = this.full(ctx)
        return json(
          200,
          page.map((e) => this.listedEvent(e, full)),
          headers
        )
      }
    )

    this.api(
      'GET',
      '/organizations/:org/eventids/:eventId/',
      SENTRY_SCOPES.orgRead,
      (ctx) => {
        const raw = ctx.params['eventId'] ?? ''
        const eventId = normalizeEventId(raw)
        // Sentry's URL pattern only matches 32 hex digits (dashes allowed).
        if (!eventId) return detail(404, SENTRY_DETAIL.notFound)
        // Sentry looks the id up in the errors dataset: no transactions.
        const event = this.visible.find(
          (e) => e.eventId === eventId && e.view.type !== 'transaction'
        )
        if (!event) return detail(404, SENTRY_DETAIL.notFound)
        const project = this.projects.find((p) => p.id === event.projectId)
        return json(200, {
          organizationSlug: this.org.slug,
          projectSlug: project?.slug ?? '',
          groupId: event.groupId,
          eventId: event.eventId,
          event: this.eventDetail(event)
        })
      }
    )

    this.api(
      'GET',
      '/organizations/:org/issues/',
      SENTRY_SCOPES.eventRead,
      (ctx) => this.listIssues(ctx)
    )

    this.api(
      'GET',
      '/organizations/:org/issues/:issueId/events/',
      SENTRY_SCOPES.eventRead,
      (ctx) => {
        const id = ctx.params['issueId'] ?? ''
        const issue = this.issues.find(
          (i) => i.id === id || i.shortId === id.toUpperCase()
        )
        if (!issue) return detail(404, SENTRY_DETAIL.notFound)
        const terms = parseSearch(ctx.query.get('query') ?? '')
        const now = Date.now()
        const environments = ctx.query.getAll('environment').filter(Boolean)
        const window = timeWindow(ctx.query, Date.now())
        const events = newestFirst(
          issue.events.filter(
            (e) =>
              (!environments.length ||
                environments.includes(e.view.environment ?? '')) &&
              e.view.timestamp >= window.from &&
              e.view.timestamp <= window.to &&
              terms.every((t) => this.query.matches(t, e, now))
          )
        )
        const { page, headers } = this.paginate(ctx, events)
        const full = this.full(ctx)
        return json(
          200,
          page.map((e) => this.listedEvent(e, full)),
          headers
        )
      }
    )

    this.api(
      'GET',
      '/organizations/:org/events/',
      SENTRY_SCOPES.orgRead,
      (ctx) => this.discover(ctx)
    )

    this.api(
      'GET',
      '/projects/:org/:project/keys/',
      SENTRY_SCOPES.projectRead,
      (ctx) => {
        const project = ctx.project as SentryProject
        const status = ctx.query.get('status')
        const keys = status === 'inactive' ? [] : [project]
        const { page, headers } = this.paginate(ctx, keys)
        return json(
          200,
          page.map((p) => projectKeyShape(p, this.url)),
          headers
        )
      }
    )
  }

  private listIssues(ctx: Context): Reply {
    const projects = this.projectFilter(ctx)
    const rawQuery = ctx.query.get('query')
    const terms = parseSearch(rawQuery ?? 'is:unresolved')
    const now = Date.now()
    const environments = ctx.query.getAll('environment').filter(Boolean)
    const window = timeWindow(ctx.query, Date.now())
    const issueTerms: SearchTerm[] = []
    const eventTerms: SearchTerm[] = []
    for (const term of terms)
      (ISSUE_KEYS.has(term.key ?? '') ? issueTerms : eventTerms).push(term)
    const byEvents = eventTerms.length > 0 || environments.length > 0
    const rows: Array<{ issue: Issue; matching?: StoredEvent[] }> = []
    for (const issue of this.issues) {
      if (!projects.has(issue.projectId)) continue
      if (!issueTerms.every((t) => issueTermMatches(t, issue, now))) continue
      const inWindow = issue.events.filter(
        (e) => e.view.timestamp >= window.from && e.view.timestamp <= window.to
      )
      if (!inWindow.length) continue
      if (!byEvents) {
        rows.push({ issue })
        continue
      }
      const matching = inWindow.filter(
        (e) =>
          (!environments.length ||
            environments.includes(e.view.environment ?? '')) &&
          eventTerms.every((t) => this.query.matches(t, e, now))
      )
      if (matching.length) rows.push({ issue, matching })
    }
    const sort = ctx.query.get('sort') ?? 'date'
    const key = (row: { issue: Issue }): number =>
      sort === 'new'
        ? row.issue.firstSeen
        : sort === 'freq'
          ? row.issue.events.length
          : row.issue.lastSeen
    rows.sort(
      (a, b) => key(b) - key(a) || Number(b.issue.id) - Number(a.issue.id)
    )
    const { page, headers } = this.paginate(ctx, rows, { param: 'limit' })
    return json(
      200,
      page.map((row) =>
        issueShape(row.issue, {
          project: this.projects.find(
            (p) => p.id === row.issue.projectId
          ) as SentryProject,
          baseUrl: this.url,
          org: this.org.slug,
          now,
          matching: row.matching
        })
      ),
      headers
    )
  }

  // ---------------------------------------------------------- discover

  private discover(ctx: Context): Reply {
    const fields = ctx.query.getAll('field').filter((f) => f !== '')
    const dataset = ctx.query.get('dataset')
    if (!dataset || !DATASETS.includes(dataset))
      return detail(400, `dataset must be one of: ${DATASETS.join(', ')}`)
    if (!fields.length) return detail(400, 'No columns selected')
    const projects = this.projectFilter(ctx)
    const terms = parseSearch(ctx.query.get('query') ?? '')
    // Only the errors dataset holds anything here (errors and default events).
    const events =
      dataset === 'errors'
        ? this.filteredEvents(ctx, projects, { types: ['error', 'default'] })
        : []
    const { rows, meta } = this.query.table(
      events,
      fields,
      terms,
      ctx.query.get('sort'),
      Date.now()
    )
    const { page, headers } = this.paginate(ctx, rows, { defaultPerPage: 50 })
    return json(
      200,
      {
        data: page,
        meta: {
          ...meta,
          isMetricsData: false,
          isMetricsExtractedData: false,
          tips: {},
          datasetReason: 'unchanged',
          dataset
        }
      },
      headers
    )
  }

  // ============================================================== control

  private registerControl(): void {
    const base = '/__control/sentry'
    this.control('GET', `${base}/config`, () =>
      json(200, {
        org: this.org,
        ingestionDelayMs: this.ingestionDelayMs,
        apiRateLimit: this.apiLimit,
        projects: this.projects.map((p) => ({
          id: p.id,
          slug: p.slug,
          platform: p.platform,
          publicKey: p.publicKey,
          dsn: this.dsn(p)
        }))
      })
    )
    this.control('GET', `${base}/events`, () => {
      const now = Date.now()
      return json(
        200,
        this.storedEvents().map((e) => ({
          eventId: e.eventId,
          projectId: e.projectId,
          type: e.itemType,
          receivedAt: iso(e.receivedAt),
          visibleAt: iso(e.visibleAt),
          visible: e.visibleAt <= now,
          auth: e.auth,
          contentEncoding: e.contentEncoding,
          client: e.client,
          size: e.size,
          groupId: e.groupId,
          envelopeHeaders: e.envelopeHeaders,
          attachments: e.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            attachmentType: a.attachmentType,
            size: a.size,
            dataBase64: a.data.toString('base64')
          })),
          payload: e.payload
        }))
      )
    })
    this.control('DELETE', `${base}/events`, () => {
      const releases = this.releases
      this.reset()
      this.releases = releases
      return json(204)
    })
    this.control('POST', `${base}/reset`, () => {
      this.reset()
      return json(204)
    })
    this.control('GET', `${base}/envelopes`, () =>
      json(200, this.ingestion.envelopes)
    )
    this.control('GET', `${base}/stats`, () =>
      json(200, {
        itemCounts: this.ingestion.itemCounts,
        skippedItems: this.ingestion.skippedItems,
        pendingEvents: this.ingestion.pendingEvents.length,
        visibleEvents: this.visible.length,
        issues: this.issues.length,
        releases: this.releases.size
      })
    )
    this.control('POST', `${base}/ingestion-delay`, (ctx) => {
      const ms = asObject(ctx.body)?.['ms']
      if (typeof ms !== 'number' || ms < 0)
        return json(400, { message: 'ms must be a number >= 0' })
      this.setIngestionDelay(ms)
      return json(200, { ms })
    })
    this.control('POST', `${base}/ingest-rate-limit`, (ctx) => {
      const body = (asObject(ctx.body) ?? {}) as IngestRateLimitSpec
      this.setIngestRateLimit(body)
      return json(201, this.ingestion.ingestLimit)
    })
    this.control('DELETE', `${base}/ingest-rate-limit`, () => {
      this.setIngestRateLimit(null)
      return json(204)
    })
    this.control('POST', `${base}/api-rate-limit`, (ctx) => {
      const body = asObject(ctx.body) ?? {}
      const spec: Partial<SentryApiRateLimit> = {}
      for (const key of ['limit', 'windowSec', 'concurrentLimit'] as const) {
        const value = body[key]
        if (value === undefined) continue
        if (typeof value !== 'number' || value < 1)
          return json(400, { message: `${key} must be a number >= 1` })
        spec[key] = value
      }
      return json(200, this.setApiRateLimit(spec))
    })
    this.control('PUT', `${base}/issues/:id`, (ctx) => {
      this.promote()
      const issue = this.issues.find(
        (i) => i.id === ctx.params['id'] || i.shortId === ctx.params['id']
      )
      if (!issue) return json(404, { message: 'no such issue' })
      const status = ISSUE_STATUS[String(asObject(ctx.body)?.['status'])]
      if (!status)
        return json(400, {
          message: 'status must be unresolved, resolved or ignored'
        })
      issue.status = status
      return json(200, { id: issue.id, shortId: issue.shortId, status })
    })
    this.control('POST', `${base}/tokens`, (ctx) => {
      const body = asObject(ctx.body) ?? {}
      const scopes = Array.isArray(body['scopes'])
        ? body['scopes'].map(String)
        : []
      const token = asString(body['token']) ?? `sntryu_${hex(32)}`
      this.addToken(token, scopes)
      return json(201, { token, scopes })
    })
  }
}
