/**
 * The Render stand-in: Render's REST API v1 (services, deploys, rollback,
 * cancel, rate limits) and deploy hooks, on 127.0.0.1, following
 * `docs/SERVICES.md` (section Render).
 *
 * It really deploys image-backed services: the image is pulled from the
 * registry with the configured credentials and started with podman on a free
 * port of the host network; the deploy goes `live` only once the service's
 * health-check path answers, and `update_failed` when the container exits or
 * never answers. The previous live deploy becomes `deactivated` and its
 * container is stopped. The service's `serviceDetails.url` is a stable proxy
 * to whatever is live. The git-backed service is simulated (no build).
 *
 * Control endpoints (no auth, never logged or faulted):
 *   GET  /__control/render/state                 services and their deploys
 *   POST /__control/render/deploy-answer         {status: 201|202, count?}
 *   POST /__control/render/fail-next             {status: 'build_failed'|'update_failed', serviceId?, count?}
 *   POST /__control/render/conflict-next         {serviceId?, count?}: the next trigger answers 409
 *   POST /__control/render/push                  {serviceId?, commitId?, message?}: a new commit (auto-deploys when on)
 *   POST /__control/render/env                   {serviceId?, env}: container variables for later deploys
 *   POST /__control/render/reset-limits
 *   GET  /__control/render/containers            the containers it started
 *   GET  /__control/render/deploys/:deployId/logs
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { Podman, type ContainerRuntime, type RegistryAuth } from './podman.js'
import {
  DEFAULT_TIMINGS,
  DeployEngine,
  now,
  withDigest,
  type ContainerInfo,
  type DeployRecord,
  type ForcedFailure,
  type RenderTimings,
  type ServiceState
} from './render-deploys.js'
import {
  checkImageRule,
  filterDeploys,
  paginate,
  QueryError,
  randomSha,
  randomString,
  RateLimiter,
  renderId,
  TERMINAL_STATUSES,
  type AutoDeployTrigger,
  type Commit,
  type Deploy,
  type DeployStatus,
  type Service
} from './render-model.js'
import { ServiceProxy, type ProxyTarget } from './render-proxy.js'
import {
  json,
  StandIn,
  type Context,
  type Handler,
  type Reply
} from './server.js'

export * from './render-model.js'
export {
  DEFAULT_TIMINGS,
  freePort,
  withDigest,
  type ContainerInfo,
  type ForcedFailure,
  type RenderTimings
} from './render-deploys.js'

export interface RenderLimits {
  /** Deploy triggers, deploy hooks and service PATCH, per service. */
  trigger: number
  /** Other writes (cancel, suspend, resume), per API key. */
  write: number
  /** Reads, per API key. */
  read: number
  windowMs: number
}

export const DEFAULT_LIMITS: RenderLimits = {
  trigger: 10,
  write: 30,
  read: 400,
  windowMs: 60_000
}

export type DeployAnswer = 201 | 202

export interface RenderStandInOptions {
  /** The API key it accepts (default: a generated `rnd_…`). */
  apiKey?: string
  /** The registry its image-backed service pulls from, with credentials. */
  registry?: RegistryAuth
  /** The image-backed service's image (default `<registry>/shipyard/example:latest`). */
  imagePath?: string
  healthCheckPath?: string
  serviceName?: string
  gitServiceName?: string
  repo?: string
  branch?: string
  /** How `POST .../deploys` answers: 201 with the deploy, or 202 without a body. */
  deployAnswer?: DeployAnswer
  /** Variables of every container it starts, on top of the defaults. */
  containerEnv?: Record<string, string>
  timings?: Partial<RenderTimings>
  limits?: Partial<RenderLimits>
  /** The container engine (default: podman). */
  runtime?: ContainerRuntime
}

type Bucket = 'read' | 'write' | 'trigger'

const HEX_COMMIT = /^[0-9a-f]{7,40}$/i

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

export class RenderStandIn extends StandIn {
  readonly apiKey: string
  readonly registry?: RegistryAuth
  readonly timings: RenderTimings
  readonly limits: RenderLimits
  readonly runtime: ContainerRuntime
  /** Label value of this instance's containers (`shipyard.render.instance`). */
  readonly instance = randomString(12, 'abcdefghijklmnopqrstuvwxyz0123456789')
  private readonly services: ServiceState[] = []
  private readonly byId = new Map<string, ServiceState>()
  private readonly limiter: RateLimiter
  private readonly engine: DeployEngine
  private deployAnswer: DeployAnswer
  private readonly answerQueue: DeployAnswer[] = []
  private conflictQueue: Array<{ serviceId?: string }> = []

  constructor(options: RenderStandInOptions = {}) {
    super('Render')
    this.apiKey = options.apiKey ?? `rnd_${randomString(32)}`
    this.registry = options.registry
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings }
    this.limits = { ...DEFAULT_LIMITS, ...options.limits }
    this.runtime = options.runtime ?? new Podman()
    this.deployAnswer = options.deployAnswer ?? 201
    this.limiter = new RateLimiter(this.limits.windowMs)
    this.engine = new DeployEngine({
      runtime: this.runtime,
      registry: this.registry,
      timings: this.timings,
      instance: this.instance,
      containerEnv: {
        DJANGO_ENV: 'production',
        SECRET_KEY: randomString(50),
        ALLOWED_HOSTS: '127.0.0.1,localhost',
        ...options.containerEnv
      }
    })
    this.secrets.add(this.apiKey)
    if (this.registry?.password) this.secrets.add(this.registry.password)

    const healthCheckPath = options.healthCheckPath ?? '/health'
    const imagePath =
      options.imagePath ??
      `${this.registry?.host ?? 'docker.io'}/shipyard/example:latest`
    const owner = renderId('tea')
    this.addService('image', {
      name: options.serviceName ?? 'shipyard-example',
      owner,
      healthCheckPath,
      imagePath
    })
    this.addService('git', {
      name: options.gitServiceName ?? 'shipyard-example-git',
      owner,
      healthCheckPath,
      repo: options.repo ?? 'https://github.com/shipyard/example',
      branch: options.branch ?? 'main'
    })
    this.apiRoutes()
    this.controls()
  }

  /** The image-backed service's id. */
  get serviceId(): string {
    return this.services[0]?.service.id ?? ''
  }

  /** The git-backed service's id. */
  get gitServiceId(): string {
    return this.services[1]?.service.id ?? ''
  }

  /** The deploy hook URL of a service (a secret, like Render's). */
  deployHookUrl(serviceId = this.serviceId): string {
    const svc = this.byId.get(serviceId)
    if (!svc) throw new Error(`unknown service ${serviceId}`)
    return `${this.url}/deploy/${serviceId}?key=${svc.hookKey}`
  }

  override env(): Record<string, string> {
    return {
      RENDER_API_URL: `${this.url}/v1`,
      RENDER_API_KEY: this.apiKey,
      RENDER_SERVICE_ID: this.serviceId,
      RENDER_GIT_SERVICE_ID: this.gitServiceId,
      RENDER_DEPLOY_HOOK_URL: this.deployHookUrl(this.serviceId),
      RENDER_GIT_DEPLOY_HOOK_URL: this.deployHookUrl(this.gitServiceId),
      RENDER_SERVICE_URL:
        this.service(this.serviceId)?.serviceDetails.url ?? '',
      RENDER_IMAGE_PATH: this.service(this.serviceId)?.imagePath ?? ''
    }
  }

  override async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const url = await super.start(port, host)
    for (const svc of this.services) {
      svc.service.serviceDetails.url = await svc.proxy.start(host)
    }
    return url
  }

  // ------------------------------------------------ programmatic controls

  /** A copy of a service as the API returns it. */
  service(id: string): Service | undefined {
    const svc = this.byId.get(id)
    return svc ? structuredClone(svc.service) : undefined
  }

  /** Copies of a service's deploys, newest first. */
  deploys(serviceId: string): Deploy[] {
    return (this.byId.get(serviceId)?.deploys ?? []).map((r) =>
      structuredClone(r.deploy)
    )
  }

  /** 201 or 202 for the next `count` deploy triggers, or from now on. */
  setDeployAnswer(status: DeployAnswer, count?: number): void {
    if (count === undefined) {
      this.deployAnswer = status
      this.answerQueue.length = 0
    } else for (let i = 0; i < count; i++) this.answerQueue.push(status)
  }

  /** The next deploy (of `serviceId`, or any) ends with `status`. */
  failNext(status: ForcedFailure, serviceId?: string, count = 1): void {
    for (let i = 0; i < count; i++) this.engine.failNext(status, serviceId)
  }

  /** The next deploy trigger (of `serviceId`, or any) answers 409. */
  conflictNext(serviceId?: string, count = 1): void {
    for (let i = 0; i < count; i++) this.conflictQueue.push({ serviceId })
  }

  resetLimits(): void {
    this.limiter.reset()
  }

  containers(): ContainerInfo[] {
    return this.engine.containers.map((c) => ({ ...c }))
  }

  /** Why a deploy failed and the output of its container, when it had one. */
  deployLogs(
    deployId: string
  ): { status: DeployStatus; reason?: string; logs?: string } | undefined {
    const rec = this.findDeploy(deployId)
    if (!rec) return undefined
    return { status: rec.deploy.status, reason: rec.reason, logs: rec.logs }
  }

  /** Resolves once the deploy reaches one of `statuses` (default: terminal). */
  async waitForDeploy(
    deployId: string,
    statuses: Iterable<DeployStatus> = TERMINAL_STATUSES,
    timeoutMs = 60_000
  ): Promise<Deploy> {
    const wanted = new Set(statuses)
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const rec = this.findDeploy(deployId)
      if (rec && wanted.has(rec.deploy.status))
        return structuredClone(rec.deploy)
      if (Date.now() > deadline)
        throw new Error(
          `deploy ${deployId} is ${rec?.deploy.status ?? 'unknown'} after ${timeoutMs} ms`
        )
      await sleep(Math.min(50, this.timings.healthIntervalMs))
    }
  }

  /** A new commit on the git-backed service's branch; deploys it when auto-deploy is on. */
  push(
    serviceId = this.gitServiceId,
    commitId = randomSha(),
    message = 'A new commit'
  ): { commit: Commit; deploy?: Deploy } {
    const svc = this.byId.get(serviceId)
    if (!svc || svc.kind !== 'git')
      throw new Error(`${serviceId} is not a git-backed service`)
    svc.head = { id: commitId, message, createdAt: now() }
    const auto =
      svc.service.autoDeploy === 'yes' &&
      svc.service.autoDeployTrigger === 'commit' &&
      svc.service.suspended === 'not_suspended'
    if (!auto) return { commit: svc.head }
    const rec = this.engine.create(svc, 'new_commit', { commit: svc.head })
    return { commit: svc.head, deploy: structuredClone(rec.deploy) }
  }

  // ------------------------------------------------------------- set-up

  private addService(
    kind: 'image' | 'git',
    spec: {
      name: string
      owner: string
      healthCheckPath: string
      imagePath?: string
      repo?: string
      branch?: string
    }
  ): void {
    const id = renderId('srv')
    const created = now()
    const service: Service = {
      id,
      name: spec.name,
      slug: spec.name,
      ownerId: spec.owner,
      type: 'web_service',
      ...(kind === 'image'
        ? {
            imagePath: spec.imagePath,
            registryCredential: this.registry?.username
              ? { id: renderId('rgc'), name: this.registry.host }
              : undefined
          }
        : { repo: spec.repo, branch: spec.branch }),
      autoDeploy: 'yes',
      autoDeployTrigger: 'commit',
      suspended: 'not_suspended',
      suspenders: [],
      notifyOnFail: 'default',
      rootDir: '',
      createdAt: created,
      updatedAt: created,
      dashboardUrl: `https://dashboard.render.com/web/${id}`,
      serviceDetails: {
        url: '',
        runtime: kind === 'image' ? 'image' : 'python',
        env: kind === 'image' ? 'image' : 'python',
        healthCheckPath: spec.healthCheckPath,
        plan: 'starter',
        region: 'oregon',
        numInstances: 1,
        pullRequestPreviewsEnabled: 'no',
        previews: { generation: 'off' },
        ...(kind === 'git' ? { buildPlan: 'starter' as const } : {}),
        envSpecificDetails:
          kind === 'git'
            ? {
                buildCommand: 'pip install -r requirements.txt',
                startCommand: 'gunicorn shipyard_example.wsgi:application'
              }
            : {}
      }
    }
    if (kind === 'image' && !service.registryCredential)
      delete service.registryCredential
    const hookKey = randomString(16)
    this.secrets.add(hookKey)
    const svc: ServiceState = {
      service,
      kind,
      hookKey,
      deploys: [],
      pending: [],
      busy: false,
      head: { id: randomSha(), message: 'Initial commit', createdAt: created },
      env: {},
      proxy: new ServiceProxy(() => this.proxyTarget(svc))
    }
    this.services.push(svc)
    this.byId.set(id, svc)
  }

  private proxyTarget(svc: ServiceState): ProxyTarget {
    if (svc.service.suspended === 'suspended') return { kind: 'suspended' }
    const live = svc.live
    if (!live) return undefined
    if (live.container) return { kind: 'port', port: live.container.port }
    return {
      kind: 'static',
      body: {
        service: svc.service.id,
        deploy: live.deploy.id,
        commit: live.deploy.commit?.id ?? null
      }
    }
  }

  protected errorBody(status: number, message: string): unknown {
    const ids: Record<number, string> = {
      400: 'invalid_request',
      401: 'unauthorized',
      402: 'payment_required',
      403: 'forbidden',
      404: 'not_found',
      405: 'method_not_allowed',
      406: 'not_acceptable',
      409: 'conflict',
      410: 'gone',
      429: 'rate_limit_exceeded',
      500: 'internal_server_error',
      503: 'service_unavailable'
    }
    return ids[status] ? { id: ids[status], message } : { message }
  }

  /** Headers of the read bucket, for answers outside an API route (404, faults). */
  protected override rateLimitHeaders(): Record<string, string> {
    return this.limiter.peek(`read:${this.apiKey}`, this.limits.read)
  }

  // ------------------------------------------------------------- routes

  /**
   * An API route: Bearer auth, the service (404), the rate-limit bucket
   * (429 with Retry-After), then the handler; its answer carries the
   * bucket's `Ratelimit-*` headers.
   */
  private api(
    method: string,
    pattern: string,
    bucket: Bucket,
    handler: (ctx: Context, svc: ServiceState) => Reply | Promise<Reply>
  ): void {
    this.route(method, pattern, async (ctx) => {
      const auth = ctx.headers['authorization'] ?? ''
      if (auth !== `Bearer ${this.apiKey}`)
        return this.error(401, 'Unauthorized')
      let svc: ServiceState | undefined
      const serviceId = ctx.params['serviceId']
      if (serviceId !== undefined) {
        svc = this.byId.get(serviceId)
        if (!svc) return this.error(404, `service ${serviceId} not found`)
      }
      const decision =
        bucket === 'trigger'
          ? this.limiter.take(`trigger:${serviceId ?? ''}`, this.limits.trigger)
          : this.limiter.take(
              `${bucket}:${this.apiKey}`,
              bucket === 'read' ? this.limits.read : this.limits.write
            )
      if (!decision.ok)
        return this.error(429, 'Rate limit exceeded', decision.headers)
      let reply: Reply
      try {
        reply = await handler(ctx, svc as ServiceState)
      } catch (error) {
        if (error instanceof QueryError) reply = this.error(400, error.message)
        else throw error
      }
      return { ...reply, headers: { ...decision.headers, ...reply.headers } }
    })
  }

  private apiRoutes(): void {
    this.api('GET', '/v1/services', 'read', (ctx) => {
      const names = ctx.query.getAll('name')
      const types = ctx.query.getAll('type')
      const list = this.services
        .map((s) => s.service)
        .filter(
          (s) =>
            (!names.length || names.includes(s.name)) &&
            (!types.length || types.includes(s.type))
        )
      return json(200, paginate(list, 'service', ctx.query))
    })
    this.api('GET', '/v1/services/:serviceId', 'read', (_ctx, svc) =>
      json(200, svc.service)
    )
    this.api('PATCH', '/v1/services/:serviceId', 'trigger', (ctx, svc) =>
      this.patchService(ctx, svc)
    )
    this.api(
      'POST',
      '/v1/services/:serviceId/suspend',
      'write',
      (_ctx, svc) => {
        svc.service.suspended = 'suspended'
        svc.service.suspenders = ['user']
        svc.service.updatedAt = now()
        return json(202)
      }
    )
    this.api('POST', '/v1/services/:serviceId/resume', 'write', (_ctx, svc) => {
      svc.service.suspended = 'not_suspended'
      svc.service.suspenders = []
      svc.service.updatedAt = now()
      return json(202)
    })
    this.api('GET', '/v1/services/:serviceId/deploys', 'read', (ctx, svc) => {
      const list = filterDeploys(
        svc.deploys.map((r) => r.deploy),
        ctx.query
      )
      return json(200, paginate(list, 'deploy', ctx.query))
    })
    this.api('POST', '/v1/services/:serviceId/deploys', 'trigger', (ctx, svc) =>
      this.triggerDeploy(ctx, svc)
    )
    this.api(
      'GET',
      '/v1/services/:serviceId/deploys/:deployId',
      'read',
      (ctx, svc) => {
        const rec = svc.deploys.find(
          (r) => r.deploy.id === ctx.params['deployId']
        )
        return rec
          ? json(200, rec.deploy)
          : this.error(404, `deploy ${ctx.params['deployId']} not found`)
      }
    )
    this.api(
      'POST',
      '/v1/services/:serviceId/deploys/:deployId/cancel',
      'write',
      (ctx, svc) => this.cancelDeploy(ctx.params['deployId'] ?? '', svc)
    )
    this.api(
      'POST',
      '/v1/services/:serviceId/rollback',
      'trigger',
      (ctx, svc) => this.rollback(ctx, svc)
    )
    const hook: Handler = (ctx) => this.deployHook(ctx)
    this.route('GET', '/deploy/:serviceId', hook)
    this.route('POST', '/deploy/:serviceId', hook)
  }

  /** The request's JSON object body ({} when empty), or a 400 reply. */
  private bodyOf(
    ctx: Context
  ): { body: Record<string, unknown> } | { reply: Reply } {
    let value = ctx.body
    if (value === undefined) {
      if (!ctx.text.trim()) return { body: {} }
      try {
        value = JSON.parse(ctx.text)
      } catch {
        return { reply: this.error(400, 'the request body is not valid JSON') }
      }
    }
    const body = record(value)
    return body
      ? { body }
      : { reply: this.error(400, 'the request body must be a JSON object') }
  }

  private patchService(ctx: Context, svc: ServiceState): Reply {
    const parsed = this.bodyOf(ctx)
    if ('reply' in parsed) return parsed.reply
    const body = parsed.body
    const { autoDeploy, autoDeployTrigger, name } = body
    if (autoDeploy !== undefined && autoDeploy !== 'yes' && autoDeploy !== 'no')
      return this.error(400, 'autoDeploy must be "yes" or "no"')
    if (
      autoDeployTrigger !== undefined &&
      !['off', 'commit', 'checksPass'].includes(autoDeployTrigger as string)
    )
      return this.error(
        400,
        'autoDeployTrigger must be one of "off", "commit", "checksPass"'
      )
    if (
      autoDeploy !== undefined &&
      autoDeployTrigger !== undefined &&
      (autoDeploy === 'no') !== (autoDeployTrigger === 'off')
    )
      return this.error(
        400,
        `autoDeploy ${JSON.stringify(autoDeploy)} contradicts autoDeployTrigger ${JSON.stringify(autoDeployTrigger)}`
      )
    if (name !== undefined && (typeof name !== 'string' || !name.trim()))
      return this.error(400, 'name must be a non-empty string')
    const service = svc.service
    if (autoDeployTrigger !== undefined) {
      service.autoDeployTrigger = autoDeployTrigger as AutoDeployTrigger
      service.autoDeploy = autoDeployTrigger === 'off' ? 'no' : 'yes'
    } else if (autoDeploy !== undefined) {
      service.autoDeploy = autoDeploy
      if (autoDeploy === 'no') service.autoDeployTrigger = 'off'
      else if (service.autoDeployTrigger === 'off')
        service.autoDeployTrigger = 'commit'
    }
    if (typeof name === 'string') service.name = name.trim()
    service.updatedAt = now()
    return json(200, service)
  }

  /** A 409 when a trigger of this service is refused; else undefined. */
  private conflict(svc: ServiceState): Reply | undefined {
    const index = this.conflictQueue.findIndex(
      (c) => !c.serviceId || c.serviceId === svc.service.id
    )
    if (index >= 0) {
      this.conflictQueue.splice(index, 1)
      return this.error(409, 'a deploy cannot be created for this service now')
    }
    if (svc.service.suspended === 'suspended')
      return this.error(409, 'the service is suspended: resume it to deploy')
    return undefined
  }

  /** Validates `imageUrl`/`imgURL` against the service: an error message or the ref. */
  private imageFor(
    svc: ServiceState,
    requested: unknown,
    field: string
  ): { ref: string } | { error: string } {
    if (requested === undefined || requested === null || requested === '')
      return { ref: svc.service.imagePath ?? '' }
    if (typeof requested !== 'string')
      return { error: `${field} must be a string` }
    const problem = checkImageRule(svc.service.imagePath ?? '', requested)
    return problem
      ? { error: problem.replace(/^imageUrl/, field) }
      : { ref: requested.trim() }
  }

  private triggerDeploy(ctx: Context, svc: ServiceState): Reply {
    const parsed = this.bodyOf(ctx)
    if ('reply' in parsed) return parsed.reply
    const body = parsed.body
    const { imageUrl, commitId, clearCache } = body
    if (
      clearCache !== undefined &&
      clearCache !== 'clear' &&
      clearCache !== 'do_not_clear'
    )
      return this.error(400, 'clearCache must be "clear" or "do_not_clear"')
    let options: { imageRef?: string; commit?: Commit }
    if (svc.kind === 'image') {
      if (commitId !== undefined)
        return this.error(
          400,
          'commitId cannot be used with an image-backed service: use imageUrl'
        )
      const image = this.imageFor(svc, imageUrl, 'imageUrl')
      if ('error' in image) return this.error(400, image.error)
      options = { imageRef: image.ref }
    } else {
      if (imageUrl !== undefined)
        return this.error(
          400,
          'imageUrl can only be used with an image-backed service'
        )
      const commit = this.commitFor(svc, commitId)
      if ('error' in commit) return this.error(400, commit.error)
      options = { commit }
    }
    const refused = this.conflict(svc)
    if (refused) return refused
    const answer = this.answerQueue.shift() ?? this.deployAnswer
    const rec = this.engine.create(svc, 'api', options, answer === 202)
    return answer === 202 ? json(202) : json(201, rec.deploy)
  }

  private commitFor(
    svc: ServiceState,
    commitId: unknown
  ): Commit | { error: string } {
    if (commitId === undefined || commitId === null || commitId === '')
      return { ...svc.head }
    if (typeof commitId !== 'string' || !HEX_COMMIT.test(commitId))
      return {
        error: `commitId ${JSON.stringify(commitId)} is not a commit SHA`
      }
    if (svc.head.id.startsWith(commitId.toLowerCase())) return { ...svc.head }
    return {
      id: commitId.toLowerCase(),
      message: `Commit ${commitId.slice(0, 7)}`,
      createdAt: now()
    }
  }

  private deployHook(ctx: Context): Reply {
    const serviceId = ctx.params['serviceId'] ?? ''
    const svc = this.byId.get(serviceId)
    if (!svc) return this.error(404, 'Not Found')
    if (ctx.query.get('key') !== svc.hookKey)
      return this.error(401, 'Unauthorized')
    const decision = this.limiter.take(
      `trigger:${serviceId}`,
      this.limits.trigger
    )
    if (!decision.ok)
      return this.error(429, 'Rate limit exceeded', decision.headers)
    const reply = ((): Reply => {
      let options: { imageRef?: string; commit?: Commit }
      const imgURL = ctx.query.get('imgURL')
      if (svc.kind === 'image') {
        const image = this.imageFor(svc, imgURL ?? undefined, 'imgURL')
        if ('error' in image) return this.error(400, image.error)
        options = { imageRef: image.ref }
      } else {
        if (imgURL)
          return this.error(
            400,
            'imgURL can only be used with an image-backed service'
          )
        const commit = this.commitFor(svc, ctx.query.get('ref') ?? undefined)
        if ('error' in commit) return this.error(400, commit.error)
        options = { commit }
      }
      const refused = this.conflict(svc)
      if (refused) return refused
      const rec = this.engine.create(svc, 'deploy_hook', options)
      return json(200, { deploy: { id: rec.deploy.id } })
    })()
    return { ...reply, headers: { ...decision.headers, ...reply.headers } }
  }

  private cancelDeploy(deployId: string, svc: ServiceState): Reply {
    const rec = svc.deploys.find((r) => r.deploy.id === deployId)
    if (!rec) return this.error(404, `deploy ${deployId} not found`)
    if (TERMINAL_STATUSES.has(rec.deploy.status))
      return this.error(
        409,
        `deploy ${deployId} is ${rec.deploy.status} and cannot be canceled`
      )
    this.engine.cancel(rec)
    return json(200, rec.deploy)
  }

  private rollback(ctx: Context, svc: ServiceState): Reply {
    const parsed = this.bodyOf(ctx)
    if ('reply' in parsed) return parsed.reply
    const body = parsed.body
    const deployId = body['deployId']
    if (typeof deployId !== 'string' || !deployId)
      return this.error(400, 'deployId is required')
    const target = svc.deploys.find((r) => r.deploy.id === deployId)
    if (!target) return this.error(404, `deploy ${deployId} not found`)
    if (!target.wentLive)
      return this.error(
        409,
        `deploy ${deployId} never went live (${target.deploy.status}): only a deploy that was live can be rolled back to`
      )
    const refused = this.conflict(svc)
    if (refused) return refused
    const image = target.deploy.image
    // The same image as then: pinned to the digest it had.
    const pullRef =
      image?.sha && image.ref ? withDigest(image.ref, image.sha) : image?.ref
    const rec = this.engine.create(svc, 'rollback', {
      imageRef: image?.ref,
      commit: target.deploy.commit ?? undefined,
      pullRef,
      sha: image?.sha
    })
    // Render turns auto-deploy off after a rollback, so the next commit
    // does not undo it.
    svc.service.autoDeploy = 'no'
    svc.service.autoDeployTrigger = 'off'
    svc.service.updatedAt = now()
    return json(201, rec.deploy)
  }

  // ------------------------------------------------------------- controls

  private controls(): void {
    const body = (ctx: Context): Record<string, unknown> =>
      record(ctx.body) ?? {}
    const serviceOf = (
      b: Record<string, unknown>
    ): string | undefined | Reply => {
      const id = b['serviceId']
      if (id === undefined) return undefined
      return typeof id === 'string' && this.byId.has(id)
        ? id
        : json(400, { message: `unknown serviceId ${JSON.stringify(id)}` })
    }
    const countOf = (b: Record<string, unknown>): number | undefined =>
      typeof b['count'] === 'number' && b['count'] > 0 ? b['count'] : undefined

    this.control('GET', '/__control/render/state', () =>
      json(200, {
        apiKey: '***',
        services: this.services.map((s) => ({
          service: s.service,
          kind: s.kind,
          live: s.live?.deploy.id ?? null,
          deploys: s.deploys.map((r) => r.deploy)
        }))
      })
    )
    this.control('POST', '/__control/render/deploy-answer', (ctx) => {
      const b = body(ctx)
      const status = b['status']
      if (status !== 201 && status !== 202)
        return json(400, { message: 'status must be 201 or 202' })
      this.setDeployAnswer(status, countOf(b))
      return json(200, {
        deployAnswer: this.deployAnswer,
        next: [...this.answerQueue]
      })
    })
    this.control('POST', '/__control/render/fail-next', (ctx) => {
      const b = body(ctx)
      const status = b['status']
      if (status !== 'build_failed' && status !== 'update_failed')
        return json(400, {
          message: 'status must be "build_failed" or "update_failed"'
        })
      const serviceId = serviceOf(b)
      if (typeof serviceId === 'object') return serviceId
      this.failNext(status, serviceId, countOf(b))
      return json(200, { pending: this.engine.pendingFailures })
    })
    this.control('POST', '/__control/render/conflict-next', (ctx) => {
      const b = body(ctx)
      const serviceId = serviceOf(b)
      if (typeof serviceId === 'object') return serviceId
      this.conflictNext(serviceId, countOf(b))
      return json(200, { pending: this.conflictQueue })
    })
    this.control('POST', '/__control/render/push', (ctx) => {
      const b = body(ctx)
      const serviceId = serviceOf(b)
      if (typeof serviceId === 'object') return serviceId
      const commitId = b['commitId']
      if (
        commitId !== undefined &&
        (typeof commitId !== 'string' || !HEX_COMMIT.test(commitId))
      )
        return json(400, { message: 'commitId must be a commit SHA' })
      try {
        return json(
          200,
          this.push(
            serviceId ?? this.gitServiceId,
            commitId ?? randomSha(),
            typeof b['message'] === 'string' ? b['message'] : undefined
          )
        )
      } catch (error) {
        return json(400, { message: (error as Error).message })
      }
    })
    this.control('POST', '/__control/render/env', (ctx) => {
      const b = body(ctx)
      const serviceId = serviceOf(b)
      if (typeof serviceId === 'object') return serviceId
      const env = record(b['env'])
      if (!env || !Object.values(env).every((v) => typeof v === 'string'))
        return json(400, { message: 'env must be an object of strings' })
      const svc = this.byId.get(serviceId ?? this.serviceId)
      if (svc) Object.assign(svc.env, env)
      return json(200, { keys: Object.keys(svc?.env ?? {}) })
    })
    this.control('POST', '/__control/render/reset-limits', () => {
      this.resetLimits()
      return json(204)
    })
    this.control('GET', '/__control/render/containers', () =>
      json(200, this.containers())
    )
    this.control('GET', '/__control/render/deploys/:deployId/logs', (ctx) => {
      const logs = this.deployLogs(ctx.params['deployId'] ?? '')
      return logs ? json(200, logs) : json(404, { message: 'deploy not found' })
    })
  }

  // ------------------------------------------------------------- deploys

  private findDeploy(deployId: string): DeployRecord | undefined {
    for (const svc of this.services) {
      const rec = svc.deploys.find((r) => r.deploy.id === deployId)
      if (rec) return rec
    }
    return undefined
  }

  // ------------------------------------------------------------- cleanup

  protected override async cleanup(): Promise<void> {
    await this.engine.shutdown(this.services)
    await Promise.allSettled(this.services.map((s) => s.proxy.stop()))
  }
}
