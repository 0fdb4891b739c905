/**
 * GitHub's REST API, the part an action uses: deployments, deployment
 * statuses and issue (pull-request) comments.
 *
 * Contract followed (docs.github.com REST reference and the OpenAPI types in
 * `@octokit/openapi-types`):
 *
 * - `Authorization: token <t>` or `Bearer <t>`; an unknown token is 401
 *   `{"message":"Bad credentials",…}`. No token: public repositories can be
 *   read (60 requests/hour), writes are 401 `Requires authentication`, private
 *   repositories are 404. A token without write access gets 403 `Resource not
 *   accessible by integration`.
 * - Errors `{message, documentation_url, status}`; validation errors 422
 *   `{message:"Validation Failed", errors:[{resource, field, code}], …}`, a
 *   missing required field 422 `Invalid request.\n\n"ref" wasn't supplied.`
 * - Every answer: `x-ratelimit-limit/-remaining/-reset/-used/-resource`,
 *   `x-github-request-id`; over the primary limit: 403 with remaining 0.
 * - Lists: `per_page` (default 30, max 100), `page`, a `Link` header with
 *   `next`, `last`, `first`, `prev`.
 * - `POST /repos/{o}/{r}/deployments` → 201 Deployment; the ref must exist;
 *   `required_contexts` (default: every context) must be green on the commit,
 *   else 409. Deployment statuses: `state` ∈ error, failure, inactive,
 *   in_progress, queued, pending, success; `log_url` sets `target_url`;
 *   `auto_inactive` (default true) marks prior non-transient, non-production
 *   deployments of the same environment inactive after a success.
 * - Issue comments: create (201), list (oldest first, `since`), get, update
 *   (PATCH, for sticky comments), delete; `body` ≤ 65,536 characters.
 */
import { randomBytes } from 'node:crypto'
import { json, StandIn, type Context, type Reply } from './server.js'

export const DEPLOYMENT_STATES = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success'
] as const
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number]

export const COMMENT_MAX_CHARS = 65536
export const STATUS_DESCRIPTION_MAX_CHARS = 140

const DOCS = 'https://docs.github.com/rest'
const DOC = {
  createDeployment: `${DOCS}/deployments/deployments#create-a-deployment`,
  listDeployments: `${DOCS}/deployments/deployments#list-deployments`,
  getDeployment: `${DOCS}/deployments/deployments#get-a-deployment`,
  createStatus: `${DOCS}/deployments/statuses#create-a-deployment-status`,
  listStatuses: `${DOCS}/deployments/statuses#list-deployment-statuses`,
  getStatus: `${DOCS}/deployments/statuses#get-a-deployment-status`,
  createComment: `${DOCS}/issues/comments#create-an-issue-comment`,
  listComments: `${DOCS}/issues/comments#list-issue-comments`,
  getComment: `${DOCS}/issues/comments#get-an-issue-comment`,
  updateComment: `${DOCS}/issues/comments#update-an-issue-comment`,
  deleteComment: `${DOCS}/issues/comments#delete-an-issue-comment`,
  getRepo: `${DOCS}/repos/repos#get-a-repository`,
  rateLimit: `${DOCS}/overview/rate-limits-for-the-rest-api`
}

export interface GitHubRepositorySeed {
  owner: string
  name: string
  private?: boolean
  defaultBranch?: string
  /** Branch → commit SHA (default: the default branch at a random SHA). */
  branches?: Record<string, string>
  /** Issues and pull requests that exist (default: pull request #1). */
  issues?: Array<{ number: number; pullRequest?: boolean; title?: string }>
}

export interface GitHubTokenSeed {
  token: string
  login: string
  type?: 'Bot' | 'User'
  /** A token with read access only: every write is 403. */
  readOnly?: boolean
}

export interface GitHubOptions {
  /** The token accepted (default: a random `ghs_…`, like `GITHUB_TOKEN`). */
  token?: string
  /** Whom it belongs to (default `github-actions[bot]`). */
  login?: string
  tokens?: GitHubTokenSeed[]
  /** Default: `shipyard/example`. */
  repositories?: GitHubRepositorySeed[]
  /** Requests per hour per token (default 5000) and per address (60). */
  rateLimit?: number
  anonRateLimit?: number
  /** The web host of `html_url`s (default `https://github.com`). */
  serverUrl?: string
}

interface Account {
  login: string
  id: number
  type: 'Bot' | 'User' | 'Organization'
  readOnly: boolean
}

interface Repo {
  id: number
  owner: Account
  name: string
  private: boolean
  defaultBranch: string
  branches: Map<string, string>
  issues: Map<number, { pullRequest: boolean; title: string }>
  /** Commit statuses by SHA, newest last: what `required_contexts` checks. */
  checks: Map<string, Array<{ context: string; state: string }>>
}

interface DeploymentStatus {
  id: number
  state: DeploymentState
  creator: Account
  description: string
  environment: string
  logUrl: string
  environmentUrl: string
  createdAt: string
}

interface Deployment {
  id: number
  repo: Repo
  sha: string
  ref: string
  task: string
  payload: unknown
  environment: string
  originalEnvironment: string
  description: string | null
  creator: Account
  createdAt: string
  updatedAt: string
  transient: boolean
  production: boolean
  statuses: DeploymentStatus[]
}

interface Comment {
  id: number
  repo: Repo
  issue: number
  body: string
  user: Account
  createdAt: string
  updatedAt: string
}

/** What a route handler gets once auth, rate limit and repository passed. */
interface Call {
  ctx: Context
  account?: Account
  repo: Repo
  body: Record<string, unknown>
}

const isoSeconds = (date = new Date()): string =>
  date.toISOString().replace(/\.\d{3}Z$/, 'Z')

export class GitHubStandIn extends StandIn {
  readonly token: string
  readonly login: string
  private readonly serverUrl: string
  private readonly accounts = new Map<string, Account>()
  private readonly repos = new Map<string, Repo>()
  private readonly deployments = new Map<number, Deployment>()
  private readonly comments = new Map<number, Comment>()
  private readonly windows = new Map<string, { reset: number; used: number }>()
  private readonly rate: number
  private readonly anonRate: number
  private nextAccountId = 1000
  private nextRepoId = 500000000
  private nextDeploymentId = 1000000001
  private nextStatusId = 2000000001
  private nextCommentId = 3000000001

  constructor(options: GitHubOptions = {}) {
    super('GitHub')
    this.token =
      options.token ??
      `ghs_${randomBytes(27).toString('base64url').slice(0, 36)}`
    this.login = options.login ?? 'github-actions[bot]'
    this.serverUrl = options.serverUrl ?? 'https://github.com'
    this.rate = options.rateLimit ?? 5000
    this.anonRate = options.anonRateLimit ?? 60
    this.addToken({
      token: this.token,
      login: this.login,
      type: this.login.endsWith('[bot]') ? 'Bot' : 'User'
    })
    for (const seed of options.tokens ?? []) this.addToken(seed)
    for (const seed of options.repositories ?? [
      { owner: 'shipyard', name: 'example' }
    ])
      this.addRepository(seed)

    const repo = '/repos/:owner/:repo'
    this.api('GET', repo, DOC.getRepo, false, (call) =>
      json(200, this.serializeRepo(call.repo))
    )
    this.api(
      'POST',
      `${repo}/deployments`,
      DOC.createDeployment,
      true,
      (call) => this.createDeployment(call)
    )
    this.api('GET', `${repo}/deployments`, DOC.listDeployments, false, (call) =>
      this.listDeployments(call)
    )
    this.api(
      'GET',
      `${repo}/deployments/:id`,
      DOC.getDeployment,
      false,
      (call) =>
        this.withDeployment(call, DOC.getDeployment, (d) =>
          json(200, this.serializeDeployment(d))
        )
    )
    this.api(
      'POST',
      `${repo}/deployments/:id/statuses`,
      DOC.createStatus,
      true,
      (call) =>
        this.withDeployment(call, DOC.createStatus, (d) =>
          this.createStatus(call, d)
        )
    )
    this.api(
      'GET',
      `${repo}/deployments/:id/statuses`,
      DOC.listStatuses,
      false,
      (call) =>
        this.withDeployment(call, DOC.listStatuses, (d) =>
          this.page(
            call.ctx,
            [...d.statuses].reverse().map((s) => this.serializeStatus(d, s))
          )
        )
    )
    this.api(
      'GET',
      `${repo}/deployments/:id/statuses/:statusId`,
      DOC.getStatus,
      false,
      (call) =>
        this.withDeployment(call, DOC.getStatus, (d) => {
          const status = d.statuses.find(
            (s) => String(s.id) === call.ctx.params['statusId']
          )
          return status
            ? json(200, this.serializeStatus(d, status))
            : this.fail(404, 'Not Found', DOC.getStatus)
        })
    )
    this.api(
      'POST',
      `${repo}/issues/:number/comments`,
      DOC.createComment,
      true,
      (call) => this.createComment(call)
    )
    this.api(
      'GET',
      `${repo}/issues/:number/comments`,
      DOC.listComments,
      false,
      (call) => this.listComments(call)
    )
    this.api(
      'GET',
      `${repo}/issues/comments/:commentId`,
      DOC.getComment,
      false,
      (call) =>
        this.withComment(call, DOC.getComment, (c) =>
          json(200, this.serializeComment(c))
        )
    )
    this.api(
      'PATCH',
      `${repo}/issues/comments/:commentId`,
      DOC.updateComment,
      true,
      (call) =>
        this.withComment(call, DOC.updateComment, (c) =>
          this.updateComment(call, c)
        )
    )
    this.api(
      'DELETE',
      `${repo}/issues/comments/:commentId`,
      DOC.deleteComment,
      true,
      (call) =>
        this.withComment(call, DOC.deleteComment, (c) => {
          this.comments.delete(c.id)
          return json(204)
        })
    )
    this.route('GET', '/rate_limit', (ctx) => this.rateLimit(ctx))

    this.controls()
  }

  // -------------------------------------------------- programmatic set-up

  addToken(seed: GitHubTokenSeed): void {
    this.accounts.set(seed.token, {
      login: seed.login,
      id:
        seed.login === 'github-actions[bot]' ? 41898282 : this.nextAccountId++,
      type: seed.type ?? 'User',
      readOnly: seed.readOnly ?? false
    })
    this.secrets.add(seed.token)
  }

  addRepository(seed: GitHubRepositorySeed): void {
    const defaultBranch = seed.defaultBranch ?? 'main'
    const branches = new Map(
      Object.entries(seed.branches ?? { [defaultBranch]: randomSha() })
    )
    if (!branches.has(defaultBranch)) branches.set(defaultBranch, randomSha())
    const issues = new Map(
      (seed.issues ?? [{ number: 1, pullRequest: true }]).map((i) => [
        i.number,
        {
          pullRequest: i.pullRequest ?? false,
          title: i.title ?? `Change ${i.number}`
        }
      ])
    )
    this.repos.set(`${seed.owner}/${seed.name}`.toLowerCase(), {
      id: this.nextRepoId++,
      owner: {
        login: seed.owner,
        id: this.nextAccountId++,
        type: 'Organization',
        readOnly: false
      },
      name: seed.name,
      private: seed.private ?? false,
      defaultBranch,
      branches,
      issues,
      checks: new Map()
    })
  }

  /** Adds an issue (or, with `pullRequest`, a pull request) to a repository. */
  addIssue(fullName: string, number: number, pullRequest = true): void {
    const repo = this.repo(fullName)
    repo.issues.set(number, { pullRequest, title: `Change ${number}` })
  }

  /** Sets a branch to a commit (a new random one by default); answers the SHA. */
  setBranch(fullName: string, branch: string, sha = randomSha()): string {
    this.repo(fullName).branches.set(branch, sha)
    return sha
  }

  /** Records a commit status, which `required_contexts` then checks. */
  setCommitStatus(
    fullName: string,
    sha: string,
    context: string,
    state: 'error' | 'failure' | 'pending' | 'success'
  ): void {
    const checks = this.repo(fullName).checks
    checks.set(sha, [...(checks.get(sha) ?? []), { context, state }])
  }

  /** The SHA a branch of a repository points at. */
  branchSha(fullName: string, branch?: string): string {
    const repo = this.repo(fullName)
    const sha = repo.branches.get(branch ?? repo.defaultBranch)
    if (!sha) throw new Error(`no branch ${branch} in ${fullName}`)
    return sha
  }

  override env(): Record<string, string> {
    const first = [...this.repos.values()][0]
    return {
      GITHUB_API_URL: this.url,
      GITHUB_TOKEN: this.token,
      ...(first
        ? { GITHUB_REPOSITORY: `${first.owner.login}/${first.name}` }
        : {})
    }
  }

  protected errorBody(status: number, message: string): unknown {
    return {
      message:
        status === 404 && message === 'Not found' ? 'Not Found' : message,
      documentation_url: DOCS,
      status: String(status)
    }
  }

  protected override rateLimitHeaders(): Record<string, string> {
    const part = (n: number): string =>
      randomBytes(n).toString('hex').toUpperCase()
    return {
      'x-github-request-id': `${part(2)}:${part(2)}:${part(3)}:${part(3)}:${part(4)}`,
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28'
    }
  }

  // ------------------------------------------------------------- plumbing

  private repo(fullName: string): Repo {
    const repo = this.repos.get(fullName.toLowerCase())
    if (!repo) throw new Error(`no repository ${fullName}`)
    return repo
  }

  private fail(
    status: number,
    message: string,
    documentationUrl: string,
    extra: Record<string, unknown> = {}
  ): Reply {
    return json(status, {
      message,
      ...extra,
      documentation_url: documentationUrl,
      status: String(status)
    })
  }

  private invalid(
    documentationUrl: string,
    errors: Array<Record<string, unknown>>
  ): Reply {
    return this.fail(422, 'Validation Failed', documentationUrl, { errors })
  }

  /** The 422 GitHub's request-schema check answers. */
  private schemaError(documentationUrl: string, detail: string): Reply {
    return this.fail(422, `Invalid request.\n\n${detail}`, documentationUrl)
  }

  /** The hourly window of `key`, renewed once its reset time has passed. */
  private window(key: string): { reset: number; used: number } {
    const now = Math.floor(Date.now() / 1000)
    let window = this.windows.get(key)
    if (!window || window.reset <= now) {
      window = { reset: now + 3600, used: 0 }
      this.windows.set(key, window)
    }
    return window
  }

  private identify(ctx: Context): Account | undefined | 'bad' {
    const header = String(ctx.headers['authorization'] ?? '')
    if (!header) return undefined
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header)
    return (match && this.accounts.get(match[1] ?? '')) || 'bad'
  }

  /**
   * A route of the API: authentication, the rate limit, the repository
   * (404 when unknown or private to the caller), write access, then the
   * handler; every answer carries the rate-limit headers.
   */
  private api(
    method: string,
    pattern: string,
    documentationUrl: string,
    write: boolean,
    handler: (call: Call) => Reply
  ): void {
    this.route(method, pattern, (ctx) => {
      const account = this.identify(ctx)
      if (account === 'bad') return this.fail(401, 'Bad credentials', DOCS)
      const key = account
        ? `user:${account.login}`
        : `ip:${ctx.req.socket.remoteAddress ?? ''}`
      const limit = account ? this.rate : this.anonRate
      const window = this.window(key)
      const headers = (): Record<string, string> => ({
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(Math.max(0, limit - window.used)),
        'x-ratelimit-reset': String(window.reset),
        'x-ratelimit-used': String(window.used),
        'x-ratelimit-resource': 'core'
      })
      if (window.used >= limit) {
        const who = account
          ? `user ID ${account.id}.`
          : `${ctx.req.socket.remoteAddress ?? ''}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`
        const reply = this.fail(
          403,
          `API rate limit exceeded for ${who}`,
          DOC.rateLimit
        )
        reply.headers = headers()
        return reply
      }
      window.used++
      const reply = this.dispatch(
        ctx,
        account,
        documentationUrl,
        write,
        handler
      )
      reply.headers = {
        ...headers(),
        'content-type': 'application/json; charset=utf-8',
        ...reply.headers
      }
      return reply
    })
  }

  private dispatch(
    ctx: Context,
    account: Account | undefined,
    documentationUrl: string,
    write: boolean,
    handler: (call: Call) => Reply
  ): Reply {
    const repo = this.repos.get(
      `${ctx.params['owner']}/${ctx.params['repo']}`.toLowerCase()
    )
    if (!repo || (repo.private && !account))
      return this.fail(404, 'Not Found', documentationUrl)
    if (write && !account)
      return this.fail(401, 'Requires authentication', documentationUrl)
    if (write && account?.readOnly) {
      const reply = this.fail(
        403,
        'Resource not accessible by integration',
        documentationUrl
      )
      reply.headers = {
        'x-accepted-github-permissions': ctx.path.includes('/deployments')
          ? 'deployments=write'
          : 'issues=write; pull_requests=write'
      }
      return reply
    }
    if (write && ctx.text && ctx.body === undefined)
      return this.fail(400, 'Problems parsing JSON', documentationUrl)
    const body =
      ctx.body && typeof ctx.body === 'object' && !Array.isArray(ctx.body)
        ? (ctx.body as Record<string, unknown>)
        : {}
    return handler({ ctx, account, repo, body })
  }

  /** `per_page`/`page` pagination with GitHub's `Link` header. */
  private page(ctx: Context, items: unknown[]): Reply {
    const int = (name: string, fallback: number): number => {
      const n = Number.parseInt(ctx.query.get(name) ?? '', 10)
      return Number.isFinite(n) && n > 0 ? n : fallback
    }
    const perPage = Math.min(100, int('per_page', 30))
    const page = int('page', 1)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const link = (n: number): string => {
      const url = new URL(ctx.path, this.url)
      for (const [k, v] of ctx.query)
        if (k !== 'page' && k !== 'per_page') url.searchParams.append(k, v)
      url.searchParams.set('per_page', String(perPage))
      url.searchParams.set('page', String(n))
      return url.toString()
    }
    const links: string[] = []
    if (page < last) {
      links.push(`<${link(page + 1)}>; rel="next"`)
      links.push(`<${link(last)}>; rel="last"`)
    }
    if (page > 1) {
      links.push(`<${link(1)}>; rel="first"`)
      links.push(`<${link(Math.min(page - 1, last))}>; rel="prev"`)
    }
    return json(
      200,
      items.slice((page - 1) * perPage, page * perPage),
      links.length > 0 ? { link: links.join(', ') } : {}
    )
  }

  /** Checks the listed fields' JSON types; answers the schema error, if any. */
  private types(
    call: Call,
    documentationUrl: string,
    fields: Record<string, 'string' | 'boolean' | 'string[]' | 'object|string'>
  ): Reply | undefined {
    for (const [field, type] of Object.entries(fields)) {
      const value = call.body[field]
      if (value === undefined || value === null) continue
      const ok =
        type === 'string[]'
          ? Array.isArray(value) && value.every((v) => typeof v === 'string')
          : type === 'object|string'
            ? typeof value === 'string' ||
              (typeof value === 'object' && !Array.isArray(value))
            : typeof value === type
      if (!ok) {
        const expected =
          type === 'string[]'
            ? 'array'
            : type === 'object|string'
              ? 'object'
              : type
        return this.schemaError(
          documentationUrl,
          `For 'properties/${field}', ${JSON.stringify(value)} is not ${expected === 'array' || expected === 'object' ? 'an' : 'a'} ${expected}.`
        )
      }
    }
    return undefined
  }

  // ---------------------------------------------------------- deployments

  private withDeployment(
    call: Call,
    documentationUrl: string,
    then: (deployment: Deployment) => Reply
  ): Reply {
    const deployment = this.deployments.get(Number(call.ctx.params['id']))
    if (!deployment || deployment.repo !== call.repo)
      return this.fail(404, 'Not Found', documentationUrl)
    return then(deployment)
  }

  private resolveRef(repo: Repo, ref: string): string | undefined {
    const name = ref.replace(/^refs\/(heads|tags)\//, '')
    const branch = repo.branches.get(name)
    if (branch) return branch
    if (/^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase()
    if (/^[0-9a-f]{7,39}$/i.test(ref))
      return [...repo.branches.values()].find((sha) =>
        sha.startsWith(ref.toLowerCase())
      )
    return undefined
  }

  private createDeployment(call: Call): Reply {
    const { body, repo } = call
    const doc = DOC.createDeployment
    if (typeof body['ref'] !== 'string')
      return body['ref'] === undefined
        ? this.schemaError(doc, '"ref" wasn\'t supplied.')
        : this.schemaError(
            doc,
            `For 'properties/ref', ${JSON.stringify(body['ref'])} is not a string.`
          )
    const typeError = this.types(call, doc, {
      task: 'string',
      auto_merge: 'boolean',
      required_contexts: 'string[]',
      payload: 'object|string',
      environment: 'string',
      description: 'string',
      transient_environment: 'boolean',
      production_environment: 'boolean'
    })
    if (typeError) return typeError
    const ref = body['ref']
    const sha = this.resolveRef(repo, ref)
    if (!sha) return this.fail(422, `No ref found for: ${ref}`, doc)
    const checks = repo.checks.get(sha) ?? []
    const latest = new Map(checks.map((c) => [c.context, c.state]))
    const required = (body['required_contexts'] as string[] | undefined) ?? [
      ...latest.keys()
    ]
    const failing = required
      .filter((context) => latest.get(context) !== 'success')
      .map((context) => ({ context, state: latest.get(context) ?? 'missing' }))
    if (failing.length > 0)
      return this.fail(
        409,
        `Conflict: Commit status checks failed for ${ref}.`,
        doc,
        {
          errors: [
            {
              contexts: failing,
              resource: 'Deployment',
              field: 'required_contexts'
            }
          ]
        }
      )
    const environment =
      (body['environment'] as string | undefined) ?? 'production'
    const now = isoSeconds()
    const deployment: Deployment = {
      id: this.nextDeploymentId++,
      repo,
      sha,
      ref,
      task: (body['task'] as string | undefined) ?? 'deploy',
      payload: body['payload'] ?? {},
      environment,
      originalEnvironment: environment,
      description: (body['description'] as string | undefined) ?? null,
      creator: call.account as Account,
      createdAt: now,
      updatedAt: now,
      transient:
        (body['transient_environment'] as boolean | undefined) ?? false,
      production:
        (body['production_environment'] as boolean | undefined) ??
        environment === 'production',
      statuses: []
    }
    this.deployments.set(deployment.id, deployment)
    const serialized = this.serializeDeployment(deployment)
    return json(201, serialized, { location: String(serialized['url']) })
  }

  private listDeployments(call: Call): Reply {
    const q = call.ctx.query
    const matches = (value: string, name: string): boolean =>
      !q.get(name) || q.get(name) === value
    const list = [...this.deployments.values()]
      .filter(
        (d) =>
          d.repo === call.repo &&
          matches(d.sha, 'sha') &&
          matches(d.ref, 'ref') &&
          matches(d.task, 'task') &&
          matches(d.environment, 'environment')
      )
      .sort((a, b) => b.id - a.id)
      .map((d) => this.serializeDeployment(d))
    return this.page(call.ctx, list)
  }

  private createStatus(call: Call, deployment: Deployment): Reply {
    const { body } = call
    const doc = DOC.createStatus
    if (body['state'] === undefined)
      return this.schemaError(doc, '"state" wasn\'t supplied.')
    const typeError = this.types(call, doc, {
      target_url: 'string',
      log_url: 'string',
      description: 'string',
      environment: 'string',
      environment_url: 'string',
      auto_inactive: 'boolean'
    })
    if (typeError) return typeError
    const state = body['state']
    if (
      typeof state !== 'string' ||
      !(DEPLOYMENT_STATES as readonly string[]).includes(state)
    )
      return this.invalid(doc, [
        {
          resource: 'DeploymentStatus',
          code: 'invalid',
          field: 'state',
          value: typeof state === 'string' ? state : null,
          message: `state is not included in the list (${DEPLOYMENT_STATES.join(', ')})`
        }
      ])
    const description = (body['description'] as string | undefined) ?? ''
    if (description.length > STATUS_DESCRIPTION_MAX_CHARS)
      return this.invalid(doc, [
        {
          resource: 'DeploymentStatus',
          code: 'custom',
          field: 'description',
          message: `description is too long (maximum is ${STATUS_DESCRIPTION_MAX_CHARS} characters)`
        }
      ])
    const logUrl =
      (body['log_url'] as string | undefined) ??
      (body['target_url'] as string | undefined) ??
      ''
    const environment =
      (body['environment'] as string | undefined) ??
      deployment.statuses.at(-1)?.environment ??
      deployment.environment
    const status: DeploymentStatus = {
      id: this.nextStatusId++,
      state: state as DeploymentState,
      creator: call.account as Account,
      description,
      environment,
      logUrl,
      environmentUrl: (body['environment_url'] as string | undefined) ?? '',
      createdAt: isoSeconds()
    }
    deployment.statuses.push(status)
    deployment.environment = environment
    deployment.updatedAt = status.createdAt
    if (state === 'success' && body['auto_inactive'] !== false)
      this.deactivatePrior(deployment, call.account as Account)
    const serialized = this.serializeStatus(deployment, status)
    return json(201, serialized, { location: String(serialized['url']) })
  }

  /** `auto_inactive`: prior non-transient, non-production deployments of the environment. */
  private deactivatePrior(current: Deployment, creator: Account): void {
    for (const other of this.deployments.values()) {
      if (
        other === current ||
        other.repo !== current.repo ||
        other.id > current.id ||
        other.environment !== current.environment ||
        other.transient ||
        other.production ||
        other.statuses.at(-1)?.state !== 'success'
      )
        continue
      const at = isoSeconds()
      other.statuses.push({
        id: this.nextStatusId++,
        state: 'inactive',
        creator,
        description: '',
        environment: other.environment,
        logUrl: '',
        environmentUrl: other.statuses.at(-1)?.environmentUrl ?? '',
        createdAt: at
      })
      other.updatedAt = at
    }
  }

  // ------------------------------------------------------- issue comments

  private withComment(
    call: Call,
    documentationUrl: string,
    then: (comment: Comment) => Reply
  ): Reply {
    const comment = this.comments.get(Number(call.ctx.params['commentId']))
    if (!comment || comment.repo !== call.repo)
      return this.fail(404, 'Not Found', documentationUrl)
    return then(comment)
  }

  private commentBody(call: Call, documentationUrl: string): string | Reply {
    const body = call.body['body']
    if (body === undefined)
      return this.schemaError(documentationUrl, '"body" wasn\'t supplied.')
    if (typeof body !== 'string')
      return this.schemaError(
        documentationUrl,
        `For 'properties/body', ${JSON.stringify(body)} is not a string.`
      )
    if ([...body].length > COMMENT_MAX_CHARS)
      return this.invalid(documentationUrl, [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: `body is too long (maximum is ${COMMENT_MAX_CHARS} characters)`
        }
      ])
    return body
  }

  private createComment(call: Call): Reply {
    const number = Number(call.ctx.params['number'])
    if (!call.repo.issues.has(number))
      return this.fail(404, 'Not Found', DOC.createComment)
    const body = this.commentBody(call, DOC.createComment)
    if (typeof body !== 'string') return body
    const now = isoSeconds()
    const comment: Comment = {
      id: this.nextCommentId++,
      repo: call.repo,
      issue: number,
      body,
      user: call.account as Account,
      createdAt: now,
      updatedAt: now
    }
    this.comments.set(comment.id, comment)
    const serialized = this.serializeComment(comment)
    return json(201, serialized, { location: String(serialized['url']) })
  }

  private listComments(call: Call): Reply {
    const number = Number(call.ctx.params['number'])
    if (!call.repo.issues.has(number))
      return this.fail(404, 'Not Found', DOC.listComments)
    const since = call.ctx.query.get('since')
    const list = [...this.comments.values()]
      .filter(
        (c) =>
          c.repo === call.repo &&
          c.issue === number &&
          (!since || c.updatedAt >= since)
      )
      .sort((a, b) => a.id - b.id)
      .map((c) => this.serializeComment(c))
    return this.page(call.ctx, list)
  }

  private updateComment(call: Call, comment: Comment): Reply {
    const body = this.commentBody(call, DOC.updateComment)
    if (typeof body !== 'string') return body
    comment.body = body
    comment.updatedAt = isoSeconds()
    return json(200, this.serializeComment(comment))
  }

  private rateLimit(ctx: Context): Reply {
    const account = this.identify(ctx)
    if (account === 'bad') return this.fail(401, 'Bad credentials', DOCS)
    const limit = account ? this.rate : this.anonRate
    const window = this.window(
      account
        ? `user:${account.login}`
        : `ip:${ctx.req.socket.remoteAddress ?? ''}`
    )
    const core = {
      limit,
      used: window.used,
      remaining: Math.max(0, limit - window.used),
      reset: window.reset
    }
    return json(200, { resources: { core }, rate: core })
  }

  // -------------------------------------------------------- serializers

  private user(account: Account): Record<string, unknown> {
    const api = `${this.url}/users/${encodeURIComponent(account.login)}`
    return {
      login: account.login,
      id: account.id,
      node_id: `${account.type === 'Bot' ? 'BOT' : account.type === 'Organization' ? 'O' : 'U'}_kgDO${account.id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
      gravatar_id: '',
      url: api,
      html_url: `${this.serverUrl}/${account.type === 'Bot' ? `apps/${account.login.replace(/\[bot\]$/, '')}` : account.login}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: account.type,
      user_view_type: 'public',
      site_admin: false
    }
  }

  private repoApi(repo: Repo): string {
    return `${this.url}/repos/${repo.owner.login}/${repo.name}`
  }

  private serializeRepo(repo: Repo): Record<string, unknown> {
    return {
      id: repo.id,
      node_id: `R_kgDO${repo.id}`,
      name: repo.name,
      full_name: `${repo.owner.login}/${repo.name}`,
      private: repo.private,
      owner: this.user(repo.owner),
      html_url: `${this.serverUrl}/${repo.owner.login}/${repo.name}`,
      description: null,
      fork: false,
      url: this.repoApi(repo),
      deployments_url: `${this.repoApi(repo)}/deployments`,
      default_branch: repo.defaultBranch,
      visibility: repo.private ? 'private' : 'public'
    }
  }

  private serializeDeployment(d: Deployment): Record<string, unknown> {
    const url = `${this.repoApi(d.repo)}/deployments/${d.id}`
    return {
      url,
      id: d.id,
      node_id: `DE_kwDO${d.id}`,
      task: d.task,
      original_environment: d.originalEnvironment,
      environment: d.environment,
      description: d.description,
      created_at: d.createdAt,
      updated_at: d.updatedAt,
      statuses_url: `${url}/statuses`,
      repository_url: this.repoApi(d.repo),
      creator: this.user(d.creator),
      sha: d.sha,
      ref: d.ref,
      payload: d.payload,
      transient_environment: d.transient,
      production_environment: d.production,
      performed_via_github_app: null
    }
  }

  private serializeStatus(
    d: Deployment,
    s: DeploymentStatus
  ): Record<string, unknown> {
    const deploymentUrl = `${this.repoApi(d.repo)}/deployments/${d.id}`
    return {
      url: `${deploymentUrl}/statuses/${s.id}`,
      id: s.id,
      node_id: `DES_kwDO${s.id}`,
      state: s.state,
      creator: this.user(s.creator),
      description: s.description,
      environment: s.environment,
      target_url: s.logUrl,
      created_at: s.createdAt,
      updated_at: s.createdAt,
      deployment_url: deploymentUrl,
      repository_url: this.repoApi(d.repo),
      environment_url: s.environmentUrl,
      log_url: s.logUrl,
      performed_via_github_app: null
    }
  }

  private serializeComment(c: Comment): Record<string, unknown> {
    const api = this.repoApi(c.repo)
    const kind = c.repo.issues.get(c.issue)?.pullRequest ? 'pull' : 'issues'
    const url = `${api}/issues/comments/${c.id}`
    return {
      url,
      html_url: `${this.serverUrl}/${c.repo.owner.login}/${c.repo.name}/${kind}/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${api}/issues/${c.issue}`,
      id: c.id,
      node_id: `IC_kwDO${c.id}`,
      user: this.user(c.user),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association:
        c.user.login === c.repo.owner.login
          ? 'OWNER'
          : c.user.type === 'Bot'
            ? 'NONE'
            : 'CONTRIBUTOR',
      body: c.body,
      reactions: {
        url: `${url}/reactions`,
        total_count: 0,
        '+1': 0,
        '-1': 0,
        laugh: 0,
        hooray: 0,
        confused: 0,
        heart: 0,
        rocket: 0,
        eyes: 0
      },
      performed_via_github_app: null
    }
  }

  // ------------------------------------------------------------ controls

  private controls(): void {
    const bad = (message: string): Reply => json(400, { message })
    this.control('POST', '/__control/github/repos', (ctx) => {
      const body = record(ctx.body)
      if (typeof body['owner'] !== 'string' || typeof body['name'] !== 'string')
        return bad('owner and name are required')
      this.addRepository(body as unknown as GitHubRepositorySeed)
      return json(201, { full_name: `${body['owner']}/${body['name']}` })
    })
    this.control('POST', '/__control/github/tokens', (ctx) => {
      const body = record(ctx.body)
      if (
        typeof body['token'] !== 'string' ||
        typeof body['login'] !== 'string'
      )
        return bad('token and login are required')
      this.addToken({
        token: body['token'],
        login: body['login'],
        readOnly: body['read_only'] === true
      })
      return json(201, { login: body['login'] })
    })
    const repoPath = '/__control/github/repos/:owner/:repo'
    const fullName = (ctx: Context): string =>
      `${ctx.params['owner']}/${ctx.params['repo']}`
    const known = (ctx: Context): boolean =>
      this.repos.has(fullName(ctx).toLowerCase())
    this.control('POST', `${repoPath}/issues`, (ctx) => {
      if (!known(ctx)) return json(404, { message: 'Not Found' })
      const body = record(ctx.body)
      const repo = this.repo(fullName(ctx))
      const number =
        typeof body['number'] === 'number'
          ? body['number']
          : Math.max(0, ...repo.issues.keys()) + 1
      this.addIssue(fullName(ctx), number, body['pull_request'] !== false)
      return json(201, { number })
    })
    this.control('POST', `${repoPath}/branches`, (ctx) => {
      if (!known(ctx)) return json(404, { message: 'Not Found' })
      const body = record(ctx.body)
      if (typeof body['name'] !== 'string') return bad('name is required')
      const sha = this.setBranch(
        fullName(ctx),
        body['name'],
        typeof body['sha'] === 'string' ? body['sha'] : undefined
      )
      return json(201, { name: body['name'], sha })
    })
    this.control('POST', `${repoPath}/statuses/:sha`, (ctx) => {
      if (!known(ctx)) return json(404, { message: 'Not Found' })
      const body = record(ctx.body)
      const state = body['state']
      if (
        typeof body['context'] !== 'string' ||
        (state !== 'error' &&
          state !== 'failure' &&
          state !== 'pending' &&
          state !== 'success')
      )
        return bad('context and state (error|failure|pending|success) required')
      this.setCommitStatus(
        fullName(ctx),
        ctx.params['sha'] ?? '',
        body['context'],
        state
      )
      return json(201, { context: body['context'], state })
    })
  }
}

function randomSha(): string {
  return randomBytes(20).toString('hex')
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}
