/**
 * The GitHub Actions cache service, version 2 (what `@actions/cache` calls
 * when `ACTIONS_CACHE_SERVICE_V2` is set): three Twirp JSON methods on the
 * results service, and the signed blob-storage URLs they hand out.
 *
 * Contract followed (the service's protobuf `github.actions.results.api.v1.
 * CacheService`, GitHub's cache documentation, the Twirp wire protocol and
 * Azure Blob Storage's REST API for the blob URLs):
 *
 * - `POST /twirp/github.actions.results.api.v1.CacheService/<Method>`,
 *   `Content-Type: application/json`, `Authorization: Bearer
 *   <ACTIONS_RUNTIME_TOKEN>`; bodies use the proto field names
 *   (`signed_upload_url`); 64-bit integers are JSON strings. Errors are
 *   Twirp's `{code, msg}` with its HTTP status (`unauthenticated` 401,
 *   `invalid_argument` 400, `not_found` 404, `already_exists` 409,
 *   `internal` 500, `unavailable` 503).
 * - `CreateCacheEntry {key, version}` → `{ok, signed_upload_url}`; an entry
 *   with that key and version already there (or being uploaded) is 409
 *   `already_exists`. Keys are at most 512 characters, without commas.
 * - `FinalizeCacheEntryUpload {key, version, size_bytes}` → `{ok,
 *   entry_id}` once the blob holds exactly `size_bytes`; before any upload,
 *   404 `not_found`.
 * - `GetCacheEntryDownloadURL {key, restore_keys, version}` → `{ok,
 *   signed_download_url, matched_key}`, or `{ok: false}` on a miss. Lookup
 *   order: the exact key, then each key (the primary key first, then the
 *   restore keys in order) as a prefix, the newest entry winning; only
 *   entries of the same `version` (the hash of the paths and compression)
 *   match. All entries share one scope here (no branch scoping).
 * - Blob URLs (`/<account>/<container>/<blob>?sv=…&se=…&sp=…&sig=…`): Put
 *   Blob (`PUT`, `x-ms-blob-type: BlockBlob`; what the Azure SDK sends for an
 *   archive up to 128 MiB), Put Block (`?comp=block&blockid=…`) and Put Block
 *   List (`?comp=blocklist`, an XML `<BlockList>`) for larger ones, `GET`
 *   (with `Range`/`x-ms-range`) and `HEAD`. A signature that does not verify,
 *   has expired or lacks the permission is 403 `AuthenticationFailed`, in
 *   Azure's XML error shape.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { json, StandIn, type Context, type Reply } from './server.js'

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService'
const ACCOUNT = 'devstoreaccount1'
const CONTAINER = 'actions-cache'
const KEY_MAX = 512

export interface ActionsCacheOptions {
  /** The runtime token it accepts (default: random). */
  token?: string
  /** How long a signed URL stays valid, in seconds (default 600). */
  urlTtlSeconds?: number
}

/** A cache entry, as the control endpoint lists it. */
export interface CacheEntry {
  id: number
  key: string
  version: string
  sizeBytes: number
  createdAt: string
  /** Whether `FinalizeCacheEntryUpload` completed it (only then it restores). */
  finalized: boolean
}

interface StoredEntry extends CacheEntry {
  blob: string
  data?: Buffer
  blocks: Map<string, Buffer>
}

const TWIRP_CODES: Record<number, string> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  405: 'bad_route',
  409: 'already_exists',
  412: 'failed_precondition',
  429: 'resource_exhausted',
  500: 'internal',
  502: 'unavailable',
  503: 'unavailable',
  504: 'deadline_exceeded'
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function azureError(status: number, code: string, message: string): Reply {
  return {
    status,
    raw: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    headers: {
      'content-type': 'application/xml',
      'x-ms-error-code': code,
      'x-ms-request-id': randomBytes(16).toString('hex')
    }
  }
}

export class ActionsCacheStandIn extends StandIn {
  readonly token: string
  private readonly entries: StoredEntry[] = []
  private readonly signingKey = randomBytes(32)
  private readonly ttl: number
  private nextId = 1

  constructor(options: ActionsCacheOptions = {}) {
    super('GitHub Actions cache')
    this.token = options.token ?? `ghr_${randomBytes(24).toString('base64url')}`
    this.secrets.add(this.token)
    this.ttl = options.urlTtlSeconds ?? 600

    this.twirp('CreateCacheEntry', (body) => this.createEntry(body))
    this.twirp('FinalizeCacheEntryUpload', (body) => this.finalize(body))
    this.twirp('GetCacheEntryDownloadURL', (body) => this.lookUp(body))
    const blob = `/${ACCOUNT}/${CONTAINER}/:blob`
    this.route('PUT', blob, (ctx) => this.putBlob(ctx))
    this.route('GET', blob, (ctx) => this.getBlob(ctx, true))
    this.route('HEAD', blob, (ctx) => this.getBlob(ctx, false))

    this.control('GET', '/__control/actions-cache/entries', () =>
      json(200, this.list())
    )
    this.control('DELETE', '/__control/actions-cache/entries', () => {
      this.clearEntries()
      return json(204)
    })
  }

  /** Forgets every entry (as deleting them in the repository's settings). */
  clearEntries(): void {
    this.entries.length = 0
  }

  /** The entries held, finalized or not, oldest first. */
  list(): CacheEntry[] {
    return this.entries.map((e) => ({
      id: e.id,
      key: e.key,
      version: e.version,
      sizeBytes: e.sizeBytes,
      createdAt: e.createdAt,
      finalized: e.finalized
    }))
  }

  /** The archive of an entry, as uploaded. */
  archive(key: string): Buffer | undefined {
    return this.entries.find((e) => e.key === key && e.finalized)?.data
  }

  /** What `@actions/cache` reads from the runner's environment. */
  override env(): Record<string, string> {
    return {
      ACTIONS_CACHE_SERVICE_V2: 'True',
      ACTIONS_RESULTS_URL: `${this.url}/`,
      ACTIONS_RUNTIME_TOKEN: this.token
    }
  }

  protected errorBody(status: number, message: string): unknown {
    return { code: TWIRP_CODES[status] ?? 'unknown', msg: message }
  }

  private twirp(
    method: string,
    handler: (body: Record<string, unknown>) => Reply
  ): void {
    this.route('POST', `${SERVICE}/${method}`, (ctx) => {
      const auth = ctx.headers['authorization'] ?? ''
      if (auth !== `Bearer ${this.token}`)
        return this.error(401, 'the runtime token is missing or not valid')
      const type = ctx.headers['content-type'] ?? ''
      if (!type.includes('application/json') || ctx.body === undefined)
        return this.error(400, 'the body must be a JSON object')
      return handler(record(ctx.body))
    })
  }

  private checkKey(key: unknown, version: unknown): string | undefined {
    if (typeof key !== 'string' || key === '') return 'key is required'
    if (key.length > KEY_MAX) return `key is longer than ${KEY_MAX} characters`
    if (key.includes(',')) return 'key cannot contain commas'
    if (typeof version !== 'string' || version === '')
      return 'version is required'
    return undefined
  }

  private createEntry(body: Record<string, unknown>): Reply {
    const { key, version } = body
    const invalid = this.checkKey(key, version)
    if (invalid) return this.error(400, invalid)
    if (this.entries.some((e) => e.key === key && e.version === version)) {
      return this.error(
        409,
        'cache entry with the same key, version, and scope already exists'
      )
    }
    const id = this.nextId++
    const entry: StoredEntry = {
      id,
      key: key as string,
      version: version as string,
      sizeBytes: 0,
      createdAt: new Date().toISOString(),
      finalized: false,
      blob: `${id}-${randomBytes(8).toString('hex')}`,
      blocks: new Map()
    }
    this.entries.push(entry)
    return json(200, {
      ok: true,
      signed_upload_url: this.sign(entry.blob, 'cw')
    })
  }

  private finalize(body: Record<string, unknown>): Reply {
    const { key, version } = body
    const invalid = this.checkKey(key, version)
    if (invalid) return this.error(400, invalid)
    const size = Number(body['size_bytes'] ?? 0)
    const entry = this.entries.find(
      (e) => e.key === key && e.version === version && !e.finalized
    )
    if (!entry?.data)
      return this.error(
        404,
        'no uploaded cache entry with this key and version'
      )
    if (!Number.isSafeInteger(size) || size !== entry.data.length) {
      return this.error(
        400,
        `size_bytes ${String(body['size_bytes'])} is not the ${entry.data.length} bytes uploaded`
      )
    }
    entry.finalized = true
    entry.sizeBytes = size
    return json(200, { ok: true, entry_id: String(entry.id) })
  }

  private lookUp(body: Record<string, unknown>): Reply {
    const { key, version } = body
    const invalid = this.checkKey(key, version)
    if (invalid) return this.error(400, invalid)
    const restoreKeys = Array.isArray(body['restore_keys'])
      ? body['restore_keys'].filter((k): k is string => typeof k === 'string')
      : []
    const candidates = this.entries
      .filter((e) => e.finalized && e.version === version)
      .reverse()
    const found =
      candidates.find((e) => e.key === key) ??
      [key as string, ...restoreKeys]
        .map((prefix) => candidates.find((e) => e.key.startsWith(prefix)))
        .find(Boolean)
    if (!found) return json(200, { ok: false })
    return json(200, {
      ok: true,
      signed_download_url: this.sign(found.blob, 'r'),
      matched_key: found.key
    })
  }

  // ------------------------------------------------------------ blob URLs

  private signature(blob: string, permissions: string, expiry: string) {
    return createHmac('sha256', this.signingKey)
      .update(`${ACCOUNT}\n${CONTAINER}\n${blob}\n${permissions}\n${expiry}`)
      .digest('base64')
  }

  private sign(blob: string, permissions: string): string {
    const expiry = new Date(Date.now() + this.ttl * 1000).toISOString()
    const sig = this.signature(blob, permissions, expiry)
    this.secrets.add(sig)
    this.secrets.add(encodeURIComponent(sig))
    const query = new URLSearchParams({
      sv: '2025-01-05',
      se: expiry,
      sr: 'b',
      sp: permissions,
      sig
    })
    return `${this.url}/${ACCOUNT}/${CONTAINER}/${blob}?${query.toString()}`
  }

  /** The entry a signed blob URL stands for, if its signature allows `needed`. */
  private authorize(
    ctx: Context,
    needed: string
  ): { entry: StoredEntry } | { reply: Reply } {
    const blob = ctx.params['blob']
    const expiry = ctx.query.get('se') ?? ''
    const permissions = ctx.query.get('sp') ?? ''
    const given = Buffer.from(ctx.query.get('sig') ?? '')
    const wanted = Buffer.from(this.signature(blob, permissions, expiry))
    const denied = (message: string) => ({
      reply: azureError(403, 'AuthenticationFailed', message)
    })
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
      return denied('Signature did not match.')
    if (!(Date.parse(expiry) > Date.now()))
      return denied('Signed expiry time has passed.')
    if (!permissions.includes(needed))
      return denied('This request is not authorized to perform this operation.')
    const entry = this.entries.find((e) => e.blob === blob)
    if (!entry)
      return {
        reply: azureError(
          404,
          'BlobNotFound',
          'The specified blob does not exist.'
        )
      }
    return { entry }
  }

  /** Blob bodies are kept out of the request log (their size stays). */
  private shortenLoggedBody(ctx: Context): void {
    for (let i = this.requests.length - 1; i >= 0; i--) {
      const logged = this.requests[i]
      if (logged.method === 'PUT' && logged.path === ctx.path) {
        if (typeof logged.body === 'string')
          logged.body = `<${ctx.raw.length} bytes>`
      }
    }
  }

  private putBlob(ctx: Context): Reply {
    this.shortenLoggedBody(ctx)
    const allowed = this.authorize(ctx, 'w')
    if ('reply' in allowed) return allowed.reply
    const { entry } = allowed
    if (entry.finalized)
      return azureError(409, 'BlobImmutable', 'The cache entry is finalized.')
    const comp = ctx.query.get('comp')
    const headers = {
      etag: `"0x${randomBytes(8).toString('hex').toUpperCase()}"`,
      'last-modified': new Date().toUTCString(),
      'x-ms-request-id': randomBytes(16).toString('hex'),
      'x-ms-version': '2025-01-05',
      'x-ms-request-server-encrypted': 'true'
    }
    if (comp === 'block') {
      const id = ctx.query.get('blockid')
      if (!id)
        return azureError(
          400,
          'MissingRequiredQueryParameter',
          'blockid is required.'
        )
      entry.blocks.set(id, Buffer.from(ctx.raw))
      return { status: 201, raw: '', headers }
    }
    if (comp === 'blocklist') {
      const ids = [
        ...ctx.text.matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)</g)
      ].map((m) => m[1])
      const missing = ids.find((id) => !entry.blocks.has(id))
      if (ids.length === 0 || missing !== undefined)
        return azureError(
          400,
          'InvalidBlockList',
          'The specified block list is invalid.'
        )
      entry.data = Buffer.concat(ids.map((id) => entry.blocks.get(id)!))
      entry.blocks.clear()
      return { status: 201, raw: '', headers }
    }
    if (comp)
      return azureError(
        400,
        'InvalidQueryParameterValue',
        `comp=${comp} is not supported here.`
      )
    if ((ctx.headers['x-ms-blob-type'] ?? '') !== 'BlockBlob')
      return azureError(
        400,
        'MissingRequiredHeader',
        'x-ms-blob-type must be BlockBlob.'
      )
    entry.data = Buffer.from(ctx.raw)
    return { status: 201, raw: '', headers }
  }

  private getBlob(ctx: Context, withBody: boolean): Reply {
    const allowed = this.authorize(ctx, 'r')
    if ('reply' in allowed) return allowed.reply
    const data = allowed.entry.finalized ? allowed.entry.data : undefined
    if (!data)
      return azureError(
        404,
        'BlobNotFound',
        'The specified blob does not exist.'
      )
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      'x-ms-blob-type': 'BlockBlob',
      'last-modified': new Date(allowed.entry.createdAt).toUTCString(),
      'x-ms-request-id': randomBytes(16).toString('hex'),
      'x-ms-version': '2025-01-05'
    }
    const range = String(
      ctx.headers['x-ms-range'] ?? ctx.headers['range'] ?? ''
    )
    const match = /^bytes=(\d+)-(\d*)$/.exec(range)
    if (match) {
      const start = Number(match[1])
      const end = Math.min(
        match[2] ? Number(match[2]) : data.length - 1,
        data.length - 1
      )
      if (start > end)
        return azureError(
          416,
          'InvalidRange',
          'The range specified is invalid.'
        )
      const part = data.subarray(start, end + 1)
      return {
        status: 206,
        raw: withBody ? part : '',
        headers: {
          ...headers,
          'content-length': String(part.length),
          'content-range': `bytes ${start}-${end}/${data.length}`
        }
      }
    }
    return {
      status: 200,
      raw: withBody ? data : '',
      headers: { ...headers, 'content-length': String(data.length) }
    }
  }
}
