/**
 * Render's REST API v1, the part render-deploy uses, on the kit's HttpClient:
 * Bearer auth, Render's `{id, message}` error bodies turned into clear
 * messages, the `Ratelimit-*` headers of the last answer kept for the
 * waiter, and every request counted (retries included) for the `api-calls`
 * output. The deploy trigger and the rollback are never retried blindly
 * after a dropped connection: that decision belongs to trigger.ts.
 */
import { HttpClient, HttpError, type HttpResponse } from '@shipyard/action-kit'
import type { RenderApiAccess } from './render-deploy-inputs.js'

export type DeployStatus =
  | 'created'
  | 'queued'
  | 'build_in_progress'
  | 'update_in_progress'
  | 'pre_deploy_in_progress'
  | 'live'
  | 'deactivated'
  | 'build_failed'
  | 'update_failed'
  | 'pre_deploy_failed'
  | 'canceled'

/** Statuses after which a deploy changes no more (but `live` → `deactivated`). */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set([
  'live',
  'deactivated',
  'build_failed',
  'update_failed',
  'pre_deploy_failed',
  'canceled'
])

/** The statuses of a deploy that has not ended yet. */
export const RUNNING_STATUSES = [
  'created',
  'queued',
  'build_in_progress',
  'update_in_progress',
  'pre_deploy_in_progress'
] as const

export interface Deploy {
  id: string
  /** A `DeployStatus`, or one Render adds later. */
  status: string
  trigger?: string
  /** Null for image deploys: never dereferenced blindly. */
  commit?: { id?: string; message?: string } | null
  image?: { ref?: string; sha?: string } | null
  createdAt?: string
  startedAt?: string
  updatedAt?: string
  finishedAt?: string
}

export interface Service {
  id: string
  name?: string
  type?: string
  suspended?: string
  autoDeploy?: string
  autoDeployTrigger?: string
  dashboardUrl?: string
  imagePath?: string
  repo?: string
  branch?: string
  registryCredential?: { id?: string; name?: string } | null
  serviceDetails?: {
    url?: string
    runtime?: string
    env?: string
    healthCheckPath?: string
  }
}

/** What the last answer said of the read budget. */
export interface RateLimitState {
  limit?: number
  remaining?: number
  /** Milliseconds until the window resets. */
  resetMs?: number
  /** When this was read (Date.now()). */
  at: number
}

export interface RenderClientOptions {
  /** First backoff step of the kit's client (doubles per attempt). */
  backoffMs?: number
  /** Time allowed for one request. */
  requestTimeoutMs?: number
  /** The longest Retry-After honoured before giving up. */
  maxRetryWaitMs?: number
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined
  return Number(value)
}

/** `Ratelimit-Reset`: seconds from now, or epoch seconds (the docs disagree). */
export function readRateLimit(
  headers: Headers,
  now = Date.now()
): RateLimitState | undefined {
  const limit = numberHeader(headers, 'ratelimit-limit')
  const remaining = numberHeader(headers, 'ratelimit-remaining')
  const reset = numberHeader(headers, 'ratelimit-reset')
  if (limit === undefined && remaining === undefined && reset === undefined)
    return undefined
  let resetMs: number | undefined
  if (reset !== undefined)
    resetMs =
      reset > 1_000_000_000 ? Math.max(0, reset * 1000 - now) : reset * 1000
  return { limit, remaining, resetMs, at: now }
}

/** The list shape of Render: `[{cursor, deploy}]`. */
function unwrap<T>(data: unknown, key: string): T[] {
  if (!Array.isArray(data)) return []
  return data
    .map((item) => (item as Record<string, unknown> | null)?.[key])
    .filter((v): v is T => v !== null && typeof v === 'object')
}

export class RenderClient {
  readonly serviceId: string
  private readonly http: HttpClient
  private counted = 0
  /** What the last answer said of the rate limit. */
  rateLimit: RateLimitState | undefined

  constructor(
    readonly access: RenderApiAccess,
    options: RenderClientOptions = {}
  ) {
    this.serviceId = access.serviceId
    this.http = new HttpClient({
      service: 'Render',
      baseUrl: access.apiUrl,
      headers: { authorization: `Bearer ${access.apiKey}` },
      userAgent: 'shipyard-render-deploy',
      backoffMs: options.backoffMs,
      timeoutMs: options.requestTimeoutMs,
      maxRetryWaitMs: options.maxRetryWaitMs,
      // Every retry waits first: counting the waits counts the retries.
      sleep: (ms) => {
        this.counted++
        return new Promise((resolve) => setTimeout(resolve, ms))
      }
    })
  }

  /** Requests sent to Render's API so far, retries included. */
  get calls(): number {
    return this.counted
  }

  private async send<T>(
    method: string,
    path: string,
    options: Parameters<HttpClient['request']>[2] = {}
  ): Promise<HttpResponse<T>> {
    this.counted++
    try {
      const response = await this.http.request<T>(method, path, options)
      // Every read answers a JSON body: an empty one is no answer.
      if (method === 'GET' && response.data === undefined)
        throw new HttpError(
          `Render answered ${response.status} to GET ${path} with an empty body`,
          response.status,
          'Render'
        )
      // Reads have their own budget; writes' headers speak of others.
      if (method === 'GET')
        this.rateLimit = readRateLimit(response.headers) ?? this.rateLimit
      return response
    } catch (error) {
      throw explain(error, this.serviceId)
    }
  }

  private servicePath(suffix = ''): string {
    return `services/${encodeURIComponent(this.serviceId)}${suffix}`
  }

  async getService(): Promise<Service> {
    try {
      return (await this.send<Service>('GET', this.servicePath())).data
    } catch (error) {
      if (error instanceof HttpError && error.status === 404)
        throw new HttpError(
          `Render does not know service ${this.serviceId}, or the API key cannot see it (404): check 'service-id' and 'api-key'. ${error.message}`,
          404,
          error.service,
          error.body
        )
      throw error
    }
  }

  /** PATCH is a plain update: sending it twice does no harm. */
  async updateService(fields: Record<string, string>): Promise<Service> {
    const response = await this.send<Service>('PATCH', this.servicePath(), {
      body: fields,
      idempotent: true
    })
    return response.data
  }

  async listDeploys(
    query: {
      status?: readonly string[]
      createdAfter?: string
      limit?: number
    } = {}
  ): Promise<Deploy[]> {
    const response = await this.send<unknown>(
      'GET',
      this.servicePath('/deploys'),
      {
        query: {
          status: query.status,
          createdAfter: query.createdAfter,
          limit: query.limit ?? 20
        }
      }
    )
    return unwrap<Deploy>(response.data, 'deploy')
  }

  async getDeploy(deployId: string): Promise<Deploy> {
    const response = await this.send<Deploy>(
      'GET',
      this.servicePath(`/deploys/${encodeURIComponent(deployId)}`)
    )
    return response.data
  }

  /**
   * `POST .../deploys`, sent once: a dropped connection is not retried here
   * (the deploy may exist). 201 answers the deploy, 202 answers nothing.
   */
  async triggerDeploy(
    body: Record<string, string>
  ): Promise<{ status: number; deploy: Deploy | undefined }> {
    const response = await this.send<Deploy | undefined>(
      'POST',
      this.servicePath('/deploys'),
      { body, idempotent: false }
    )
    const deploy =
      response.data && typeof response.data.id === 'string'
        ? response.data
        : undefined
    return { status: response.status, deploy }
  }

  async cancelDeploy(deployId: string): Promise<Deploy | undefined> {
    const response = await this.send<Deploy | undefined>(
      'POST',
      this.servicePath(`/deploys/${encodeURIComponent(deployId)}/cancel`),
      { idempotent: true }
    )
    return response.data
  }

  /** `POST .../rollback` `{deployId}`: a new deploy of what `deployId` ran. */
  async rollback(deployId: string): Promise<Deploy | undefined> {
    const response = await this.send<Deploy | undefined>(
      'POST',
      this.servicePath('/rollback'),
      { body: { deployId }, idempotent: false }
    )
    return response.data
  }
}

/** Adds what to do to Render's answers that the user can fix. */
function explain(error: unknown, serviceId: string): unknown {
  if (!(error instanceof HttpError)) return error
  const hint: Record<number, string> = {
    401: "Render refused the API key (401): check the 'api-key' input (Account Settings → API Keys in Render's dashboard).",
    403: `The API key may not act on service ${serviceId} (403): use a key of the workspace that owns it.`
  }
  const extra = error.status === undefined ? undefined : hint[error.status]
  if (!extra) return error
  return new HttpError(
    `${extra} ${error.message}`,
    error.status,
    error.service,
    error.body
  )
}

/** True for failures after which the request may have had no effect yet: network, timeout, 5xx. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof HttpError)) return false
  return error.status === undefined || error.status >= 500
}
