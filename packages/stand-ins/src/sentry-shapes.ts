/**
 * The Sentry stand-in's records and the shapes the web API answers with,
 * field for field as the response schemas of Sentry's published OpenAPI
 * document name them (`../shared/data/sentry-openapi-subset.json`).
 */
import type { AuthForm, Json } from './sentry-envelope.js'
import {
  apiContexts,
  apiSdk,
  apiUser,
  eventEntries,
  groupingHash,
  iso,
  type EventView
} from './sentry-event.js'

export interface SentryProject {
  id: string
  slug: string
  name: string
  platform: string | null
  publicKey: string
  secretKey: string
  keyLabel: string
  dateCreated: string
}

export interface StoredAttachment {
  filename: string
  contentType: string
  attachmentType: string
  size: number
  data: Buffer
}

export interface StoredEvent {
  eventId: string
  projectId: string
  /** The envelope item type: `event` or `transaction`. */
  itemType: string
  /** The event payload exactly as the SDK sent it. */
  payload: Json
  view: EventView
  receivedAt: number
  /** When asynchronous ingestion makes it visible in the web API. */
  visibleAt: number
  size: number
  auth: AuthForm
  /** `gzip`, `br`, `deflate` or `identity`: how the body came. */
  contentEncoding: string
  client: string | null
  envelopeHeaders: Json
  /** Set when ingestion finishes (errors and default events only). */
  groupId: string | null
  attachments: StoredAttachment[]
}

export type IssueStatus = 'unresolved' | 'resolved' | 'ignored'

export interface Issue {
  id: string
  shortId: string
  projectId: string
  key: string
  status: IssueStatus
  events: StoredEvent[]
  firstSeen: number
  lastSeen: number
  first: EventView
}

export interface Deploy {
  id: string
  environment: string
  name: string | null
  url: string | null
  dateStarted: string | null
  dateFinished: string
  projects: string[]
}

export interface Release {
  id: number
  version: string
  projectIds: Set<string>
  ref: string | null
  url: string | null
  dateCreated: string
  dateReleased: string | null
  dateStarted: string | null
  commitCount: number
  userAgent: string | null
  status: string
  deploys: Deploy[]
  firstEvent: number | null
  lastEvent: number | null
  /** Issues first seen in this release, per project id. */
  newGroups: Map<string, number>
}

// ---------------------------------------------------------------- releases

const HASH = /^[0-9a-f]{12,40}$/i
const SEMVER =
  /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?$/

/** `package@version+build` parsed as Sentry's `parse_release` does. */
export function versionInfo(version: string): Json {
  let pkg: string | null = null
  let rest = version
  const at = version.indexOf('@')
  if (at > 0) {
    pkg = version.slice(0, at)
    rest = version.slice(at + 1)
  }
  const plus = rest.indexOf('+')
  const core = plus >= 0 ? rest.slice(0, plus) : rest
  const build = plus >= 0 ? rest.slice(plus + 1) : null
  const semver = SEMVER.exec(core)
  const buildHash = HASH.test(rest) ? rest.toLowerCase() : null
  const parsed: Json = { raw: rest }
  if (semver) {
    Object.assign(parsed, {
      major: Number(semver[1]),
      minor: Number(semver[2] ?? 0),
      patch: Number(semver[3] ?? 0),
      revision: Number(semver[4] ?? 0),
      pre: semver[5] ?? null,
      buildCode: build,
      components: core.split('-')[0]?.split('.').length ?? 1
    })
  }
  const description = semver
    ? build
      ? `${core} (${build})`
      : core
    : buildHash
      ? buildHash.slice(0, 12)
      : rest
  return { package: pkg, version: parsed, description, buildHash }
}

export function shortVersion(version: string): string {
  return String(versionInfo(version)['description'])
}

export function deployShape(deploy: Deploy): Json {
  return {
    id: deploy.id,
    environment: deploy.environment,
    dateStarted: deploy.dateStarted,
    dateFinished: deploy.dateFinished,
    name: deploy.name,
    url: deploy.url
  }
}

function lastDeploy(release: Release): Json | null {
  const deploy = release.deploys.at(-1)
  return deploy ? deployShape(deploy) : null
}

/** `OrganizationReleaseResponse`: list, create, detail and update answers. */
export function releaseShape(
  release: Release,
  projects: SentryProject[]
): Json {
  const own = projects.filter((p) => release.projectIds.has(p.id))
  const newGroups = [...release.newGroups.values()].reduce((a, b) => a + b, 0)
  return {
    id: release.id,
    version: release.version,
    shortVersion: shortVersion(release.version),
    status: release.status,
    newGroups,
    versionInfo: versionInfo(release.version),
    data: {},
    commitCount: release.commitCount,
    deployCount: release.deploys.length,
    lastDeploy: lastDeploy(release),
    authors: [],
    projects: own.map((p) => ({
      id: Number(p.id),
      slug: p.slug,
      name: p.name,
      platform: p.platform,
      platforms: p.platform ? [p.platform] : [],
      hasHealthData: false,
      newGroups: release.newGroups.get(p.id) ?? 0
    })),
    ref: release.ref,
    url: release.url,
    dateReleased: release.dateReleased,
    dateCreated: release.dateCreated,
    dateStarted: release.dateStarted,
    owner: null,
    lastCommit: null,
    firstEvent: release.firstEvent === null ? null : iso(release.firstEvent),
    lastEvent: release.lastEvent === null ? null : iso(release.lastEvent),
    currentProjectMeta: {},
    userAgent: release.userAgent
  }
}

/** The smaller release an event detail embeds (`GroupEventReleaseSerializer`). */
export function eventReleaseShape(release: Release): Json {
  return {
    id: release.id,
    commitCount: release.commitCount,
    data: {},
    dateCreated: release.dateCreated,
    dateReleased: release.dateReleased,
    deployCount: release.deploys.length,
    ref: release.ref,
    lastCommit: null,
    lastDeploy: lastDeploy(release),
    status: release.status,
    url: release.url,
    userAgent: release.userAgent,
    version: release.version,
    versionInfo: versionInfo(release.version)
  }
}

// ---------------------------------------------------------------- events

export interface EventContext {
  release: Release | undefined
  previous: string | null
  next: string | null
}

/** The full event (`getProjectEvent`, `resolveOrganizationEventId`). */
export function eventShape(event: StoredEvent, context: EventContext): Json {
  const { view, payload } = event
  const shape: Json = {
    id: event.eventId,
    groupID: event.groupId,
    eventID: event.eventId,
    projectID: event.projectId,
    size: event.size,
    entries: eventEntries(payload),
    dist: view.dist,
    message: view.message,
    title: view.title,
    location: view.location,
    user: apiUser(payload),
    contexts: apiContexts(payload),
    sdk: apiSdk(payload),
    context: payload['extra'] ?? {},
    packages: payload['modules'] ?? {},
    type: view.type,
    metadata: view.metadata,
    tags: view.tags,
    platform: view.platform,
    dateReceived: iso(event.receivedAt),
    errors: [],
    occurrence: null,
    _meta: {},
    release: context.release
      ? eventReleaseShape(context.release)
      : view.release
        ? { version: view.release }
        : null,
    userReport: null,
    sdkUpdates: [],
    resolvedWith: [],
    nextEventID: context.next,
    previousEventID: context.previous
  }
  if (view.type === 'transaction') {
    const start = payload['start_timestamp']
    const end = payload['timestamp']
    Object.assign(shape, {
      startTimestamp:
        typeof start === 'number' ? start : Date.parse(String(start)) / 1000,
      endTimestamp: typeof end === 'number' ? end : view.timestamp / 1000,
      measurements: (payload['measurements'] as Json | undefined) ?? null,
      breakdowns: null
    })
  } else {
    Object.assign(shape, {
      crashFile: null,
      culprit: view.culprit,
      dateCreated: iso(view.timestamp),
      fingerprints: [groupingHash(view.grouping)],
      groupingConfig: {
        id: 'newstyle:2023-01-11',
        enhancements: 'KLUv_SAYwQAAkwKRs25ld3N0eWxlOjIwMjMtMDEtMTGQ'
      }
    })
  }
  return shape
}

/** The short event of lists (`SimpleEventSerializer`). */
export function simpleEventShape(event: StoredEvent): Json {
  const { view, payload } = event
  return {
    id: event.eventId,
    'event.type': view.type,
    groupID: event.groupId,
    eventID: event.eventId,
    projectID: event.projectId,
    message: view.message,
    title: view.title,
    location: view.location,
    culprit: view.culprit,
    user: apiUser(payload),
    tags: view.tags,
    platform: view.platform,
    dateCreated: iso(view.timestamp),
    crashFile: null,
    metadata: view.metadata
  }
}

// ---------------------------------------------------------------- issues

const PRIORITY: Record<string, string> = {
  fatal: 'high',
  error: 'high',
  warning: 'medium',
  info: 'low',
  debug: 'low',
  sample: 'low'
}
const ISSUE_LEVELS = new Set([
  'sample',
  'debug',
  'info',
  'warning',
  'error',
  'fatal'
])

function hourlyStats(
  events: StoredEvent[],
  now: number
): Array<[number, number]> {
  const hour = 3_600_000
  const end = Math.floor(now / hour) * hour
  const buckets: Array<[number, number]> = []
  for (let i = 23; i >= 0; i--) {
    const start = end - i * hour
    buckets.push([
      start / 1000,
      events.filter(
        (e) => e.view.timestamp >= start && e.view.timestamp < start + hour
      ).length
    ])
  }
  return buckets
}

export interface IssueContext {
  project: SentryProject
  baseUrl: string
  org: string
  now: number
  /** The events of the issue that match the query's event filters, if any. */
  matching?: StoredEvent[]
}

/** An issue as `listOrganizationIssues` answers it. */
export function issueShape(issue: Issue, context: IssueContext): Json {
  const { first } = issue
  const latest = issue.events.at(-1)
  const level = ISSUE_LEVELS.has(first.level) ? first.level : 'unknown'
  const firstSeen = iso(issue.firstSeen)
  const lastSeen = iso(issue.lastSeen)
  const matching = context.matching
  const newest = matching?.at(-1)
  const stats = { '24h': hourlyStats(issue.events, context.now) }
  return {
    id: issue.id,
    shareId: null,
    shortId: issue.shortId,
    title: first.title,
    culprit: first.culprit,
    permalink: `${context.baseUrl}/organizations/${context.org}/issues/${issue.id}/`,
    logger: first.logger,
    level,
    status: issue.status,
    statusDetails: {},
    substatus: issue.status === 'unresolved' ? 'new' : null,
    isPublic: false,
    platform: first.platform,
    priority: PRIORITY[level] ?? 'medium',
    priorityLockedAt: null,
    seerFixabilityScore: null,
    seerAutofixLastTriggered: null,
    seerExplorerAutofixLastTriggered: null,
    project: {
      id: context.project.id,
      name: context.project.name,
      slug: context.project.slug,
      platform: context.project.platform
    },
    type: first.type,
    issueType: 'error',
    issueCategory: 'error',
    metadata: first.metadata,
    numComments: 0,
    assignedTo: null,
    isBookmarked: false,
    isSubscribed: false,
    subscriptionDetails: null,
    hasSeen: false,
    annotations: [],
    isUnhandled: issue.events.some((e) => e.view.unhandled),
    count: String(issue.events.length),
    userCount: 0,
    firstSeen,
    lastSeen,
    derivedData: {
      blocker: '',
      progress: '',
      status: '',
      viewCount: 0,
      hasOpenFixPr: false,
      isAssigned: false,
      hasRootCause: false,
      lastCompletedAutofixStep: '',
      lastProgressedAt: null
    },
    stats,
    lifetime: {
      count: String(issue.events.length),
      userCount: 0,
      firstSeen,
      lastSeen,
      stats: null
    },
    filtered: matching
      ? {
          count: String(matching.length),
          userCount: 0,
          firstSeen: matching[0] ? iso(matching[0].view.timestamp) : null,
          lastSeen: newest ? iso(newest.view.timestamp) : null,
          stats: { '24h': hourlyStats(matching, context.now) }
        }
      : null,
    sessionCount: 0,
    inbox: { reason: 0, reason_details: null, date_added: firstSeen },
    owners: {
      type: 'ownershipRule',
      owner: `team:${context.project.id}`,
      date_added: firstSeen
    },
    integrationIssues: [],
    sentryAppIssues: [],
    latestEventHasAttachments: (latest?.attachments.length ?? 0) > 0,
    matchingEventId: newest ? newest.eventId : null,
    matchingEventEnvironment: newest ? newest.view.environment : null
  }
}

// ---------------------------------------------------------------- keys

/** A client key as `listProjectKeys` answers it. */
export function projectKeyShape(project: SentryProject, baseUrl: string): Json {
  const url = new URL(baseUrl)
  const host = url.host
  const proto = url.protocol.replace(/:$/, '')
  const pk = project.publicKey
  const api = `${proto}://${host}/api/${project.id}`
  return {
    id: pk,
    name: project.keyLabel,
    label: project.keyLabel,
    public: pk,
    secret: project.secretKey,
    projectId: Number(project.id),
    isActive: true,
    rateLimit: null,
    dsn: {
      secret: `${proto}://${pk}:${project.secretKey}@${host}/${project.id}`,
      public: `${proto}://${pk}@${host}/${project.id}`,
      csp: `${api}/csp-report/?sentry_key=${pk}`,
      security: `${api}/security/?sentry_key=${pk}`,
      minidump: `${api}/minidump/?sentry_key=${pk}`,
      nel: `${api}/nel/?sentry_key=${pk}`,
      unreal: `${api}/unreal/${pk}/`,
      crons: `${api}/cron/___MONITOR_SLUG___/${pk}/`,
      cdn: `${proto}://${host}/js-sdk-loader/${pk}.min.js`,
      playstation: `${api}/playstation/?sentry_key=${pk}`,
      integration: `${api}/integration/`,
      otlp_traces: `${api}/integration/otlp/v1/traces`,
      otlp_logs: `${api}/integration/otlp/v1/logs`
    },
    browserSdkVersion: 'latest',
    browserSdk: {
      choices: [
        ['latest', 'latest'],
        ['9.x', '9.x'],
        ['8.x', '8.x']
      ]
    },
    dateCreated: project.dateCreated,
    dynamicSdkLoaderOptions: {
      hasReplay: true,
      hasPerformance: true,
      hasDebug: false,
      hasFeedback: false,
      hasLogsAndMetrics: false
    },
    useCase: 'user'
  }
}
