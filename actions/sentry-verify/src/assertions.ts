/**
 * The checks on the app's event, as Sentry's API returns it. Each names what
 * was expected and what arrived, and a failed one says where the cause
 * usually is.
 */
import type { SentryLevel } from './sentry-verify-inputs.js'
import { NONCE_TAG, type SentryEvent } from './find.js'

export interface Check {
  name: string
  expected: string
  actual: string
  pass: boolean
  /** For a failed check: where the cause usually is. */
  hint?: string
}

export interface Expectations {
  nonce: string
  release: string
  environment: string
  level: SentryLevel
  checkBreadcrumbs: boolean
  /** Values that must appear nowhere in the event (tokens, canary cookie). */
  secrets: readonly string[]
}

type Json = Record<string, unknown>

function asObject(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Json)
    : undefined
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

export function tagValue(event: SentryEvent, key: string): string | undefined {
  for (const tag of asArray(event['tags'])) {
    const t = asObject(tag)
    const value = t?.['value']
    if (
      t?.['key'] === key &&
      (typeof value === 'string' || typeof value === 'number')
    )
      return String(value)
  }
  return undefined
}

function entry(event: SentryEvent, type: string): Json | undefined {
  for (const e of asArray(event['entries'])) {
    const object = asObject(e)
    if (object?.['type'] === type) return asObject(object['data'])
  }
  return undefined
}

/** At most 200 characters of what the app sent, on one line. */
export function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat
}

function shown(value: string | undefined): string {
  return value === undefined ? '(none)' : clip(value)
}

function equality(
  name: string,
  expected: string,
  actual: string | undefined,
  hint: string
): Check {
  const pass = actual === expected
  return {
    name,
    expected,
    actual: shown(actual),
    pass,
    ...(pass ? {} : { hint })
  }
}

export function releaseOf(event: SentryEvent): string | undefined {
  const release = event['release']
  if (typeof release === 'string') return release
  const version = asObject(release)?.['version']
  return typeof version === 'string' ? version : tagValue(event, 'release')
}

/** The exception values of the event: `Type: message`. */
export function exceptionsOf(
  event: SentryEvent
): Array<{ type: string; value: string }> {
  return asArray(entry(event, 'exception')?.['values']).map((v) => {
    const object = asObject(v) ?? {}
    return {
      type: typeof object['type'] === 'string' ? object['type'] : '',
      value: typeof object['value'] === 'string' ? object['value'] : ''
    }
  })
}

export function breadcrumbsOf(
  event: SentryEvent
): Array<{ level: string; message: string; category: string }> {
  return asArray(entry(event, 'breadcrumbs')?.['values']).map((b) => {
    const object = asObject(b) ?? {}
    const text = (key: string): string =>
      typeof object[key] === 'string' ? object[key] : ''
    return {
      level: text('level'),
      message: text('message'),
      category: text('category')
    }
  })
}

const FILTERED = /^\[Filtered\]$|^\*+$|^$/
const PRIVATE_HEADERS = new Set([
  'cookie',
  'authorization',
  'x-shipyard-verify-token',
  'proxy-authorization'
])

/** What of personal data or secrets the event carries (empty when none). */
export function privateData(
  event: SentryEvent,
  secrets: readonly string[]
): string[] {
  const found: string[] = []
  const text = JSON.stringify(event)
  const leaked = secrets.filter((s) => s && text.includes(s)).length
  if (leaked)
    found.push(
      `${leaked} secret value${leaked === 1 ? '' : 's'} sent by the action (token or canary cookie)`
    )
  const request = entry(event, 'request')
  if (request) {
    const cookies = asArray(request['cookies'])
    if (cookies.length) found.push('cookies')
    for (const pair of asArray(request['headers'])) {
      const [name, value] = asArray(pair)
      if (
        typeof name === 'string' &&
        PRIVATE_HEADERS.has(name.toLowerCase()) &&
        !FILTERED.test(typeof value === 'string' ? value : '')
      )
        found.push(`the ${name} header`)
    }
  }
  const user = asObject(event['user'])
  for (const key of ['ip_address', 'email', 'username']) {
    if (user?.[key]) found.push(`user.${key}`)
  }
  return [...new Set(found)]
}

export function checkEvent(event: SentryEvent, expect: Expectations): Check[] {
  const checks: Check[] = [
    equality(
      `tag ${NONCE_TAG}`,
      expect.nonce,
      tagValue(event, NONCE_TAG),
      `the app must set the tag ${NONCE_TAG} to the nonce it was given`
    ),
    equality(
      'release',
      expect.release,
      releaseOf(event),
      "the app reports another release: set its SENTRY_RELEASE to the 'release' verified here (the commit SHA by default)"
    ),
    equality(
      'environment',
      expect.environment,
      tagValue(event, 'environment'),
      "the app reports another environment: set its SENTRY_ENVIRONMENT to 'environment'"
    ),
    equality(
      'level',
      expect.level,
      tagValue(event, 'level') ?? (event['level'] as string | undefined),
      "the error reached Sentry with another level: check the app's LoggingIntegration(event_level=…) or 'expect-level'"
    )
  ]

  const exceptions = exceptionsOf(event)
  const withNonce = exceptions.find((e) => e.value.includes(expect.nonce))
  const first = withNonce ?? exceptions[exceptions.length - 1]
  checks.push({
    name: 'exception',
    expected: 'an exception whose message holds the nonce',
    actual: first ? clip(`${first.type}: ${first.value}`) : '(no exception)',
    pass: withNonce !== undefined,
    ...(withNonce
      ? {}
      : {
          hint: 'the event is not the exception the app raised: the app must raise an error whose message contains the nonce'
        })
  })

  if (expect.checkBreadcrumbs) {
    const crumbs = breadcrumbsOf(event)
    const info = crumbs.find(
      (b) => b.level === 'info' && b.message.includes(expect.nonce)
    )
    const last = crumbs
      .slice(-3)
      .map((b) => clip(`${b.level}: ${b.message || b.category}`))
    checks.push({
      name: 'breadcrumb',
      expected: 'the INFO log record holding the nonce',
      actual: info
        ? clip(`${info.level}: ${info.message}`)
        : crumbs.length
          ? `${crumbs.length} breadcrumbs, none of them; last: ${last.join(' | ')}`
          : '(no breadcrumbs)',
      pass: info !== undefined,
      ...(info
        ? {}
        : {
            hint: 'INFO records do not reach Sentry as breadcrumbs: check LoggingIntegration(level=logging.INFO) and the logger levels in LOGGING'
          })
    })
  }

  const leaks = privateData(event, expect.secrets)
  checks.push({
    name: 'no personal data',
    expected:
      'no cookies, Authorization or token headers, user data or secrets',
    actual: leaks.length ? leaks.join(', ') : 'none',
    pass: leaks.length === 0,
    ...(leaks.length
      ? {
          hint: 'turn send_default_pii off and scrub the token header (EventScrubber denylist)'
        }
      : {})
  })
  return checks
}
