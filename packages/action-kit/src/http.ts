/**
 * The HTTP client every service client is built on: Node's own fetch
 * (undici), a timeout per attempt, bounded retries with jittered exponential
 * backoff on 429 (honouring `Retry-After` and the services' rate-limit reset
 * headers), on 5xx and on dropped connections. A request that may have
 * reached the server is sent again only when it is idempotent: GET, HEAD, PUT
 * and DELETE are; POST and PATCH only when the caller says so. Error bodies
 * become clear messages that never hold a secret.
 *
 * No package offers this policy as a whole (the rate-limit headers of Render,
 * Sentry and GitHub differ, and a 202 or 208 is a success here), so the loop
 * lives here, once, for every action.
 */
import * as core from '@actions/core'
import { errorMessage, HttpError } from './errors.js'
import { redactUrl, scrub } from './mask.js'

export type QueryValue =
  string | number | boolean | undefined | readonly string[]

export interface HttpClientOptions {
  /** The service's name, as it appears in messages: `Render`, `Sentry`. */
  service: string
  baseUrl: string | URL
  headers?: Record<string, string>
  /** Time allowed for one attempt. Default 30 s. */
  timeoutMs?: number
  /** Attempts in all, the first included. Default 5. */
  maxAttempts?: number
  /** The longest single wait between attempts; a longer `Retry-After` fails at once. Default 60 s. */
  maxRetryWaitMs?: number
  /** First backoff step; doubles each attempt (with jitter). Default 1 s. */
  backoffMs?: number
  userAgent?: string
  /** For tests: how to wait, and where randomness comes from. */
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

export interface RequestOptions {
  query?: Record<string, QueryValue>
  /** Sent as JSON. */
  body?: unknown
  headers?: Record<string, string>
  /** Safe to send twice. Default: true for GET, HEAD, PUT, DELETE; false otherwise. */
  idempotent?: boolean
  /** Statuses that are answers, not errors (2xx always are). */
  accept?: readonly number[]
  timeoutMs?: number
}

export interface HttpResponse<T = unknown> {
  status: number
  headers: Headers
  /** The parsed JSON body, or `undefined` for an empty body. */
  data: T
  text: string
  /** How many attempts it took. */
  attempts: number
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504])
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])

const sleepFor = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Seconds to wait as the answer asks, from `Retry-After` (seconds or an HTTP
 * date), then the rate-limit reset headers (seconds from now, or epoch
 * seconds: the services' docs disagree, so both are read).
 */
export function retryAfterMs(
  headers: Headers,
  now = Date.now(),
  options: { resetHeaders?: boolean } = {}
): number | undefined {
  const retryAfter = headers.get('retry-after')
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter.trim()))
      return Number(retryAfter) * 1000
    const date = Date.parse(retryAfter)
    if (!Number.isNaN(date)) return Math.max(0, date - now)
  }
  if (options.resetHeaders === false) return undefined
  for (const name of [
    'ratelimit-reset',
    'x-sentry-rate-limit-reset',
    'x-ratelimit-reset'
  ]) {
    const value = headers.get(name)
    if (!value || !/^\d+(\.\d+)?$/.test(value.trim())) continue
    const n = Number(value)
    // Anything past 2001-09-09 in epoch seconds is a moment, not a delay.
    return n > 1_000_000_000 ? Math.max(0, n * 1000 - now) : n * 1000
  }
  return undefined
}

function describeBody(text: string): string {
  if (!text.trim()) return ''
  try {
    const body = JSON.parse(text) as Record<string, unknown>
    for (const key of ['message', 'detail', 'error_description', 'error']) {
      const value = body[key]
      if (typeof value === 'string' && value) return value
    }
    const errors = body['errors']
    if (Array.isArray(errors) && errors.length > 0) {
      return errors
        .map((e) => (typeof e === 'string' ? e : errorMessage(e)))
        .join('; ')
    }
  } catch {
    // Not JSON: show the start of the text.
  }
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat
}

/** The error code (`ECONNRESET`…) or the innermost message of a failed fetch. */
function networkCause(error: unknown): { code?: string; text: string } {
  let current: unknown = error
  let text = errorMessage(error)
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code))
      return { code, text: code }
    if (depth > 0) text = errorMessage(current)
    current = (current as { cause?: unknown }).cause
  }
  return { text }
}

export class HttpClient {
  private readonly base: URL
  private readonly options: Required<
    Omit<HttpClientOptions, 'headers' | 'baseUrl' | 'userAgent'>
  > & { headers: Record<string, string> }

  constructor(options: HttpClientOptions) {
    const base = new URL(options.baseUrl.toString())
    if (!base.pathname.endsWith('/')) base.pathname += '/'
    this.base = base
    this.options = {
      service: options.service,
      headers: {
        'user-agent': options.userAgent ?? 'shipyard-action',
        accept: 'application/json',
        ...options.headers
      },
      timeoutMs: options.timeoutMs ?? 30_000,
      maxAttempts: options.maxAttempts ?? 5,
      maxRetryWaitMs: options.maxRetryWaitMs ?? 60_000,
      backoffMs: options.backoffMs ?? 1000,
      sleep: options.sleep ?? sleepFor,
      random: options.random ?? Math.random
    }
  }

  /** The absolute URL of `path` (relative to the base URL) with `query`. */
  url(path: string, query?: Record<string, QueryValue>): URL {
    const url = new URL(path.replace(/^\//, ''), this.base)
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue
      if (Array.isArray(value)) {
        for (const item of value as readonly string[])
          url.searchParams.append(key, item)
      } else {
        url.searchParams.set(key, String(value))
      }
    }
    return url
  }

  get<T = unknown>(
    path: string,
    options?: RequestOptions
  ): Promise<HttpResponse<T>> {
    return this.request<T>('GET', path, options)
  }

  post<T = unknown>(
    path: string,
    options?: RequestOptions
  ): Promise<HttpResponse<T>> {
    return this.request<T>('POST', path, options)
  }

  patch<T = unknown>(
    path: string,
    options?: RequestOptions
  ): Promise<HttpResponse<T>> {
    return this.request<T>('PATCH', path, options)
  }

  put<T = unknown>(
    path: string,
    options?: RequestOptions
  ): Promise<HttpResponse<T>> {
    return this.request<T>('PUT', path, options)
  }

  /** Backoff for attempt `n` (1-based): full jitter between half and all of base·2ⁿ⁻¹, at most 30 s. */
  private backoff(attempt: number): number {
    const step = Math.min(30_000, this.options.backoffMs * 2 ** (attempt - 1))
    return Math.round(step / 2 + (this.options.random() * step) / 2)
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {}
  ): Promise<HttpResponse<T>> {
    const { service, maxAttempts, maxRetryWaitMs } = this.options
    const url = this.url(path, options.query)
    const where = `${method} ${redactUrl(url)}`
    const idempotent =
      options.idempotent ??
      ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'].includes(method)
    const headers: Record<string, string> = {
      ...this.options.headers,
      ...options.headers
    }
    let body: string | undefined
    if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['content-type'] = 'application/json'
    }

    for (let attempt = 1; ; attempt++) {
      let wait: number | undefined
      let failure: string
      let status: number | undefined
      let responseBody: unknown
      try {
        const response = await fetch(url, {
          method,
          headers,
          body,
          redirect: 'follow',
          signal: AbortSignal.timeout(
            options.timeoutMs ?? this.options.timeoutMs
          )
        })
        const text = await response.text()
        status = response.status
        if (response.ok || options.accept?.includes(status)) {
          let data: unknown = undefined
          if (text.trim()) {
            try {
              data = JSON.parse(text)
            } catch {
              throw new HttpError(
                scrub(
                  `${service} answered ${status} to ${where} with a body that is not JSON: ${describeBody(text)}`
                ),
                status,
                service
              )
            }
          }
          return {
            status,
            headers: response.headers,
            data: data as T,
            text,
            attempts: attempt
          }
        }
        try {
          responseBody = JSON.parse(text)
        } catch {
          responseBody = text
        }
        const detail = describeBody(text)
        failure = `${service} answered ${status} ${response.statusText} to ${where}${detail ? `: ${detail}` : ''}`
        if (status === 429) {
          wait = retryAfterMs(response.headers) ?? this.backoff(attempt)
        } else if (RETRYABLE_STATUS.has(status) && idempotent) {
          // Services such as Sentry send their rate-limit reset on every
          // answer: a 5xx waits for Retry-After only, else backs off.
          wait =
            retryAfterMs(response.headers, Date.now(), {
              resetHeaders: false
            }) ?? this.backoff(attempt)
        }
      } catch (error) {
        if (error instanceof HttpError) throw error
        const { code, text } = networkCause(error)
        const timedOut = (error as Error)?.name === 'TimeoutError'
        failure = timedOut
          ? `${service} did not answer ${where} within ${Math.round((options.timeoutMs ?? this.options.timeoutMs) / 1000)} s`
          : `${service} could not be reached for ${where}: ${text}`
        if (idempotent || (code && NEVER_SENT.has(code)))
          wait = this.backoff(attempt)
      }

      if (wait === undefined || attempt >= maxAttempts) {
        const tries = attempt > 1 ? ` (after ${attempt} attempts)` : ''
        throw new HttpError(
          scrub(failure + tries),
          status,
          service,
          responseBody
        )
      }
      if (wait > maxRetryWaitMs) {
        throw new HttpError(
          scrub(
            `${failure}; it asks to wait ${Math.ceil(wait / 1000)} s, longer than the ${Math.round(maxRetryWaitMs / 1000)} s allowed`
          ),
          status,
          service,
          responseBody
        )
      }
      core.info(
        scrub(
          `${failure}; attempt ${attempt + 1} of ${maxAttempts} in ${(wait / 1000).toFixed(1)} s`
        )
      )
      await this.options.sleep(wait)
    }
  }
}
