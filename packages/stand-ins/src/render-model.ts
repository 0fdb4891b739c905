/**
 * The Render stand-in's data: the shapes of Render's REST API v1 (Service,
 * Deploy), its ids, the image-URL rule, the per-bucket rate limiter and the
 * list helpers (status/date filters, cursor pagination).
 */
import { randomBytes } from 'node:crypto'

export const DEPLOY_STATUSES = [
  'created',
  'queued',
  'build_in_progress',
  'update_in_progress',
  'pre_deploy_in_progress',
  'live',
  'deactivated',
  'build_failed',
  'update_failed',
  'pre_deploy_failed',
  'canceled'
] as const
export type DeployStatus = (typeof DEPLOY_STATUSES)[number]

export const TERMINAL_STATUSES: ReadonlySet<DeployStatus> = new Set([
  'live',
  'deactivated',
  'build_failed',
  'update_failed',
  'pre_deploy_failed',
  'canceled'
])

export type DeployTrigger =
  'api' | 'deploy_hook' | 'rollback' | 'new_commit' | 'manual' | 'other'

export interface Commit {
  id: string
  message: string
  createdAt: string
}

export interface Deploy {
  id: string
  /** null for image deploys: never dereference it blindly. */
  commit: Commit | null
  /** Image deploys: the reference asked for and, once pulled, its digest. */
  image?: { ref: string; sha?: string }
  status: DeployStatus
  trigger: DeployTrigger
  createdAt: string
  startedAt?: string
  updatedAt: string
  finishedAt?: string
}

export type AutoDeploy = 'yes' | 'no'
export type AutoDeployTrigger = 'off' | 'commit' | 'checksPass'

export interface Service {
  id: string
  name: string
  slug: string
  ownerId: string
  type: 'web_service'
  repo?: string
  branch?: string
  imagePath?: string
  registryCredential?: { id: string; name: string }
  autoDeploy: AutoDeploy
  autoDeployTrigger: AutoDeployTrigger
  suspended: 'suspended' | 'not_suspended'
  suspenders: string[]
  notifyOnFail: 'default'
  rootDir: string
  createdAt: string
  updatedAt: string
  dashboardUrl: string
  serviceDetails: {
    url: string
    runtime: 'image' | 'python'
    /** Older field with the same meaning as `runtime`. */
    env: 'image' | 'python'
    healthCheckPath: string
    plan: 'starter'
    region: 'oregon'
    numInstances: number
    pullRequestPreviewsEnabled: 'no'
    previews: { generation: 'off' }
    buildPlan?: 'starter'
    envSpecificDetails: Record<string, string>
  }
}

// Render's ids are xids: 20 characters of base32hex, lower case.
const XID = '0123456789abcdefghijklmnopqrstuv'
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

export function randomString(length: number, alphabet = ALNUM): string {
  const bytes = randomBytes(length)
  let out = ''
  for (const byte of bytes) out += alphabet[byte % alphabet.length]
  return out
}

/** `srv-…`, `dep-…`, `tea-…`: the prefix and 20 xid characters. */
export function renderId(prefix: string): string {
  return `${prefix}-${randomString(20, XID)}`
}

export function randomSha(): string {
  return randomBytes(20).toString('hex')
}

// ------------------------------------------------------------ image refs

export interface ImageRef {
  registry: string
  /** `namespace/name` (`library/nginx` for Docker Hub's official images). */
  repository: string
  tag?: string
  digest?: string
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/
const HOST = /^(?:[a-zA-Z0-9.-]+|\[[0-9a-fA-F:]+\])(?::\d+)?$/

/** Parses `[registry/]namespace/name[:tag][@digest]`; undefined when invalid. */
export function parseImageRef(input: string): ImageRef | undefined {
  const text = input.trim()
  if (!text || /\s/.test(text) || text.includes('://')) return undefined
  let rest = text
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) return undefined
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag)) return undefined
  }
  const parts = rest.split('/')
  let registry = 'docker.io'
  const first = parts[0] ?? ''
  if (
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
  ) {
    if (!HOST.test(first)) return undefined
    registry = first.toLowerCase()
    parts.shift()
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io')
    registry = 'docker.io'
  if (!parts.length || !parts.every((p) => COMPONENT.test(p))) return undefined
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library')
  return { registry, repository: parts.join('/'), tag, digest }
}

/** The fully qualified form, e.g. `docker.io/library/nginx:1.27`. */
export function formatImageRef(ref: ImageRef): string {
  return (
    `${ref.registry}/${ref.repository}` +
    (ref.tag ? `:${ref.tag}` : '') +
    (ref.digest ? `@${ref.digest}` : '')
  )
}

/**
 * Render's rule for `imageUrl` (API) and `imgURL` (deploy hook): everything
 * but the tag or digest must equal the service's image. Answers an error
 * message, or undefined when `requested` may be deployed.
 */
export function checkImageRule(
  configured: string,
  requested: string
): string | undefined {
  const want = parseImageRef(configured)
  const got = parseImageRef(requested)
  if (!got)
    return `imageUrl "${requested}" is not a valid image reference ([registry/]namespace/name[:tag][@digest])`
  if (!want) return `the service's image "${configured}" is not valid`
  if (got.registry !== want.registry || got.repository !== want.repository)
    return (
      `imageUrl "${requested}" does not match the service's image ` +
      `"${configured}": only the tag or digest may differ ` +
      `(expected ${want.registry}/${want.repository}[:tag][@digest])`
    )
  return undefined
}

// ----------------------------------------------------------- rate limits

export interface RateDecision {
  ok: boolean
  headers: Record<string, string>
}

/**
 * Fixed windows per key (`trigger:srv-…`, `read:<key>`): a window opens with
 * its first request and lasts `windowMs`. `Ratelimit-Reset` is the number of
 * seconds until the window closes.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { start: number; count: number }>()

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now
  ) {}

  private bucket(key: string): { start: number; count: number } {
    const now = this.now()
    let bucket = this.buckets.get(key)
    if (!bucket || now >= bucket.start + this.windowMs) {
      bucket = { start: now, count: 0 }
      this.buckets.set(key, bucket)
    }
    return bucket
  }

  private headers(
    bucket: { start: number; count: number },
    limit: number
  ): Record<string, string> {
    const reset = Math.max(
      1,
      Math.ceil((bucket.start + this.windowMs - this.now()) / 1000)
    )
    return {
      'Ratelimit-Limit': String(limit),
      'Ratelimit-Remaining': String(Math.max(0, limit - bucket.count)),
      'Ratelimit-Reset': String(reset)
    }
  }

  /** Counts one request against `key`; refuses it once `limit` is reached. */
  take(key: string, limit: number): RateDecision {
    const bucket = this.bucket(key)
    if (bucket.count >= limit) {
      const headers = this.headers(bucket, limit)
      return {
        ok: false,
        headers: {
          ...headers,
          'Retry-After': headers['Ratelimit-Reset'] ?? '1'
        }
      }
    }
    bucket.count++
    return { ok: true, headers: this.headers(bucket, limit) }
  }

  /** The headers of `key` without counting a request. */
  peek(key: string, limit: number): Record<string, string> {
    return this.headers(this.bucket(key), limit)
  }

  reset(): void {
    this.buckets.clear()
  }
}

// ------------------------------------------------------------------ lists

export class QueryError extends Error {}

/** `status=a&status=b`, `status[]=a`, `status=a,b`, validated. */
export function statusFilter(query: URLSearchParams): Set<string> | undefined {
  const values = [...query.getAll('status'), ...query.getAll('status[]')]
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)
  if (!values.length) return undefined
  for (const value of values) {
    if (!(DEPLOY_STATUSES as readonly string[]).includes(value))
      throw new QueryError(
        `invalid status "${value}": must be one of ${DEPLOY_STATUSES.join(', ')}`
      )
  }
  return new Set(values)
}

export function dateParam(
  query: URLSearchParams,
  name: string
): number | undefined {
  const value = query.get(name)
  if (value === null || value === '') return undefined
  const time = Date.parse(value)
  if (Number.isNaN(time))
    throw new QueryError(
      `invalid ${name} "${value}": expected an ISO 8601 date`
    )
  return time
}

/** `limit`: default 20, 1 to 100. */
export function limitParam(query: URLSearchParams): number {
  const value = query.get('limit')
  if (value === null || value === '') return 20
  const limit = Number(value)
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new QueryError(
      `invalid limit "${value}": must be an integer from 1 to 100`
    )
  return limit
}

export function encodeCursor(id: string): string {
  return Buffer.from(`c:${id}`).toString('base64url')
}

/**
 * The page of `items` after `cursor` (exclusive), as `[{cursor, <name>}]`.
 * An unknown cursor is a 400.
 */
export function paginate<T extends { id: string }>(
  items: T[],
  name: string,
  query: URLSearchParams
): Array<Record<string, unknown>> {
  const limit = limitParam(query)
  const cursor = query.get('cursor')
  let start = 0
  if (cursor) {
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8')
    const index = decoded.startsWith('c:')
      ? items.findIndex((item) => item.id === decoded.slice(2))
      : -1
    if (index < 0) throw new QueryError(`invalid cursor "${cursor}"`)
    start = index + 1
  }
  return items
    .slice(start, start + limit)
    .map((item) => ({ cursor: encodeCursor(item.id), [name]: item }))
}

/** Applies the deploy list filters of Render's `GET .../deploys`. */
export function filterDeploys(
  deploys: Deploy[],
  query: URLSearchParams
): Deploy[] {
  const statuses = statusFilter(query)
  const bounds: Array<[keyof Deploy, 'After' | 'Before', number]> = []
  for (const field of ['created', 'updated', 'finished'] as const) {
    for (const side of ['After', 'Before'] as const) {
      const time = dateParam(query, `${field}${side}`)
      if (time !== undefined) bounds.push([`${field}At`, side, time])
    }
  }
  return deploys.filter((deploy) => {
    if (statuses && !statuses.has(deploy.status)) return false
    for (const [field, side, time] of bounds) {
      const value = deploy[field]
      if (typeof value !== 'string') return false
      const at = Date.parse(value)
      if (side === 'After' ? at < time : at > time) return false
    }
    return true
  })
}
