/**
 * How the Sentry stand-in's web API reads its query parameters: Sentry's
 * offset pagination (`per_page`/`limit`, `cursor="<per_page>:<page>:<is_prev>"`
 * and the `Link` header of `sentry/api/base.py`), the `project` /
 * `environment` / `statsPeriod` filters, search terms evaluated on events
 * and issues, and the discover table (`field`, aggregates, `sort`).
 */
import type { Json } from './sentry-envelope.js'
import { asString, iso } from './sentry-event.js'
import {
  numberMatches,
  periodMs,
  SearchError,
  timeMatches,
  valueMatches,
  type SearchTerm
} from './sentry-search.js'
import type {
  Issue,
  IssueStatus,
  SentryProject,
  StoredEvent
} from './sentry-shapes.js'

/** A query parameter Sentry refuses: 400 `{"detail": message}`. */
export class ParseError extends Error {}

/** A project the token may not see: 403 `{"detail": message}`. */
export class ForbiddenError extends Error {}

/** Search keys that qualify the issue rather than its events. */
export const ISSUE_KEYS = new Set([
  'is',
  'firstSeen',
  'age',
  'lastSeen',
  'timesSeen',
  'times_seen',
  'issue',
  'issue.id',
  'assigned',
  'assigned_or_suggested',
  'bookmarks'
])

export const ISSUE_STATUS: Record<string, IssueStatus> = {
  unresolved: 'unresolved',
  resolved: 'resolved',
  ignored: 'ignored',
  archived: 'ignored'
}

export const DATASETS = [
  'errors',
  'logs',
  'profile_functions',
  'spans',
  'tracemetrics',
  'uptime_results'
]

export interface PageOptions {
  defaultPerPage?: number
  maxPerPage?: number
  /** `per_page`, or `limit` for the issues endpoint. */
  param?: string
}

/** One page of `rows` and its `Link` header, as `BasePaginator` builds it. */
export function paginate<T>(
  baseUrl: string,
  path: string,
  query: URLSearchParams,
  rows: T[],
  options: PageOptions = {}
): { page: T[]; headers: Record<string, string> } {
  const param = options.param ?? 'per_page'
  const defaultPerPage = options.defaultPerPage ?? 100
  const maxPerPage = Math.max(options.maxPerPage ?? 100, defaultPerPage)
  const rawPerPage = query.get(param)
  let perPage = defaultPerPage
  if (rawPerPage !== null && rawPerPage !== '') {
    if (!/^\s*[+-]?\d+\s*$/.test(rawPerPage))
      throw new ParseError(`Invalid ${param} parameter.`)
    perPage = Number.parseInt(rawPerPage, 10)
    if (perPage > maxPerPage)
      throw new ParseError(
        `Invalid ${param} value. Cannot exceed ${maxPerPage}.`
      )
  }
  perPage = Math.max(1, perPage)
  let page = 0
  const cursor = query.get('cursor')
  if (cursor) {
    const match = /^(-?\d+(?:\.\d+)?):(-?\d+):([01])$/.exec(cursor)
    if (!match) throw new ParseError('Invalid cursor parameter.')
    page = Math.max(0, Number(match[2]))
    const size = Math.floor(Number(match[1]))
    if (size > 0 && rawPerPage === null) perPage = Math.min(size, maxPerPage)
  }
  const offset = page * perPage
  const rest = new URLSearchParams(query)
  rest.delete('cursor')
  // Sentry's LINK_HEADER: `<{uri}&cursor={cursor}>` even when uri ends in `?`.
  const uri = `${baseUrl}${path}?${rest.toString()}`
  const link = (rel: string, c: string, results: boolean): string =>
    `<${uri}&cursor=${c}>; rel="${rel}"; results="${results}"; cursor="${c}"`
  return {
    page: rows.slice(offset, offset + perPage),
    headers: {
      Link: [
        link('previous', `${perPage}:${page - 1}:1`, page > 0),
        link('next', `${perPage}:${page + 1}:0`, rows.length > offset + perPage)
      ].join(', ')
    }
  }
}

/** The `project` parameter: ids of the organization's projects (all by default, or `-1`). */
export function projectFilter(
  query: URLSearchParams,
  projects: SentryProject[],
  forbidden: string
): Set<string> {
  const requested = query.getAll('project').filter((p) => p !== '')
  if (!requested.length || requested.includes('-1'))
    return new Set(projects.map((p) => p.id))
  const ids = new Set<string>()
  for (const value of requested) {
    if (!/^-?\d+$/.test(value))
      throw new ParseError('Invalid project parameter. Values must be numbers.')
    if (!projects.some((p) => p.id === value))
      throw new ForbiddenError(forbidden)
    ids.add(value)
  }
  return ids
}

/** `statsPeriod` or `start`/`end` as a window on event timestamps. */
export function timeWindow(
  query: URLSearchParams,
  now: number
): { from: number; to: number } {
  const period = query.get('statsPeriod')
  if (period) {
    const ms = periodMs(period)
    if (ms === undefined)
      throw new ParseError(`Invalid statsPeriod: '${period}'`)
    return { from: now - ms, to: Infinity }
  }
  const start = query.get('start')
  const end = query.get('end')
  if (start || end) {
    const from = start ? Date.parse(start) : -Infinity
    const to = end ? Date.parse(end) : Infinity
    if (Number.isNaN(from) || Number.isNaN(to))
      throw new ParseError('start and end must be ISO 8601 dates')
    return { from, to }
  }
  return { from: -Infinity, to: Infinity }
}

export function newestFirst(events: StoredEvent[]): StoredEvent[] {
  return [...events].sort(
    (a, b) => b.view.timestamp - a.view.timestamp || b.receivedAt - a.receivedAt
  )
}

/** Issue-level terms: status, first/last seen, times seen, short id. */
export function issueTermMatches(
  term: SearchTerm,
  issue: Issue,
  now: number
): boolean {
  let ok: boolean
  switch (term.key) {
    case 'is':
      ok = term.values.some((value) => {
        const status = ISSUE_STATUS[value]
        if (status) return issue.status === status
        if (value === 'unassigned' || value === 'unlinked') return true
        if (['assigned', 'linked', 'for_review', 'bookmarked'].includes(value))
          return false
        throw new SearchError(`Invalid status value of '${value}'`)
      })
      break
    case 'firstSeen':
    case 'age':
      ok = timeMatches(term, issue.firstSeen, now)
      break
    case 'lastSeen':
      ok = timeMatches(term, issue.lastSeen, now)
      break
    case 'timesSeen':
    case 'times_seen':
      ok = numberMatches(term, issue.events.length)
      break
    case 'issue':
    case 'issue.id':
      ok = term.values.some(
        (v) => v === issue.id || v.toUpperCase() === issue.shortId
      )
      break
    default:
      // assigned, assigned_or_suggested, bookmarks: nobody is assigned here.
      ok = false
  }
  return term.negated ? !ok : ok
}

/** Search and field access on the stored events of one organization. */
export class EventQuery {
  constructor(
    private readonly projects: SentryProject[],
    private readonly issueOf: (event: StoredEvent) => Issue | undefined
  ) {}

  /** The values of a search key or discover field on an event (tags for unknown keys). */
  field(key: string, event: StoredEvent): string[] {
    const { view } = event
    const tag = (name: string): string[] =>
      view.tags.filter((t) => t.key === name).map((t) => t.value)
    const one = (value: string | null | undefined): string[] =>
      value === null || value === undefined || value === '' ? [] : [value]
    const bracket = /^tags\[(.+)\]$/.exec(key)
    if (bracket) return tag(bracket[1])
    switch (key) {
      case 'id':
      case 'event.id':
        return [event.eventId]
      case 'event.type':
        return [view.type]
      case 'message':
        return one(view.message || view.title)
      case 'title':
        return [view.title]
      case 'culprit':
        return one(view.culprit)
      case 'location':
        return one(view.location)
      case 'platform':
        return [view.platform]
      case 'issue':
        return one(this.issueOf(event)?.shortId)
      case 'issue.id':
        return one(event.groupId)
      case 'project':
      case 'project.name':
        return one(this.projects.find((p) => p.id === event.projectId)?.slug)
      case 'project.id':
        return [event.projectId]
      case 'trace':
        return one(view.traceId)
      case 'error.type':
        return view.exceptionTypes
      case 'error.value':
        return view.exceptionValues
      case 'error.handled':
        return view.type === 'error' ? [view.unhandled ? '0' : '1'] : []
      case 'error.unhandled':
        return view.type === 'error' ? [view.unhandled ? '1' : '0'] : []
      case 'user.email':
      case 'user.id':
      case 'user.username':
      case 'user.ip':
        return one(
          asString(view.user?.[key === 'user.ip' ? 'ip_address' : key.slice(5)])
        )
      default:
        return tag(key)
    }
  }

  /** One event-level term (or, for discover, an issue-level one via its issue). */
  matches(term: SearchTerm, event: StoredEvent, now: number): boolean {
    if (ISSUE_KEYS.has(term.key ?? '')) {
      const issue = this.issueOf(event)
      return issue ? issueTermMatches(term, issue, now) : false
    }
    const { view } = event
    let ok: boolean
    if (term.key === undefined) {
      const text = (term.values[0] ?? '').toLowerCase()
      ok = [view.title, view.message, view.culprit ?? ''].some((v) =>
        v.toLowerCase().includes(text)
      )
    } else if (term.key === 'has') {
      ok = term.values.some((key) => this.field(key, event).length > 0)
    } else if (term.key === 'timestamp') {
      ok = timeMatches(term, view.timestamp, now)
    } else if (term.key === 'message' || term.key === 'title') {
      const candidates = this.field(term.key, event)
      ok = term.values.some((pattern) =>
        candidates.some((c) =>
          pattern.includes('*')
            ? valueMatches(pattern, c)
            : c.toLowerCase().includes(pattern.toLowerCase())
        )
      )
    } else {
      const candidates = this.field(term.key, event)
      ok = term.values.some((pattern) =>
        candidates.some((c) => valueMatches(pattern, c))
      )
    }
    return term.negated ? !ok : ok
  }

  /** A discover column's value on an event, typed as the errors dataset types it. */
  column(field: string, event: StoredEvent): unknown {
    switch (field) {
      case 'timestamp':
        return iso(event.view.timestamp)
      case 'project.id':
        return Number(event.projectId)
      case 'issue.id':
        return event.groupId ? Number(event.groupId) : null
      case 'release':
        return event.view.release
      case 'environment':
        return event.view.environment
      case 'level':
        return event.view.level
      case 'user.display':
        return asString(event.view.user?.['email']) ?? null
      default:
        return this.field(field, event)[0] ?? null
    }
  }

  /**
   * The discover table (`listOrganizationEvents`): one row per event with
   * the requested fields, or per group of the plain fields when aggregates
   * (`count()`, `count_unique(f)`, `last_seen()`, `first_seen()`) are asked.
   */
  table(
    events: StoredEvent[],
    fields: string[],
    terms: SearchTerm[],
    sort: string | null,
    now: number
  ): { rows: Json[]; meta: { fields: Json; units: Json } } {
    const aggregates = fields.filter((f) => /\(.*\)$/.test(f))
    for (const fn of aggregates) {
      if (!/^(count|count_unique|last_seen|first_seen)\(/.test(fn))
        throw new ParseError(`${fn} is not a valid function`)
    }
    if (sort !== null) {
      const field = sort.replace(/^-/, '')
      if (!fields.includes(field))
        throw new ParseError('Cannot order by a field that is not selected.')
    }
    const matching = newestFirst(
      events.filter((e) => terms.every((t) => this.matches(t, e, now)))
    )
    const plain = fields.filter((f) => !aggregates.includes(f))
    let rows: Json[]
    if (aggregates.length) {
      const groups = new Map<string, StoredEvent[]>()
      for (const event of matching) {
        const key = JSON.stringify(plain.map((f) => this.column(f, event)))
        groups.set(key, [...(groups.get(key) ?? []), event])
      }
      rows = [...groups.values()].map((group) => {
        const row: Json = {}
        for (const f of plain) row[f] = this.column(f, group[0])
        for (const fn of aggregates) {
          const inner = /^\w+\((.*)\)$/.exec(fn)?.[1] ?? ''
          const times = group.map((e) => e.view.timestamp)
          if (fn.startsWith('count_unique('))
            row[fn] = new Set(
              group.map((e) => JSON.stringify(this.column(inner, e)))
            ).size
          else if (fn.startsWith('count(')) row[fn] = group.length
          else if (fn.startsWith('last_seen('))
            row[fn] = iso(Math.max(...times))
          else row[fn] = iso(Math.min(...times))
        }
        return row
      })
    } else {
      rows = matching.map((event) => {
        const row: Json = {}
        for (const f of fields) row[f] = this.column(f, event)
        return row
      })
    }
    if (sort !== null) {
      const desc = sort.startsWith('-')
      const field = desc ? sort.slice(1) : sort
      rows.sort((a, b) => {
        const x = a[field] as string | number | null
        const y = b[field] as string | number | null
        const order =
          x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1
        return desc ? -order : order
      })
    }
    const types: Json = {}
    const units: Json = {}
    for (const f of fields) {
      types[f] = /^(timestamp|last_seen\(|first_seen\()/.test(f)
        ? 'date'
        : f === 'project.id' || f === 'issue.id' || f.startsWith('count')
          ? 'integer'
          : 'string'
      units[f] = null
    }
    return { rows, meta: { fields: types, units } }
  }
}
