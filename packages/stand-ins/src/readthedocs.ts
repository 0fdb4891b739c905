/**
 * Read the Docs: API v3 (projects, versions, builds) and the generic incoming
 * webhook of API v2.
 *
 * Contract followed (readthedocs.org, `docs/user/api/v3.rst`,
 * `readthedocs/api/v3/serializers.py`, `readthedocs/api/v2/views/integrations.py`):
 *
 * - `Authorization: Token <token>` (DRF TokenAuthentication). A wrong token is
 *   401 `{"detail":"Invalid token."}`; no token is anonymous: public reads are
 *   allowed, writes are 401 `{"detail":"Authentication credentials were not
 *   provided."}`; a user who is not a maintainer of the project gets 403.
 * - Throttling after auth and permissions: 60/min per user, 5/min anonymous;
 *   429 `{"detail":"Request was throttled. Expected available in N seconds."}`
 *   with `Retry-After`.
 * - `POST /projects/{slug}/versions/{version}/builds/` (no body) answers 202
 *   `{build, project, version, triggered: true}`; the build then moves
 *   asynchronously through triggered → cloning → installing → building →
 *   uploading → finished (or cancelled). `success` is null until the build is
 *   final; `error` is always ""; `finished`/`duration` are null until then.
 * - Lists are LimitOffset-paginated (`count, next, previous, results`, default
 *   limit 10), builds newest first, filterable by `commit` and `running`.
 * - Generic webhook `POST /api/v2/webhook/{slug}/{integrationId}/` with
 *   `token` and `branches` (JSON or form): 200 `{build_triggered, project,
 *   versions}`, no build id; a wrong token is 404 `{"detail":"Project not
 *   found"}`.
 *
 * Where the published contract is unsure, both readings are reachable:
 * `commands[]` and `urls.documentation` on a build are served by default (as
 * the brief and SERVICES.md describe) but merged API v3 does not have them —
 * `new ReadTheDocsStandIn({ commands: false })` answers without them. The
 * `X-RateLimit-*` headers are not documented by Read the Docs (DRF sends only
 * `Retry-After`); `rateLimitHeaders: false` leaves them out.
 */
import { randomBytes } from 'node:crypto'
import {
  json,
  StandIn,
  type Context,
  type Handler,
  type Reply
} from './server.js'

export const BUILD_STATES = [
  'triggered',
  'cloning',
  'installing',
  'building',
  'uploading',
  'finished',
  'cancelled'
] as const
export type BuildState = (typeof BUILD_STATES)[number]

/** The states a build passes through, in order, when nothing stops it. */
const STEPS: readonly BuildState[] = [
  'triggered',
  'cloning',
  'installing',
  'building',
  'uploading',
  'finished'
]
const FINAL_STATES: readonly BuildState[] = ['finished', 'cancelled']

export interface RtdCommand {
  id: number
  command: string
  description: string
  output: string
  exit_code: number
  start_time: string
  end_time: string
  run_time: number
}

export interface RtdVersionSeed {
  slug: string
  /** The branch or tag the version builds. */
  identifier: string
  type?: 'branch' | 'tag'
  active?: boolean
  /** The commit its builds report (default: a random SHA). */
  commit?: string
}

export interface RtdProjectSeed {
  slug: string
  name?: string
  defaultBranch?: string
  /** Default: `latest` (the default branch) and `stable` (tag `v0.1.0`). */
  versions?: RtdVersionSeed[]
  privacy?: 'public' | 'private'
  /** Every build of the project fails at the Sphinx step. */
  fail?: boolean
  /** Usernames of the project's maintainers (default: the stand-in's user). */
  users?: string[]
  repository?: string
  /** The generic webhook integration (default: a random id and token). */
  webhook?: { id: number; token: string }
}

export interface ReadTheDocsOptions {
  /** The API token accepted (default: random). */
  token?: string
  username?: string
  /** Default: `shipyard-example`. */
  projects?: RtdProjectSeed[]
  /** Time spent in each build state, in ms (default 200). */
  stepDelayMs?: number
  /** Authenticated requests per minute and user (default 60). */
  rateLimit?: number
  /** Anonymous requests per minute (default 5). */
  anonRateLimit?: number
  /** Builds carry `commands[]` and `urls.documentation` (default true). */
  commands?: boolean
  /** Answers carry `X-RateLimit-Limit/-Remaining/-Reset` (default true). */
  rateLimitHeaders?: boolean
}

interface Version {
  id: number
  slug: string
  verboseName: string
  identifier: string
  type: 'branch' | 'tag'
  active: boolean
  machine: boolean
  commit: string
}

interface Project {
  id: number
  slug: string
  name: string
  defaultBranch: string
  versions: Version[]
  privacy: 'public' | 'private'
  fail: boolean
  failNext: number
  users: string[]
  repository: string
  webhook: { id: number; token: string }
  created: string
}

interface Build {
  id: number
  project: Project
  version: Version
  created: Date
  state: BuildState
  success: boolean | null
  /** Seconds; null until the build is final. */
  length: number | null
  commit: string | null
  commands: RtdCommand[]
  fails: boolean
  timer?: NodeJS.Timeout
}

/** Who is calling: a user, or nobody (anonymous). */
interface Caller {
  user?: string
  key: string
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex')
const title = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/** DRF's SimpleRateThrottle: a sliding window of request times per key. */
class Throttle {
  private readonly history = new Map<string, number[]>()
  constructor(readonly rate: number) {}

  /** Records a request; `wait` (seconds) is set when it is refused. */
  hit(key: string): { allowed: boolean; wait: number; remaining: number } {
    const now = Date.now()
    const times = (this.history.get(key) ?? []).filter((t) => t > now - 60000)
    this.history.set(key, times)
    if (times.length >= this.rate) {
      const oldest = times[0] ?? now
      const available = this.rate - times.length + 1
      const remainingMs = 60000 - (now - oldest)
      const wait = available > 0 ? remainingMs / available : remainingMs
      return {
        allowed: false,
        wait: Math.max(1, Math.ceil(wait / 1000)),
        remaining: 0
      }
    }
    times.push(now)
    return { allowed: true, wait: 0, remaining: this.rate - times.length }
  }

  /** Epoch seconds when the oldest request of `key` leaves the window. */
  reset(key: string): number {
    const oldest = this.history.get(key)?.[0] ?? Date.now()
    return Math.ceil((oldest + 60000) / 1000)
  }
}

export class ReadTheDocsStandIn extends StandIn {
  readonly token: string
  readonly username: string
  stepDelayMs: number
  private readonly withCommands: boolean
  private readonly withRateHeaders: boolean
  private readonly projects = new Map<string, Project>()
  private readonly builds = new Map<number, Build>()
  private readonly tokens = new Map<string, string>()
  private readonly userThrottle: Throttle
  private readonly anonThrottle: Throttle
  private failNext = 0
  private nextProjectId = 1
  private nextVersionId = 1
  private nextBuildId = 1
  private nextCommandId = 1

  constructor(options: ReadTheDocsOptions = {}) {
    super('Read the Docs')
    this.token = options.token ?? hex(20)
    this.username = options.username ?? 'shipyard'
    this.stepDelayMs = options.stepDelayMs ?? 200
    this.withCommands = options.commands ?? true
    this.withRateHeaders = options.rateLimitHeaders ?? true
    this.userThrottle = new Throttle(options.rateLimit ?? 60)
    this.anonThrottle = new Throttle(options.anonRateLimit ?? 5)
    this.addToken(this.token, this.username)
    for (const seed of options.projects ?? [{ slug: 'shipyard-example' }])
      this.createProject(seed)

    const v3 = '/api/v3/projects'
    this.get(`${v3}/`, (ctx) => this.listProjects(ctx))
    this.get(`${v3}/:slug/`, (ctx) => this.projectDetail(ctx))
    this.get(`${v3}/:slug/versions/`, (ctx) => this.listVersions(ctx))
    this.get(`${v3}/:slug/versions/:version/`, (ctx) => this.versionDetail(ctx))
    this.get(`${v3}/:slug/versions/:version/builds/`, (ctx) =>
      this.listBuilds(ctx, ctx.params['version'])
    )
    this.route('POST', `${v3}/:slug/versions/:version/builds/`, (ctx) =>
      this.triggerBuild(ctx)
    )
    this.get(`${v3}/:slug/builds/`, (ctx) => this.listBuilds(ctx))
    this.get(`${v3}/:slug/builds/:id/`, (ctx) => this.buildDetail(ctx))
    this.route('POST', '/api/v2/webhook/:slug/:integration/', (ctx) =>
      this.webhook(ctx)
    )

    this.control('POST', '/__control/rtd/fail-next', (ctx) => {
      const body = record(ctx.body)
      const count = typeof body['count'] === 'number' ? body['count'] : 1
      const slug = body['project']
      if (typeof slug === 'string') {
        const project = this.projects.get(slug)
        if (!project) return json(404, { detail: 'Not found.' })
        project.failNext += count
      } else this.failNext += count
      return json(204)
    })
    this.control('POST', '/__control/rtd/projects', (ctx) => {
      const seed = record(ctx.body)
      if (typeof seed['slug'] !== 'string')
        return json(400, { detail: 'slug is required' })
      const project = this.createProject(seed as unknown as RtdProjectSeed)
      return json(201, this.serializeProject(project))
    })
    this.control('PATCH', '/__control/rtd/projects/:slug', (ctx) => {
      const project = this.projects.get(ctx.params['slug'] ?? '')
      if (!project) return json(404, { detail: 'Not found.' })
      const body = record(ctx.body)
      if (typeof body['fail'] === 'boolean') project.fail = body['fail']
      return json(200, this.serializeProject(project))
    })
    this.control('GET', '/__control/rtd/webhooks', () =>
      json(
        200,
        [...this.projects.values()].map((p) => ({
          project: p.slug,
          url: this.webhookUrl(p.slug),
          token: p.webhook.token
        }))
      )
    )
    this.control('POST', '/__control/rtd/builds/:id/cancel', (ctx) => {
      const build = this.cancelBuild(Number(ctx.params['id']))
      return build
        ? json(200, this.serializeBuild(build))
        : json(404, { detail: 'Not found.' })
    })
    this.control('PUT', '/__control/rtd/step-delay', (ctx) => {
      const ms = record(ctx.body)['ms']
      if (typeof ms !== 'number' || ms < 0)
        return json(400, { detail: 'ms must be a number >= 0' })
      this.stepDelayMs = ms
      return json(204)
    })
  }

  /** Adds (or replaces) a project; its webhook token becomes a secret. */
  addProject(seed: RtdProjectSeed): void {
    this.createProject(seed)
  }

  private createProject(seed: RtdProjectSeed): Project {
    const defaultBranch = seed.defaultBranch ?? 'main'
    const versions = (
      seed.versions ?? [
        { slug: 'latest', identifier: defaultBranch, type: 'branch' },
        { slug: 'stable', identifier: 'v0.1.0', type: 'tag' }
      ]
    ).map((v): Version => ({
      id: this.nextVersionId++,
      slug: v.slug,
      verboseName: v.slug,
      identifier: v.identifier,
      type: v.type ?? 'branch',
      active: v.active ?? true,
      machine: v.slug === 'latest' || v.slug === 'stable',
      commit: v.commit ?? hex(20)
    }))
    const webhook = seed.webhook ?? {
      id: 100000 + this.nextProjectId,
      token: hex(16)
    }
    this.secrets.add(webhook.token)
    const project: Project = {
      id: this.nextProjectId++,
      slug: seed.slug,
      name: seed.name ?? seed.slug,
      defaultBranch,
      versions,
      privacy: seed.privacy ?? 'public',
      fail: seed.fail ?? false,
      failNext: 0,
      users: seed.users ?? [this.username],
      repository: seed.repository ?? `https://github.com/shipyard/${seed.slug}`,
      webhook,
      created: new Date().toISOString()
    }
    this.projects.set(project.slug, project)
    return project
  }

  /** Accepts another API token, for `user`. */
  addToken(token: string, user: string): void {
    this.tokens.set(token, user)
    this.secrets.add(token)
  }

  /** The next `count` builds (of `project`, or of any project) fail. */
  failNextBuilds(count = 1, project?: string): void {
    const target = project ? this.projects.get(project) : undefined
    if (target) target.failNext += count
    else this.failNext += count
  }

  /** Cancels a build that is not final yet (as the dashboard's button does). */
  cancelBuild(id: number): Build | undefined {
    const build = this.builds.get(id)
    if (!build) return undefined
    if (!FINAL_STATES.includes(build.state)) {
      clearTimeout(build.timer)
      build.state = 'cancelled'
      build.success = false
      build.length = this.elapsed(build)
    }
    return build
  }

  /** The public shape of a build, as `GET …/builds/{id}/` answers it. */
  buildSnapshot(id: number): Record<string, unknown> | undefined {
    const build = this.builds.get(id)
    return build ? this.serializeBuild(build) : undefined
  }

  webhookUrl(project = 'shipyard-example'): string {
    const p = this.projects.get(project)
    if (!p) throw new Error(`no Read the Docs project ${project}`)
    return `${this.url}/api/v2/webhook/${p.slug}/${p.webhook.id}/`
  }

  override env(): Record<string, string> {
    const first = [...this.projects.values()][0]
    const env: Record<string, string> = {
      RTD_API_URL: `${this.url}/api/v3/`,
      RTD_TOKEN: this.token
    }
    if (first) {
      env['RTD_PROJECT'] = first.slug
      env['RTD_WEBHOOK_URL'] = this.webhookUrl(first.slug)
      env['RTD_WEBHOOK_TOKEN'] = first.webhook.token
    }
    return env
  }

  protected errorBody(status: number, message: string): unknown {
    if (status === 404 && message === 'Not found')
      return { detail: 'Not found.' }
    if (status === 429 && message === 'Rate limit exceeded')
      return { detail: 'Request was throttled.' }
    return { detail: message }
  }

  protected override cleanup(): Promise<void> {
    for (const build of this.builds.values()) clearTimeout(build.timer)
    return Promise.resolve()
  }

  // ------------------------------------------------------------- plumbing

  /** A GET route; the path without its trailing slash redirects (Django's APPEND_SLASH). */
  private get(pattern: string, handler: Handler): void {
    this.route('GET', pattern, handler)
    this.route('GET', pattern.replace(/\/$/, ''), (ctx) => ({
      status: 301,
      raw: '',
      headers: { location: `${ctx.path}/${ctx.url.search}` }
    }))
  }

  /** DRF's TokenAuthentication: a user, anonymous, or a 401 answer. */
  private authenticate(ctx: Context): Caller | Reply {
    const parts = String(ctx.headers['authorization'] ?? '')
      .split(/\s+/)
      .filter(Boolean)
    if (parts[0]?.toLowerCase() !== 'token')
      return { key: `anon:${ctx.req.socket.remoteAddress ?? ''}` }
    if (parts.length === 1)
      return unauthorized('Invalid token header. No credentials provided.')
    if (parts.length > 2)
      return unauthorized(
        'Invalid token header. Token string should not contain spaces.'
      )
    const user = this.tokens.get(parts[1] ?? '')
    if (!user) return unauthorized('Invalid token.')
    return { user, key: `user:${user}` }
  }

  /**
   * Authentication, then permission on `project` (`null`: the route needs a
   * user but no project), then throttling: DRF's order. Answers the refusal,
   * or the caller and the rate-limit headers.
   */
  private guard(
    ctx: Context,
    project: Project | undefined | null,
    write: boolean
  ): { caller: Caller; headers: Record<string, string> } | Reply {
    const caller = this.authenticate(ctx)
    if ('status' in caller) return caller
    if (project === undefined) return json(404, { detail: 'Not found.' })
    const member =
      caller.user !== undefined &&
      !!project &&
      project.users.includes(caller.user)
    if (project?.privacy === 'private' && !member)
      return json(404, { detail: 'Not found.' })
    if ((write || !project) && !caller.user)
      return unauthorized('Authentication credentials were not provided.')
    if (write && !member)
      return json(403, {
        detail: 'You do not have permission to perform this action.'
      })
    const throttle = caller.user ? this.userThrottle : this.anonThrottle
    const result = throttle.hit(caller.key)
    const headers: Record<string, string> = this.withRateHeaders
      ? {
          'x-ratelimit-limit': String(throttle.rate),
          'x-ratelimit-remaining': String(result.remaining),
          'x-ratelimit-reset': String(throttle.reset(caller.key))
        }
      : {}
    if (!result.allowed) {
      const unit = result.wait === 1 ? 'second' : 'seconds'
      return json(
        429,
        {
          detail: `Request was throttled. Expected available in ${result.wait} ${unit}.`
        },
        { ...headers, 'retry-after': String(result.wait) }
      )
    }
    return { caller, headers }
  }

  /** `guard()` for the project named in the path. */
  private guardProject(
    ctx: Context,
    write: boolean
  ): { project: Project; headers: Record<string, string> } | Reply {
    const project = this.projects.get(ctx.params['slug'] ?? '')
    const guard = this.guard(ctx, project, write)
    if ('status' in guard) return guard
    return project
      ? { project, headers: guard.headers }
      : json(404, { detail: 'Not found.' })
  }

  /** LimitOffsetPagination, `next`/`previous` as absolute URLs. */
  private paginate(ctx: Context, items: unknown[]): Record<string, unknown> {
    const number = (name: string, fallback: number): number => {
      const value = Number.parseInt(ctx.query.get(name) ?? '', 10)
      return Number.isFinite(value) && value >= 0 ? value : fallback
    }
    const limit = number('limit', 10) || 10
    const offset = number('offset', 0)
    const link = (to: number): string => {
      const url = new URL(ctx.path, this.url)
      for (const [k, v] of ctx.query) url.searchParams.append(k, v)
      url.searchParams.set('limit', String(limit))
      if (to > 0) url.searchParams.set('offset', String(to))
      else url.searchParams.delete('offset')
      return url.toString()
    }
    return {
      count: items.length,
      next: offset + limit < items.length ? link(offset + limit) : null,
      previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      results: items.slice(offset, offset + limit)
    }
  }

  // --------------------------------------------------------------- routes

  private listProjects(ctx: Context): Reply {
    const guard = this.guard(ctx, null, false)
    if ('status' in guard) return guard
    const user = guard.caller.user ?? ''
    const mine = [...this.projects.values()]
      .filter((p) => p.users.includes(user))
      .map((p) => this.serializeProject(p))
    return json(200, this.paginate(ctx, mine), guard.headers)
  }

  private projectDetail(ctx: Context): Reply {
    const guard = this.guardProject(ctx, false)
    if ('status' in guard) return guard
    const { project } = guard
    return json(200, this.serializeProject(project), guard.headers)
  }

  private listVersions(ctx: Context): Reply {
    const guard = this.guardProject(ctx, false)
    if ('status' in guard) return guard
    const { project } = guard
    const versions = project.versions.map((v) =>
      this.serializeVersion(project, v)
    )
    return json(200, this.paginate(ctx, versions), guard.headers)
  }

  private versionDetail(ctx: Context): Reply {
    const guard = this.guardProject(ctx, false)
    if ('status' in guard) return guard
    const { project } = guard
    const version = project.versions.find(
      (v) => v.slug === ctx.params['version']
    )
    if (!version) return json(404, { detail: 'Not found.' }, guard.headers)
    return json(200, this.serializeVersion(project, version), guard.headers)
  }

  private listBuilds(ctx: Context, versionSlug?: string): Reply {
    const guard = this.guardProject(ctx, false)
    if ('status' in guard) return guard
    const { project } = guard
    if (versionSlug && !project.versions.some((v) => v.slug === versionSlug))
      return json(404, { detail: 'Not found.' }, guard.headers)
    const commit = ctx.query.get('commit')
    const running = ctx.query.get('running')
    const builds = [...this.builds.values()]
      .filter(
        (b) =>
          b.project === project &&
          (!versionSlug || b.version.slug === versionSlug) &&
          (!commit || b.commit === commit) &&
          (running === null ||
            /^(true|1)$/i.test(running) !== FINAL_STATES.includes(b.state))
      )
      .sort((a, b) => b.id - a.id)
      .map((b) => this.serializeBuild(b))
    return json(200, this.paginate(ctx, builds), guard.headers)
  }

  private buildDetail(ctx: Context): Reply {
    const guard = this.guardProject(ctx, false)
    if ('status' in guard) return guard
    const { project } = guard
    const build = this.builds.get(Number(ctx.params['id']))
    if (!build || build.project !== project)
      return json(404, { detail: 'Not found.' }, guard.headers)
    return json(200, this.serializeBuild(build), guard.headers)
  }

  private triggerBuild(ctx: Context): Reply {
    const guard = this.guardProject(ctx, true)
    if ('status' in guard) return guard
    const { project } = guard
    const version = project.versions.find(
      (v) => v.slug === ctx.params['version']
    )
    if (!version) return json(404, { detail: 'Not found.' }, guard.headers)
    const build = this.startBuild(project, version)
    return json(
      202,
      {
        build: this.serializeBuild(build),
        project: this.serializeProject(project),
        version: this.serializeVersion(project, version),
        triggered: true
      },
      guard.headers
    )
  }

  private webhook(ctx: Context): Reply {
    const project = this.projects.get(ctx.params['slug'] ?? '')
    if (!project || String(project.webhook.id) !== ctx.params['integration'])
      return json(404, { detail: 'Not found.' })
    const type = String(ctx.headers['content-type'] ?? '')
    const form = type.includes('application/x-www-form-urlencoded')
      ? new URLSearchParams(ctx.text)
      : undefined
    const body = record(ctx.body)
    const token = form ? form.get('token') : body['token']
    const caller = this.authenticate(ctx)
    const user = 'status' in caller ? undefined : caller.user
    const admin = user !== undefined && project.users.includes(user)
    if (!admin && (token === undefined || token === null))
      return json(403, {
        detail: 'Authentication credentials were not provided.'
      })
    if (!admin && token !== project.webhook.token)
      return json(404, { detail: 'Project not found' })
    let branches: unknown = form
      ? form.getAll('branches').length > 0
        ? form.getAll('branches')
        : undefined
      : body['branches']
    branches ??= [project.defaultBranch]
    if (typeof branches === 'string') branches = [branches]
    if (!Array.isArray(branches) || branches.some((b) => typeof b !== 'string'))
      return json(400, { detail: 'Invalid request' })
    const defaultBranch = form
      ? form.get('default_branch')
      : body['default_branch']
    if (typeof defaultBranch === 'string' && defaultBranch)
      project.defaultBranch = defaultBranch
    const built = new Set<string>()
    for (const name of branches as string[]) {
      for (const version of project.versions) {
        const matches =
          version.identifier === name ||
          version.verboseName === name ||
          (version.slug === 'latest' &&
            version.machine &&
            name === project.defaultBranch)
        if (!matches || !version.active || built.has(version.slug)) continue
        this.startBuild(project, version)
        built.add(version.slug)
      }
    }
    return json(200, {
      build_triggered: built.size > 0,
      project: project.slug,
      versions: [...built]
    })
  }

  // ------------------------------------------------------------ the build

  private startBuild(project: Project, version: Version): Build {
    let fails = project.fail
    if (project.failNext > 0) {
      project.failNext--
      fails = true
    } else if (this.failNext > 0) {
      this.failNext--
      fails = true
    }
    const build: Build = {
      id: this.nextBuildId++,
      project,
      version,
      created: new Date(),
      state: 'triggered',
      success: null,
      length: null,
      commit: null,
      commands: [],
      fails
    }
    this.builds.set(build.id, build)
    this.schedule(build)
    return build
  }

  private schedule(build: Build): void {
    build.timer = setTimeout(() => this.advance(build), this.stepDelayMs)
    build.timer.unref()
  }

  private elapsed(build: Build): number {
    return Math.max(
      1,
      Math.round((Date.now() - build.created.getTime()) / 1000)
    )
  }

  private advance(build: Build): void {
    if (FINAL_STATES.includes(build.state)) return
    const next = STEPS[STEPS.indexOf(build.state) + 1] ?? 'finished'
    build.state = next
    const { project, version } = build
    const run = (command: string, output: string, exitCode = 0): void => {
      const now = new Date().toISOString()
      build.commands.push({
        id: this.nextCommandId++,
        command,
        description: '',
        output,
        exit_code: exitCode,
        start_time: now,
        end_time: now,
        run_time: 0
      })
    }
    switch (next) {
      case 'cloning':
        build.commit = version.commit
        run(
          `git clone --depth 1 ${project.repository} .`,
          "Cloning into '.'..."
        )
        run(
          `git checkout --force ${version.commit}`,
          `HEAD is now at ${version.commit.slice(0, 7)}`
        )
        run('cat .readthedocs.yaml', 'version: 2\nbuild:\n  os: ubuntu-24.04')
        break
      case 'installing':
        run(
          'python -m pip install --upgrade --no-cache-dir pip setuptools',
          'Successfully installed pip setuptools'
        )
        run(
          'python -m pip install --exists-action=w --no-cache-dir -r docs/requirements.txt',
          'Successfully installed sphinx'
        )
        break
      case 'building': {
        const sphinx = `python -m sphinx -T -W --keep-going -b html -d _build/doctrees -D language=en . $READTHEDOCS_OUTPUT/html`
        if (build.fails) {
          run(
            sphinx,
            'Warning, treated as error:\nindex.rst:12: WARNING: undefined label: missing\nbuild finished with problems, 1 warning.',
            1
          )
          build.state = 'finished'
          build.success = false
          build.length = this.elapsed(build)
          return
        }
        run(
          sphinx,
          'build succeeded.\n\nThe HTML pages are in _readthedocs/html.'
        )
        break
      }
      case 'finished':
        build.success = true
        build.length = this.elapsed(build)
        return
      default:
        break
    }
    this.schedule(build)
  }

  // --------------------------------------------------------- serializers

  private serializeBuild(build: Build): Record<string, unknown> {
    const { project, version } = build
    const api = `${this.url}/api/v3/projects/${project.slug}`
    const final = FINAL_STATES.includes(build.state)
    const urls: Record<string, unknown> = {
      build: `${this.url}/projects/${project.slug}/builds/${build.id}/`,
      project: `${this.url}/projects/${project.slug}/`,
      version: `${this.url}/dashboard/${project.slug}/version/${version.slug}/edit/`
    }
    const body: Record<string, unknown> = {
      id: build.id,
      version: version.slug,
      project: project.slug,
      created: build.created.toISOString(),
      finished:
        final && build.length
          ? new Date(
              build.created.getTime() + build.length * 1000
            ).toISOString()
          : null,
      duration: final ? build.length : null,
      state: { code: build.state, name: title(build.state) },
      success: final ? build.success : null,
      error: '',
      commit: build.commit,
      _links: {
        _self: `${api}/builds/${build.id}/`,
        project: `${api}/`,
        version: `${api}/versions/${version.slug}/`,
        notifications: `${api}/builds/${build.id}/notifications/`
      },
      urls
    }
    if (this.withCommands) {
      urls['documentation'] = this.docsUrl(project, version)
      body['commands'] = build.commands.map((c) => ({ ...c }))
    }
    return body
  }

  private docsUrl(project: Project, version: Version): string {
    return `https://${project.slug}.readthedocs.io/en/${version.slug}/`
  }

  private serializeVersion(
    project: Project,
    version: Version
  ): Record<string, unknown> {
    const api = `${this.url}/api/v3/projects/${project.slug}`
    return {
      aliases: [],
      id: version.id,
      slug: version.slug,
      verbose_name: version.verboseName,
      identifier: version.identifier,
      ref: version.machine ? version.identifier : null,
      built: [...this.builds.values()].some(
        (b) => b.version === version && b.success === true
      ),
      active: version.active,
      hidden: false,
      type: version.type,
      downloads: {},
      urls: {
        documentation: this.docsUrl(project, version),
        vcs: `${project.repository}/tree/${version.identifier}/`,
        dashboard: {
          edit: `${this.url}/dashboard/${project.slug}/version/${version.slug}/edit/`
        }
      },
      _links: {
        _self: `${api}/versions/${version.slug}/`,
        builds: `${api}/versions/${version.slug}/builds/`,
        project: `${api}/`
      },
      privacy_level: project.privacy
    }
  }

  private serializeProject(project: Project): Record<string, unknown> {
    const api = `${this.url}/api/v3/projects/${project.slug}`
    const site = `${this.url}/projects/${project.slug}`
    return {
      id: project.id,
      name: project.name,
      slug: project.slug,
      created: project.created,
      modified: project.created,
      language: { code: 'en', name: 'English' },
      programming_language: { code: 'py', name: 'Python' },
      repository: { url: project.repository, type: 'git' },
      default_version: 'latest',
      default_branch: project.defaultBranch,
      subproject_of: null,
      translation_of: null,
      users: project.users.map((username) => ({ username })),
      urls: {
        documentation: `https://${project.slug}.readthedocs.io/en/latest/`,
        home: `${site}/`,
        builds: `${site}/builds/`,
        versions: `${site}/versions/`,
        downloads: null
      },
      tags: [],
      privacy_level: project.privacy,
      external_builds_privacy_level: project.privacy,
      single_version: false,
      versioning_scheme: 'multiple_versions_with_translations',
      readthedocs_yaml_path: null,
      homepage: null,
      _links: {
        _self: `${api}/`,
        versions: `${api}/versions/`,
        builds: `${api}/builds/`,
        environmentvariables: `${api}/environmentvariables/`,
        redirects: `${api}/redirects/`,
        subprojects: `${api}/subprojects/`,
        superproject: `${api}/superproject/`,
        translations: `${api}/translations/`,
        notifications: `${api}/notifications/`,
        sync_versions: `${api}/sync-versions/`
      }
    }
  }
}

function unauthorized(detail: string): Reply {
  return json(401, { detail }, { 'www-authenticate': 'Token' })
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}
