/**
 * Finding the app's event through the web API. Ingestion is asynchronous, so
 * this polls with backoff until the event is visible or the time is up:
 *
 * 1. search the organization's errors for the nonce tag (Discover:
 *    `GET /organizations/{org}/events/?dataset=errors&field=…&query=shipyard.nonce:<nonce>`);
 * 2. get the whole event (`GET /projects/{org}/{project}/events/{id}/`),
 *    which answers 404 until ingestion has finished.
 *
 * An app may report more than one event for the request (the example app
 * also logs an ERROR record): the one with an exception is preferred, and
 * when only others are visible yet, the search goes on for a short grace.
 */
import * as core from '@actions/core'
import {
  ConfigurationError,
  errorMessage,
  HttpError
} from '@shipyard/action-kit'
import { encodeSegment, SCOPES, type SentryClient } from './sentry-client.js'

/** The tag the app sets on its event (example/shipyard_example/views.py). */
export const NONCE_TAG = 'shipyard.nonce'

export type SentryEvent = Record<string, unknown>

export interface FoundEvent {
  eventId: string
  issueId: string
  event: SentryEvent
  /** When the event was first seen through the API (ms since epoch). */
  visibleAt: number
  /** How many events carry the nonce. */
  matching: number
  polls: number
}

export interface FindOptions {
  org: string
  project: string
  projectId: string
  nonce: string
  /** Give up at this moment (ms since epoch). */
  deadline: number
  sleep?: (ms: number) => Promise<void>
  /** First wait between polls (ms); grows by half each time up to `maxIntervalMs`. */
  intervalMs?: number
  maxIntervalMs?: number
  /** How long to wait for an event with an exception once another is visible. */
  graceMs?: number
}

export interface WaitByIdOptions {
  org: string
  project: string
  eventId: string
  deadline: number
  sleep?: (ms: number) => Promise<void>
  intervalMs?: number
  maxIntervalMs?: number
}

/** Polls `GET /projects/{org}/{project}/events/{id}/` until it stops answering 404. */
export async function waitForEventId(
  client: SentryClient,
  options: WaitByIdOptions
): Promise<{ event?: SentryEvent; visibleAt?: number; problems: string[] }> {
  const sleep =
    options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
  const { org, project, eventId, deadline } = options
  let interval = options.intervalMs ?? 200
  const maxInterval = options.maxIntervalMs ?? 500
  const problems: string[] = []
  for (;;) {
    try {
      const detail = await client.get<SentryEvent>(
        `projects/${encodeSegment(org)}/${encodeSegment(project)}/events/${encodeSegment(eventId)}/`,
        {
          what: `read event ${eventId} of ${org}/${project}`,
          scopes: SCOPES.projectRead,
          accept: [404]
        }
      )
      if (detail.status !== 404 && detail.data)
        return { event: detail.data, visibleAt: Date.now(), problems }
    } catch (error) {
      if (error instanceof ConfigurationError) throw error
      if (!(error instanceof HttpError)) throw error
      problems.push(errorMessage(error))
    }
    const left = deadline - Date.now()
    if (left <= 0) return { problems }
    await sleep(Math.min(interval, left))
    interval = Math.min(maxInterval, interval * 1.5)
  }
}

export interface NotFound {
  polls: number
  /** Problems met while polling (rate limits, 5xx), newest last. */
  problems: string[]
  /** Events that carry the nonce but were never readable. */
  seen: number
}

interface DiscoverRow {
  id?: string
  'issue.id'?: string | number | null
  'error.type'?: string | string[] | null
  title?: string
}

function hasException(row: DiscoverRow): boolean {
  const type = row['error.type']
  return Array.isArray(type) ? type.length > 0 : Boolean(type)
}

export async function findEvent(
  client: SentryClient,
  options: FindOptions
): Promise<FoundEvent | NotFound> {
  const sleep =
    options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
  const { org, project, nonce, deadline } = options
  let interval = options.intervalMs ?? 200
  const maxInterval = options.maxIntervalMs ?? 500
  const graceMs = options.graceMs ?? 1500
  const problems: string[] = []
  let polls = 0
  let seen = 0
  let graceUntil: number | undefined

  for (;;) {
    polls++
    try {
      const search = await client.get<{ data?: DiscoverRow[] }>(
        `organizations/${encodeSegment(org)}/events/`,
        {
          what: `search ${org}'s errors for the tag ${NONCE_TAG}`,
          scopes: SCOPES.orgRead,
          query: {
            dataset: 'errors',
            field: ['id', 'issue.id', 'title', 'error.type', 'timestamp'],
            query: `${NONCE_TAG}:${nonce}`,
            project: [options.projectId],
            statsPeriod: '24h',
            sort: '-timestamp',
            per_page: 50
          }
        }
      )
      const rows = (search.data?.data ?? []).filter((r) => r.id)
      seen = rows.length
      const withException = rows.filter(hasException)
      if (rows.length && !withException.length && graceUntil === undefined)
        graceUntil = Date.now() + graceMs
      const candidates =
        withException.length ||
        (graceUntil !== undefined && Date.now() >= graceUntil)
          ? [...withException, ...rows.filter((r) => !hasException(r))]
          : []
      for (const row of candidates) {
        const id = String(row.id)
        const detail = await client.get<SentryEvent>(
          `projects/${encodeSegment(org)}/${encodeSegment(project)}/events/${encodeSegment(id)}/`,
          {
            what: `read event ${id} of ${org}/${project}`,
            scopes: SCOPES.projectRead,
            accept: [404]
          }
        )
        if (detail.status === 404 || !detail.data) continue
        const groupId = detail.data['groupID'] ?? row['issue.id']
        return {
          eventId: id,
          issueId:
            typeof groupId === 'string' || typeof groupId === 'number'
              ? String(groupId)
              : '',
          event: detail.data,
          visibleAt: Date.now(),
          matching: rows.length,
          polls
        }
      }
    } catch (error) {
      if (error instanceof ConfigurationError) throw error
      if (!(error instanceof HttpError)) throw error
      problems.push(errorMessage(error))
      core.info(`Still looking for the event: ${errorMessage(error)}`)
    }
    const left = deadline - Date.now()
    if (left <= 0) return { polls, problems, seen }
    await sleep(Math.min(interval, left))
    interval = Math.min(maxInterval, interval * 1.5)
  }
}

export function isFound(result: FoundEvent | NotFound): result is FoundEvent {
  return 'event' in result
}
