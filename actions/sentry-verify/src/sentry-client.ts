/**
 * Sentry's web API (`<sentry-url>/api/0/`) as sentry-verify uses it, on the
 * kit's HttpClient: Bearer token, retries on 429 and 5xx, Sentry's
 * `X-Sentry-Rate-Limit-*` headers (a request waits for the window to reset
 * when the previous answer said none were left), `Link`-header pagination,
 * and the one 403 that users hit: a token that cannot read what it is asked
 * for, almost always an organization token (`sntrys_…`) used where a token
 * with `event:read`/`project:read` is needed.
 */
import * as core from '@actions/core'
import {
  ConfigurationError,
  HttpClient,
  HttpError,
  type HttpClientOptions,
  type HttpResponse,
  type QueryValue,
  type RequestOptions
} from '@shipyard/action-kit'

/** The scopes each endpoint accepts (Sentry's OpenAPI document, `security`). */
export const SCOPES = {
  releases: ['project:releases', 'project:write', 'project:admin', 'org:ci'],
  projectRead: ['project:read', 'project:write', 'project:admin'],
  orgRead: ['org:read', 'org:write', 'org:admin'],
  eventRead: ['event:read', 'event:write', 'event:admin']
} as const

/** What a token needs for the whole of sentry-verify. */
export const NEEDED_SCOPES = [
  'project:releases',
  'project:read',
  'org:read',
  'event:read'
]

export type ScopeSet = readonly string[]

/** The `rel="next"` cursor of a Sentry `Link` header, when it has results. */
export function nextCursor(link: string | null): string | undefined {
  if (!link) return undefined
  for (const part of link.split(/,(?=\s*<)/)) {
    const rel = /;\s*rel="([^"]*)"/.exec(part)?.[1]
    if (rel !== 'next') continue
    const results = /;\s*results="([^"]*)"/.exec(part)?.[1]
    if (results !== 'true') return undefined
    return /;\s*cursor="([^"]*)"/.exec(part)?.[1]
  }
  return undefined
}

/** What Sentry's rate-limit headers said last. */
export interface RateLimitState {
  limit?: number
  remaining?: number
  /** Epoch ms at which the window resets. */
  resetAt?: number
  concurrentRemaining?: number
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined
  return Number(value)
}

export function readRateLimit(headers: Headers): RateLimitState | undefined {
  const remaining = numberHeader(headers, 'x-sentry-rate-limit-remaining')
  if (remaining === undefined) return undefined
  const reset = numberHeader(headers, 'x-sentry-rate-limit-reset')
  return {
    limit: numberHeader(headers, 'x-sentry-rate-limit-limit'),
    remaining,
    resetAt:
      reset === undefined
        ? undefined
        : reset > 1_000_000_000
          ? reset * 1000
          : Date.now() + reset * 1000,
    concurrentRemaining: numberHeader(
      headers,
      'x-sentry-rate-limit-concurrentremaining'
    )
  }
}

/** Sentry's error body (`{"detail": …}` or DRF's `{field: [message]}`) in one line. */
export function sentryErrorDetail(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() || undefined
  if (!body || typeof body !== 'object') return undefined
  const record = body as Record<string, unknown>
  if (typeof record['detail'] === 'string') return record['detail']
  const parts: string[] = []
  for (const [field, value] of Object.entries(record)) {
    const messages = Array.isArray(value) ? value : [value]
    const text = messages
      .filter((m) => typeof m === 'string' || typeof m === 'number')
      .join(' ')
    if (text) parts.push(`${field}: ${text}`)
  }
  return parts.length ? parts.join('; ') : undefined
}

/**
 * The message for a 403: which scope is missing, and that an organization
 * token is the usual cause.
 */
export function forbiddenMessage(
  what: string,
  scopes: ScopeSet,
  detail: string | undefined,
  token: string
): string {
  const orgToken = token.startsWith('sntrys_')
  return [
    `Sentry refused to let the auth token ${what} (403${detail ? `: ${detail}` : ''}).`,
    `That endpoint needs one of the scopes ${scopes.join(', ')}, which the token does not have.`,
    orgToken
      ? 'The token is an organization token (sntrys_…): those only have the CI scope org:ci (releases and deploys) and can never read projects or events.'
      : 'A 403 here almost always means the wrong kind of token: organization tokens (sntrys_…) only have release scopes (org:ci) and cannot read projects or events.',
    `Use an internal integration's or a user's auth token with ${NEEDED_SCOPES.join(', ')}.`
  ].join(' ')
}

export interface SentryRequest extends RequestOptions {
  /** What the request does, for messages: `read the project's client keys`. */
  what: string
  /** The scopes the endpoint accepts, named when it answers 403. */
  scopes: ScopeSet
}

export interface SentryClientOptions {
  sentryUrl: URL
  authToken: string
  /** Passed to the kit's HttpClient (tests shorten the waits). */
  http?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl' | 'headers'>>
  /** The longest wait for a rate-limit window to reset. Default 10 s. */
  maxThrottleMs?: number
}

export class SentryClient {
  private readonly http: HttpClient
  private readonly token: string
  private readonly maxThrottleMs: number
  private readonly sleep: (ms: number) => Promise<void>
  /** Requests sent (attempts included), for the summary. */
  requests = 0
  rateLimit: RateLimitState | undefined

  constructor(options: SentryClientOptions) {
    const base = new URL(options.sentryUrl.href)
    base.pathname = `${base.pathname.replace(/\/+$/, '')}/api/0/`
    this.token = options.authToken
    this.maxThrottleMs = options.maxThrottleMs ?? 10_000
    this.sleep =
      options.http?.sleep ??
      ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
    this.http = new HttpClient({
      service: 'Sentry',
      baseUrl: base,
      headers: { authorization: `Bearer ${options.authToken}` },
      userAgent: 'shipyard-sentry-verify',
      timeoutMs: 30_000,
      ...options.http
    })
  }

  /** The absolute URL of an API path (for messages and tests). */
  url(path: string, query?: Record<string, QueryValue>): URL {
    return this.http.url(path, query)
  }

  /** Waits for the rate-limit window when the last answer said none were left. */
  private async throttle(): Promise<void> {
    const state = this.rateLimit
    if (!state || state.remaining !== 0 || state.resetAt === undefined) return
    const wait = Math.min(this.maxThrottleMs, state.resetAt - Date.now())
    if (wait <= 0) return
    core.info(
      `Sentry's rate limit for this token is used up until the window resets; waiting ${(wait / 1000).toFixed(1)} s.`
    )
    await this.sleep(wait)
  }

  async request<T>(
    method: string,
    path: string,
    options: SentryRequest
  ): Promise<HttpResponse<T>> {
    await this.throttle()
    const { what, scopes, ...rest } = options
    try {
      const response = await this.http.request<T>(method, path, rest)
      this.requests += response.attempts
      this.rateLimit = readRateLimit(response.headers) ?? this.rateLimit
      return response
    } catch (error) {
      this.requests++
      if (!(error instanceof HttpError)) throw error
      const detail = sentryErrorDetail(error.body)
      if (error.status === 403) {
        throw new ConfigurationError(
          forbiddenMessage(what, scopes, detail, this.token)
        )
      }
      if (error.status === 401) {
        throw new ConfigurationError(
          `Sentry did not accept the auth token (401${detail ? `: ${detail}` : ''}) when asked to ${what}. Check 'auth-token': it must be a valid token of this Sentry (${this.http.url('').host}), not revoked.`
        )
      }
      if (error.status === 400 && detail) {
        throw new ConfigurationError(
          `Sentry refused to ${what} (400): ${detail.replace(/\.$/, '')}.`
        )
      }
      throw new HttpError(
        `Could not ${what}: ${error.message}`,
        error.status,
        error.service,
        error.body
      )
    }
  }

  get<T>(path: string, options: SentryRequest): Promise<HttpResponse<T>> {
    return this.request<T>('GET', path, options)
  }

  post<T>(path: string, options: SentryRequest): Promise<HttpResponse<T>> {
    return this.request<T>('POST', path, options)
  }

  put<T>(path: string, options: SentryRequest): Promise<HttpResponse<T>> {
    return this.request<T>('PUT', path, options)
  }

  /** Every item of a paginated list, following `Link` until `results="false"`. */
  async list<T>(
    path: string,
    options: SentryRequest & { maxPages?: number }
  ): Promise<T[]> {
    const { maxPages = 20, ...rest } = options
    const items: T[] = []
    let cursor: string | undefined
    for (let page = 0; page < maxPages; page++) {
      const response = await this.get<T[]>(path, {
        ...rest,
        query: { ...rest.query, cursor }
      })
      if (Array.isArray(response.data)) items.push(...response.data)
      cursor = nextCursor(response.headers.get('link'))
      if (!cursor) break
    }
    return items
  }
}

/** Path segments: org and project slugs are validated; versions need encoding. */
export function encodeSegment(value: string): string {
  return encodeURIComponent(value)
}
