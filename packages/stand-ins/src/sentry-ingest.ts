/**
 * Event ingestion as Relay does it: authentication by DSN key (the
 * `X-Sentry-Auth` header, the `sentry_key` query parameter or the envelope
 * header's `dsn`), envelope parsing, the project check, rate limits, and the
 * accepted events waiting for asynchronous ingestion to finish. Status codes
 * and bodies are Relay's (`relay-server/src/endpoints/common.rs`,
 * `extractors/request_meta.rs`): `{"detail": …, "causes": [...]}`.
 */
import { randomBytes } from 'node:crypto'
import { json, type Context, type Reply } from './server.js'
import {
  EnvelopeError,
  IngestAuthError,
  ingestAuth,
  normalizeEventId,
  parseEnvelope,
  type AuthForm,
  type Envelope,
  type IngestAuth,
  type Json
} from './sentry-envelope.js'
import { asObject, asString, describeEvent } from './sentry-event.js'
import type {
  SentryProject,
  StoredAttachment,
  StoredEvent
} from './sentry-shapes.js'

export const INGEST_DETAIL = {
  rejectedProjectId: 'event submission rejected with_reason: ProjectId',
  ingestRateLimited: 'event rejected due to rate limit'
} as const

/** Relay's envelope item types; anything else is counted and skipped. */
const KNOWN_ITEM_TYPES = new Set([
  'event',
  'transaction',
  'security',
  'attachment',
  'form_data',
  'raw_security',
  'nel',
  'unreal_report',
  'user_report',
  'session',
  'sessions',
  'metric_buckets',
  'client_report',
  'profile',
  'profile_chunk',
  'replay_event',
  'replay_recording',
  'replay_video',
  'check_in',
  'span',
  'otel_span',
  'otel_traces_data',
  'log',
  'otel_log',
  'trace_metric',
  'feedback',
  'user_report_v2',
  'statsd',
  'metric_meta'
])

/** The rate-limit data category of an item type (Relay's `DataCategory`). */
const CATEGORY: Record<string, string> = {
  event: 'error',
  transaction: 'transaction',
  attachment: 'attachment',
  session: 'session',
  sessions: 'session',
  profile: 'profile',
  replay_event: 'replay',
  replay_recording: 'replay',
  check_in: 'monitor',
  span: 'span',
  log: 'log_item',
  feedback: 'feedback'
}

export interface IngestRateLimitSpec {
  /** Seconds the limit lasts (and `Retry-After`). Default 60. */
  retryAfter?: number
  /** Data categories (`error`, `transaction`, `attachment`, …); all when empty. */
  categories?: string[]
  scope?: 'organization' | 'project' | 'key'
  reasonCode?: string
}

interface IngestRateLimit extends Required<
  Omit<IngestRateLimitSpec, 'reasonCode'>
> {
  reasonCode?: string
  until: number
}

export interface EnvelopeRecord {
  time: string
  projectId: string
  endpoint: 'envelope' | 'store'
  status: number
  auth: AuthForm | null
  contentEncoding: string
  client: string | null
  userAgent: string | null
  eventId: string | null
  items: Array<{ type: string; length: number; kept: boolean }>
}

function detail(status: number, message: string): Reply {
  return json(status, { detail: message })
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex')
}

export class SentryIngest {
  /** Accepted events that ingestion has not finished yet. */
  private pending: StoredEvent[] = []
  /** Every accepted event by `projectId:eventId`. */
  private readonly eventIndex = new Map<string, StoredEvent>()
  private readonly orphanAttachments = new Map<string, StoredAttachment[]>()
  envelopes: EnvelopeRecord[] = []
  itemCounts: Record<string, number> = {}
  skippedItems = 0
  ingestLimit?: IngestRateLimit

  constructor(
    private readonly projects: SentryProject[],
    public ingestionDelayMs: number
  ) {}

  /** Answers ingestion with 429 for `retryAfter` seconds (all or some categories). */
  setRateLimit(spec: IngestRateLimitSpec | null): void {
    if (!spec) {
      this.ingestLimit = undefined
      return
    }
    const retryAfter = spec.retryAfter ?? 60
    this.ingestLimit = {
      retryAfter,
      categories: spec.categories ?? [],
      scope: spec.scope ?? 'organization',
      reasonCode: spec.reasonCode,
      until: Date.now() + retryAfter * 1000
    }
  }

  /** Removes and returns the events whose ingestion delay has passed. */
  takeReady(now: number): StoredEvent[] {
    const ready = this.pending.filter((e) => e.visibleAt <= now)
    if (ready.length)
      this.pending = this.pending.filter((e) => e.visibleAt > now)
    return ready
  }

  /** An accepted event (pending or not). */
  find(projectId: string, eventId: string): StoredEvent | undefined {
    return this.eventIndex.get(`${projectId}:${eventId}`)
  }

  get pendingEvents(): readonly StoredEvent[] {
    return this.pending
  }

  reset(): void {
    this.pending = []
    this.eventIndex.clear()
    this.orphanAttachments.clear()
    this.envelopes = []
    this.itemCounts = {}
    this.skippedItems = 0
    this.ingestLimit = undefined
  }

  private ingestError(error: IngestAuthError | EnvelopeError): Reply {
    if (error instanceof IngestAuthError) {
      return json(error.status, {
        detail: error.message,
        ...(error.causes.length ? { causes: error.causes } : {})
      })
    }
    return json(400, {
      detail: 'invalid event envelope',
      causes: [error.message]
    })
  }

  /** Answers `POST /api/{projectId}/envelope/` and `/store/`. */
  handle(ctx: Context, endpoint: 'envelope' | 'store'): Reply {
    const projectId = ctx.params['projectId'] ?? ''
    const headerValue = (name: string): string | undefined => {
      const value = ctx.headers[name]
      return Array.isArray(value) ? value[0] : value
    }
    const record: EnvelopeRecord = {
      time: new Date().toISOString(),
      projectId,
      endpoint,
      status: 0,
      auth: null,
      contentEncoding: (
        headerValue('content-encoding') ?? 'identity'
      ).toLowerCase(),
      client: null,
      userAgent: headerValue('user-agent') ?? null,
      eventId: null,
      items: []
    }
    this.envelopes.push(record)
    if (this.envelopes.length > 1000) this.envelopes.shift()
    const finish = (reply: Reply): Reply => {
      record.status = reply.status
      return reply
    }

    if (!/^\d+$/.test(projectId))
      return finish(
        json(400, {
          detail: 'bad project path parameter',
          causes: ['invalid digit found in string']
        })
      )

    let envelope: Envelope | undefined
    let envelopeError: EnvelopeError | undefined
    const parse = (): void => {
      if (envelope || envelopeError || !ctx.raw.length) return
      try {
        envelope =
          endpoint === 'envelope'
            ? parseEnvelope(ctx.raw)
            : this.storeEnvelope(ctx.raw)
      } catch (error) {
        if (error instanceof EnvelopeError) envelopeError = error
        else throw error
      }
    }

    let auth: IngestAuth
    const authHeaders = [
      headerValue('x-sentry-auth'),
      headerValue('authorization')
    ]
    try {
      try {
        auth = ingestAuth(authHeaders, ctx.query)
      } catch (error) {
        if (
          !(error instanceof IngestAuthError) ||
          error.message !== 'missing authorization information' ||
          endpoint !== 'envelope'
        )
          throw error
        parse()
        auth = ingestAuth(authHeaders, ctx.query, envelope?.headers['dsn'])
      }
    } catch (error) {
      if (error instanceof IngestAuthError)
        return finish(this.ingestError(error))
      throw error
    }
    record.auth = auth.form
    record.client = auth.client ?? null
    if (auth.version > 7)
      return finish(
        detail(400, `unsupported protocol version (${auth.version})`)
      )

    if (!ctx.raw.length) return finish(detail(400, 'empty request body'))
    parse()
    if (envelopeError) return finish(this.ingestError(envelopeError))
    const parsed = envelope as Envelope

    const project = this.projects.find(
      (p) => p.publicKey === auth.publicKey.toLowerCase()
    )
    if (!project || project.id !== projectId)
      return finish(detail(403, INGEST_DETAIL.rejectedProjectId))

    const now = Date.now()
    const limit =
      this.ingestLimit && this.ingestLimit.until > now
        ? this.ingestLimit
        : undefined
    if (this.ingestLimit && !limit) this.ingestLimit = undefined
    const limitedHeaders: Record<string, string> = {}
    let kept = parsed.items
    if (limit) {
      const seconds = String(Math.max(1, Math.ceil((limit.until - now) / 1000)))
      limitedHeaders['X-Sentry-Rate-Limits'] = [
        seconds,
        limit.categories.join(';'),
        limit.scope,
        ...(limit.reasonCode ? [limit.reasonCode] : [])
      ].join(':')
      kept = parsed.items.filter(
        (item) =>
          limit.categories.length > 0 &&
          !limit.categories.includes(CATEGORY[item.type] ?? item.type)
      )
      if (!kept.length || !limit.categories.length) {
        record.items = parsed.items.map((item) => ({
          type: item.type,
          length: item.payload.length,
          kept: false
        }))
        return finish(
          json(
            429,
            { detail: INGEST_DETAIL.ingestRateLimited },
            { 'Retry-After': seconds, ...limitedHeaders }
          )
        )
      }
    }

    const headerEventId = normalizeEventId(parsed.headers['event_id'])
    let responseId = headerEventId ?? null
    for (const item of parsed.items) {
      const keep = kept.includes(item)
      record.items.push({
        type: item.type,
        length: item.payload.length,
        kept: keep
      })
      if (!keep) continue
      this.itemCounts[item.type] = (this.itemCounts[item.type] ?? 0) + 1
      if (!KNOWN_ITEM_TYPES.has(item.type)) {
        this.skippedItems++
        continue
      }
      if (item.type === 'event' || item.type === 'transaction') {
        let payload: unknown
        try {
          payload = JSON.parse(item.payload.toString('utf8'))
        } catch {
          payload = undefined
        }
        const object = asObject(payload)
        if (!object) continue
        const eventId =
          normalizeEventId(object['event_id']) ?? headerEventId ?? hex(16)
        responseId ??= eventId
        this.storeEvent({
          eventId,
          project,
          itemType: item.type,
          payload: object,
          size: item.payload.length,
          auth,
          contentEncoding: record.contentEncoding,
          envelopeHeaders: parsed.headers,
          now
        })
      } else if (item.type === 'attachment') {
        const eventId = headerEventId
        if (!eventId) continue
        this.attach(project.id, eventId, {
          filename: asString(item.headers['filename']) ?? 'attachment',
          contentType:
            asString(item.headers['content_type']) ??
            'application/octet-stream',
          attachmentType:
            asString(item.headers['attachment_type']) ?? 'event.attachment',
          size: item.payload.length,
          data: Buffer.from(item.payload)
        })
      }
    }
    record.eventId = responseId
    return finish(
      json(200, responseId ? { id: responseId } : {}, limitedHeaders)
    )
  }

  /** The legacy store endpoint's JSON event as a one-item envelope. */
  private storeEnvelope(raw: Buffer): Envelope {
    let payload: unknown
    try {
      payload = JSON.parse(raw.toString('utf8'))
    } catch (error) {
      throw new EnvelopeError(`invalid JSON data: ${(error as Error).message}`)
    }
    const object = asObject(payload)
    if (!object) throw new EnvelopeError('invalid JSON data')
    return {
      headers: { event_id: object['event_id'] },
      items: [
        {
          type: object['type'] === 'transaction' ? 'transaction' : 'event',
          headers: {},
          payload: raw
        }
      ]
    }
  }

  private storeEvent(input: {
    eventId: string
    project: SentryProject
    itemType: string
    payload: Json
    size: number
    auth: IngestAuth
    contentEncoding: string
    envelopeHeaders: Json
    now: number
  }): void {
    const key = `${input.project.id}:${input.eventId}`
    // Sentry drops a second event with an id it already has.
    if (this.eventIndex.has(key)) return
    const event: StoredEvent = {
      eventId: input.eventId,
      projectId: input.project.id,
      itemType: input.itemType,
      payload: input.payload,
      view: describeEvent(input.payload, input.itemType, input.now),
      receivedAt: input.now,
      visibleAt: input.now + this.ingestionDelayMs,
      size: input.size,
      auth: input.auth.form,
      contentEncoding: input.contentEncoding,
      client: input.auth.client ?? null,
      envelopeHeaders: input.envelopeHeaders,
      groupId: null,
      attachments: this.orphanAttachments.get(key) ?? []
    }
    this.orphanAttachments.delete(key)
    this.eventIndex.set(key, event)
    this.pending.push(event)
  }

  private attach(
    projectId: string,
    eventId: string,
    attachment: StoredAttachment
  ): void {
    const key = `${projectId}:${eventId}`
    const event = this.eventIndex.get(key)
    if (event) {
      event.attachments.push(attachment)
      return
    }
    const list = this.orphanAttachments.get(key) ?? []
    list.push(attachment)
    this.orphanAttachments.set(key, list)
  }
}
