/**
 * Sentry's ingestion protocol as Relay reads it: the envelope format and the
 * three places a client puts its DSN public key.
 *
 * Envelope (develop.sentry.dev/sdk/data-model/envelopes/): a JSON header line,
 * then per item a JSON header line (`type`, `length?`, …) and its payload.
 * With `length` the payload is exactly that many bytes (it may hold newlines
 * or binary data); without it, the payload runs to the next newline. Each
 * header and payload ends with a newline or the end of the body. Error texts
 * are Relay's (`relay-server/src/envelope.rs`, `extractors/request_meta.rs`).
 */

export type Json = Record<string, unknown>

export interface EnvelopeItem {
  type: string
  headers: Json
  payload: Buffer
}

export interface Envelope {
  headers: Json
  items: EnvelopeItem[]
}

/** A body Relay refuses with 400 `invalid event envelope` and this cause. */
export class EnvelopeError extends Error {}

const NEWLINE = 0x0a
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d])

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Ends a header or payload: a newline (consumed) or the end of the body. */
function terminate(buf: Buffer, offset: number): number {
  if (offset >= buf.length) return offset
  if (buf[offset] === NEWLINE) return offset + 1
  throw new EnvelopeError('missing newline after header or payload')
}

/** One JSON object from `offset` to the end of its line. */
function readHeaderLine(
  buf: Buffer,
  offset: number
): { value: unknown; end: number } {
  let start = offset
  while (start < buf.length && WHITESPACE.has(buf[start])) start++
  if (start >= buf.length) return { value: undefined, end: start }
  let end = buf.indexOf(NEWLINE, start)
  if (end < 0) end = buf.length
  let value: unknown
  try {
    value = JSON.parse(buf.subarray(start, end).toString('utf8'))
  } catch {
    value = Symbol.for('invalid')
  }
  return { value, end }
}

export function parseEnvelope(buf: Buffer): Envelope {
  const head = readHeaderLine(buf, 0)
  if (head.value === undefined)
    throw new EnvelopeError('missing envelope header')
  if (!isObject(head.value)) throw new EnvelopeError('invalid envelope header')
  const headers = head.value
  const eventId = headers['event_id']
  if (eventId !== undefined && eventId !== null && !normalizeEventId(eventId))
    throw new EnvelopeError('invalid envelope header')
  let offset = terminate(buf, head.end)
  const items: EnvelopeItem[] = []
  while (offset < buf.length) {
    const line = readHeaderLine(buf, offset)
    if (line.value === undefined)
      throw new EnvelopeError('unexpected end of file')
    if (!isObject(line.value) || typeof line.value['type'] !== 'string')
      throw new EnvelopeError('invalid item header')
    const itemHeaders = line.value
    offset = terminate(buf, line.end)
    const length = itemHeaders['length']
    let payload: Buffer
    if (length !== undefined && length !== null) {
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 0)
        throw new EnvelopeError('invalid item header')
      if (offset + length > buf.length)
        throw new EnvelopeError('unexpected end of file')
      payload = buf.subarray(offset, offset + length)
      offset = terminate(buf, offset + length)
    } else {
      let end = buf.indexOf(NEWLINE, offset)
      if (end < 0) end = buf.length
      payload = buf.subarray(offset, end)
      offset = terminate(buf, end)
    }
    items.push({
      type: itemHeaders['type'] as string,
      headers: itemHeaders,
      payload
    })
  }
  return { headers, items }
}

/** Serializes an envelope the way the SDKs do (every item gets `length`). */
export function serializeEnvelope(envelope: {
  headers: Json
  items: Array<{ headers: Json; payload: Buffer | string | Json }>
}): Buffer {
  const parts: Buffer[] = [Buffer.from(JSON.stringify(envelope.headers) + '\n')]
  for (const item of envelope.items) {
    const payload = Buffer.isBuffer(item.payload)
      ? item.payload
      : Buffer.from(
          typeof item.payload === 'string'
            ? item.payload
            : JSON.stringify(item.payload)
        )
    parts.push(
      Buffer.from(
        JSON.stringify({ ...item.headers, length: payload.length }) + '\n'
      ),
      payload,
      Buffer.from('\n')
    )
  }
  return Buffer.concat(parts)
}

/** 32 lower-case hex digits from a UUID with or without dashes, else undefined. */
export function normalizeEventId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const hex = value.replace(/-/g, '').toLowerCase()
  if (!/^[0-9a-f]{32}$/.test(hex)) return undefined
  if (
    value.includes('-') &&
    !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(value)
  )
    return undefined
  return hex
}

export interface DsnParts {
  protocol: string
  publicKey: string
  secretKey?: string
  host: string
  path: string
  projectId: string
}

export function parseDsn(dsn: string): DsnParts | undefined {
  let url: URL
  try {
    url = new URL(dsn)
  } catch {
    return undefined
  }
  if (!url.username) return undefined
  const segments = url.pathname.split('/')
  const projectId = segments.pop() ?? ''
  if (!/^\d+$/.test(projectId)) return undefined
  return {
    protocol: url.protocol.replace(/:$/, ''),
    publicKey: decodeURIComponent(url.username),
    secretKey: url.password ? decodeURIComponent(url.password) : undefined,
    host: url.host,
    path: segments.join('/'),
    projectId
  }
}

export type AuthForm = 'header' | 'query' | 'dsn'

export interface IngestAuth {
  publicKey: string
  version: number
  client?: string
  form: AuthForm
}

/** Why an ingestion request's credentials were refused: status and detail. */
export class IngestAuthError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly causes: string[] = []
  ) {
    super(message)
  }
}

function authPairs(text: string): Map<string, string> {
  const pairs = new Map<string, string>()
  for (const part of text.split(',')) {
    const index = part.indexOf('=')
    if (index < 0) continue
    pairs.set(part.slice(0, index).trim(), part.slice(index + 1).trim())
  }
  return pairs
}

function fromPairs(pairs: Map<string, string>, form: AuthForm): IngestAuth {
  const publicKey = pairs.get('sentry_key')
  if (!publicKey)
    throw new IngestAuthError(401, 'bad x-sentry-auth header', [
      'missing sentry_key'
    ])
  const rawVersion = pairs.get('sentry_version') ?? '7'
  const version = Number.parseInt(rawVersion, 10)
  if (!Number.isFinite(version))
    throw new IngestAuthError(401, 'bad x-sentry-auth header', [
      'invalid value for version'
    ])
  return { publicKey, version, client: pairs.get('sentry_client'), form }
}

/**
 * The credentials of an ingestion request, in Relay's order: the
 * `X-Sentry-Auth` (or `Authorization: Sentry …`) header, the `sentry_*` query
 * parameters, and — for envelopes only — the envelope header's `dsn`.
 */
export function ingestAuth(
  headerValues: Array<string | undefined>,
  query: URLSearchParams,
  envelopeDsn?: unknown
): IngestAuth {
  let auth: IngestAuth | undefined
  for (const value of headerValues) {
    if (!value || !/^sentry /i.test(value)) continue
    if (auth)
      throw new IngestAuthError(401, 'multiple authorization payloads detected')
    auth = fromPairs(authPairs(value.slice(7)), 'header')
  }
  if ([...query.keys()].some((key) => key.startsWith('sentry_'))) {
    if (auth)
      throw new IngestAuthError(401, 'multiple authorization payloads detected')
    const pairs = new Map<string, string>()
    for (const [key, value] of query) pairs.set(key, value)
    auth = fromPairs(pairs, 'query')
  }
  if (!auth && typeof envelopeDsn === 'string') {
    const dsn = parseDsn(envelopeDsn)
    if (dsn) auth = { publicKey: dsn.publicKey, version: 7, form: 'dsn' }
  }
  if (!auth) throw new IngestAuthError(401, 'missing authorization information')
  if (!/^[0-9a-f]{32}$/i.test(auth.publicKey))
    throw new IngestAuthError(400, 'bad sentry DSN public key')
  return auth
}
