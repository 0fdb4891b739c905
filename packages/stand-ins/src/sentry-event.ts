/**
 * What Sentry derives from an event payload as an SDK sent it: title,
 * culprit, metadata, the tag list (the event's own tags plus `level`,
 * `environment`, `release`, … as Sentry adds them), the grouping key, and the
 * `entries` of the event API (exception, breadcrumbs, request, message, …),
 * following `src/sentry/api/serializers/models/event.py` and the interfaces'
 * `get_api_context()`.
 */
import { createHash } from 'node:crypto'
import type { Json } from './sentry-envelope.js'

export interface Tag {
  key: string
  value: string
}

/** The fields of a stored event that the web API filters, groups and shows. */
export interface EventView {
  type: 'error' | 'default' | 'transaction'
  title: string
  /** The formatted message (`logentry.formatted`, `message`), or ''. */
  message: string
  culprit: string | null
  location: string | null
  level: string
  environment: string | null
  release: string | null
  dist: string | null
  platform: string
  /** `timestamp` of the event, in ms since the epoch. */
  timestamp: number
  tags: Tag[]
  metadata: Json
  /** Grouping components: the fingerprint or exception type+value / message. */
  grouping: string[]
  unhandled: boolean
  logger: string | null
  transaction: string | null
  user: Json | null
  exceptionTypes: string[]
  exceptionValues: string[]
  traceId: string | null
}

export function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

/** `{values: [...]}` or a bare array, as SDKs send exception/breadcrumbs/threads. */
function values(value: unknown): Json[] {
  const list = Array.isArray(value)
    ? value
    : asArray(asObject(value)?.['values'])
  return list.map(asObject).filter((v): v is Json => v !== undefined)
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean')
    return String(value)
  return undefined
}

/** An SDK timestamp (seconds since the epoch, or RFC 3339) in ms. */
export function timestampMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000
  if (typeof value === 'string') {
    const parsed = Date.parse(
      /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`
    )
    if (Number.isFinite(parsed)) return parsed
  }
  return undefined
}

export function iso(ms: number): string {
  return new Date(ms).toISOString()
}

const LEVELS: Record<string, string> = {
  warn: 'warning',
  critical: 'fatal',
  log: 'info'
}

function normalizeLevel(value: unknown): string {
  const level = (asString(value) ?? 'error').toLowerCase()
  return LEVELS[level] ?? level
}

function firstLine(text: string, max = 100): string {
  const line = text.split('\n')[0]?.trim() ?? ''
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

function frames(exception: Json): Json[] {
  return values(asObject(exception['stacktrace'])?.['frames'])
}

/** The frame Sentry blames: the last in-app frame, else the last frame. */
function culpritFrame(exception: Json | undefined): Json | undefined {
  if (!exception) return undefined
  const list = frames(exception)
  return [...list].reverse().find((f) => f['in_app'] === true) ?? list.at(-1)
}

/** The user tags of an event: `{k: v}`, `[[k, v]]` or `[{key, value}]`. */
function userTags(raw: unknown): Tag[] {
  const tags: Tag[] = []
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      if (Array.isArray(entry)) {
        const key = scalar(entry[0])
        const value = scalar(entry[1])
        if (key && value !== undefined) tags.push({ key, value })
      } else {
        const object = asObject(entry)
        const key = scalar(object?.['key'])
        const value = scalar(object?.['value'])
        if (key && value !== undefined) tags.push({ key, value })
      }
    }
  } else {
    for (const [key, value] of Object.entries(asObject(raw) ?? {})) {
      const text = scalar(value)
      if (text !== undefined) tags.push({ key, value: text })
    }
  }
  return tags
}

function userTagValue(user: Json): string | undefined {
  for (const [field, prefix] of [
    ['id', 'id'],
    ['username', 'username'],
    ['email', 'email'],
    ['ip_address', 'ip']
  ] as const) {
    const value = scalar(user[field])
    if (value) return `${prefix}:${value}`
  }
  return undefined
}

function requestUrl(payload: Json): string | undefined {
  return asString(asObject(payload['request'])?.['url'])
}

/** Everything the web API needs from a payload, computed once when stored. */
export function describeEvent(
  payload: Json,
  itemType: string,
  receivedAt: number
): EventView {
  const exceptions = values(payload['exception'])
  const main = exceptions.at(-1)
  const logentry = asObject(payload['logentry'])
  const messageText =
    asString(logentry?.['formatted']) ??
    asString(logentry?.['message']) ??
    asString(payload['message']) ??
    asString(asObject(payload['message'])?.['formatted']) ??
    ''
  const transaction = asString(payload['transaction']) ?? null
  const type: EventView['type'] =
    itemType === 'transaction' || payload['type'] === 'transaction'
      ? 'transaction'
      : exceptions.length
        ? 'error'
        : 'default'
  const frame = culpritFrame(main)
  const exceptionTypes = exceptions.map((e) => asString(e['type']) ?? 'Error')
  const exceptionValues = exceptions.map((e) => asString(e['value']) ?? '')

  let title: string
  let metadata: Json
  if (type === 'transaction') {
    title = transaction ?? '<unlabeled transaction>'
    metadata = { title }
  } else if (main) {
    const exceptionType = asString(main['type']) ?? 'Error'
    const value = asString(main['value']) ?? ''
    title = value ? `${exceptionType}: ${firstLine(value)}` : exceptionType
    metadata = {
      type: exceptionType,
      value,
      ...(frame && asString(frame['filename'])
        ? { filename: frame['filename'] }
        : {}),
      ...(frame && asString(frame['function'])
        ? { function: frame['function'] }
        : {}),
      display_title_with_tree_label: false,
      in_app_frame_mix: frames(main).every((f) => f['in_app'] === true)
        ? 'in-app-only'
        : frames(main).some((f) => f['in_app'] === true)
          ? 'mixed'
          : 'system-only'
    }
  } else {
    title = messageText ? firstLine(messageText) : '<unlabeled event>'
    metadata = { title }
  }

  let culprit: string | null = transaction
  if (!culprit && frame) {
    const where = asString(frame['module']) ?? asString(frame['filename'])
    const fn = asString(frame['function'])
    culprit = where && fn ? `${where} in ${fn}` : (where ?? fn ?? null)
  }
  const location =
    type === 'transaction'
      ? transaction
      : (asString(frame?.['filename']) ?? null)

  const level = normalizeLevel(payload['level'])
  const environment = scalar(payload['environment']) ?? null
  const release = scalar(payload['release']) ?? null
  const dist = scalar(payload['dist']) ?? null
  const user = asObject(payload['user']) ?? null
  const mechanism = asObject(main?.['mechanism'])
  const contexts = asObject(payload['contexts']) ?? {}
  const runtime = asObject(contexts['runtime'])
  const os = asObject(contexts['os'])
  const trace = asObject(contexts['trace'])

  const derived: Tag[] = []
  const add = (key: string, value: unknown): void => {
    const text = scalar(value)
    if (text !== undefined && text !== '') derived.push({ key, value: text })
  }
  add('level', level)
  add('environment', environment)
  add('release', release)
  add('dist', dist)
  add('server_name', payload['server_name'])
  add('logger', payload['logger'])
  add('transaction', transaction)
  add('url', requestUrl(payload))
  if (user) add('user', userTagValue(user))
  if (mechanism) {
    add('mechanism', mechanism['type'])
    if (typeof mechanism['handled'] === 'boolean')
      add('handled', mechanism['handled'] ? 'yes' : 'no')
  }
  if (runtime) {
    const name = scalar(runtime['name'])
    const version = scalar(runtime['version'])
    add('runtime', name && version ? `${name} ${version}` : name)
    add('runtime.name', name)
  }
  if (os) add('os.name', os['name'])
  const reserved = new Set(derived.map((t) => t.key))
  const tags = [
    ...derived,
    ...userTags(payload['tags']).filter((t) => !reserved.has(t.key))
  ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))

  let grouping: string[]
  const defaultGrouping = main
    ? exceptions.map(
        (e) =>
          `${asString(e['type']) ?? 'Error'}: ${asString(e['value']) ?? ''}`
      )
    : [asString(logentry?.['message']) ?? messageText]
  const fingerprint = asArray(payload['fingerprint'])
    .map(scalar)
    .filter((v): v is string => v !== undefined)
  if (fingerprint.length) {
    grouping = fingerprint.flatMap((part) =>
      /^\{\{\s*default\s*\}\}$/.test(part) ? defaultGrouping : [part]
    )
  } else {
    grouping = defaultGrouping
  }

  return {
    type,
    title,
    message: messageText,
    culprit,
    location,
    level,
    environment,
    release,
    dist,
    platform: asString(payload['platform']) ?? 'other',
    timestamp: timestampMs(payload['timestamp']) ?? receivedAt,
    tags,
    metadata,
    grouping,
    unhandled: mechanism?.['handled'] === false,
    logger: asString(payload['logger']) ?? null,
    transaction,
    user,
    exceptionTypes,
    exceptionValues,
    traceId: asString(trace?.['trace_id']) ?? null
  }
}

/** The md5 Sentry shows in `fingerprints` for the grouping components. */
export function groupingHash(components: string[]): string {
  return createHash('md5').update(components.join('\n')).digest('hex')
}

// ---------------------------------------------------------------- entries

function pairs(value: unknown): Array<[string, string]> | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string') {
    return [...new URLSearchParams(value.replace(/^\?/, ''))]
  }
  if (Array.isArray(value)) {
    return value
      .filter(Array.isArray)
      .map((p: unknown[]) => [scalar(p[0]) ?? '', scalar(p[1]) ?? ''])
  }
  return Object.entries(asObject(value) ?? {})
    .map(([k, v]): [string, string] => [k, scalar(v) ?? JSON.stringify(v)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}

function cookiePairs(value: unknown): Array<[string, string]> | null {
  if (typeof value === 'string') {
    return value
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part): [string, string] => {
        const index = part.indexOf('=')
        return index < 0
          ? [part, '']
          : [part.slice(0, index), part.slice(index + 1)]
      })
  }
  return pairs(value)
}

function frameEntry(frame: Json): Json {
  const lineNo = typeof frame['lineno'] === 'number' ? frame['lineno'] : null
  const context: Array<[number, string]> = []
  if (lineNo !== null) {
    const pre = asArray(frame['pre_context']).map((l) => scalar(l) ?? '')
    const post = asArray(frame['post_context']).map((l) => scalar(l) ?? '')
    pre.forEach((line, i) => context.push([lineNo - pre.length + i, line]))
    if (typeof frame['context_line'] === 'string')
      context.push([lineNo, frame['context_line']])
    post.forEach((line, i) => context.push([lineNo + 1 + i, line]))
  }
  return {
    filename: asString(frame['filename']) ?? null,
    absPath: asString(frame['abs_path']) ?? null,
    module: asString(frame['module']) ?? null,
    package: asString(frame['package']) ?? null,
    platform: asString(frame['platform']) ?? null,
    instructionAddr: asString(frame['instruction_addr']) ?? null,
    symbolAddr: asString(frame['symbol_addr']) ?? null,
    function: asString(frame['function']) ?? null,
    rawFunction: asString(frame['raw_function']) ?? null,
    symbol: asString(frame['symbol']) ?? null,
    context,
    lineNo,
    colNo: typeof frame['colno'] === 'number' ? frame['colno'] : null,
    inApp: frame['in_app'] === true,
    trust: null,
    errors: null,
    lock: null,
    sourceLink: null,
    vars: asObject(frame['vars']) ?? null
  }
}

function stacktraceEntry(stacktrace: unknown): Json | null {
  const object = asObject(stacktrace)
  if (!object) return null
  const list = values(object['frames'])
  return {
    frames: list.map(frameEntry),
    framesOmitted: null,
    registers: asObject(object['registers']) ?? null,
    hasSystemFrames: list.some((f) => f['in_app'] !== true)
  }
}

function breadcrumbTimestamp(value: unknown): string | null {
  const ms = timestampMs(value)
  return ms === undefined ? null : iso(ms)
}

/** The `entries` list of the event API, in Sentry's display order. */
export function eventEntries(payload: Json): Json[] {
  const entries: Json[] = []
  const logentry = asObject(payload['logentry'])
  const message =
    asString(payload['message']) ??
    asString(asObject(payload['message'])?.['formatted'])
  if (logentry || message) {
    const formatted =
      asString(logentry?.['formatted']) ??
      asString(logentry?.['message']) ??
      message ??
      ''
    entries.push({
      type: 'message',
      data: {
        formatted,
        message: asString(logentry?.['message']) ?? null,
        params: logentry?.['params'] ?? null
      }
    })
  }
  const exceptions = values(payload['exception'])
  if (exceptions.length) {
    entries.push({
      type: 'exception',
      data: {
        values: exceptions.map((e) => ({
          type: asString(e['type']) ?? null,
          value: asString(e['value']) ?? null,
          module: asString(e['module']) ?? null,
          mechanism: asObject(e['mechanism']) ?? null,
          threadId: e['thread_id'] ?? null,
          stacktrace: stacktraceEntry(e['stacktrace']),
          rawStacktrace: null
        })),
        excOmitted: null,
        hasSystemFrames: exceptions.some((e) =>
          frames(e).some((f) => f['in_app'] !== true)
        )
      }
    })
  }
  const threads = values(payload['threads'])
  if (threads.length) {
    entries.push({
      type: 'threads',
      data: {
        values: threads.map((t) => ({
          id: t['id'] ?? null,
          name: asString(t['name']) ?? null,
          crashed: t['crashed'] === true,
          current: t['current'] === true,
          stacktrace: stacktraceEntry(t['stacktrace']),
          rawStacktrace: null
        }))
      }
    })
  }
  const breadcrumbs = values(payload['breadcrumbs'])
  if (breadcrumbs.length) {
    entries.push({
      type: 'breadcrumbs',
      data: {
        values: breadcrumbs.map((b) => ({
          type: asString(b['type']) ?? 'default',
          category: asString(b['category']) ?? null,
          level: normalizeLevel(b['level'] ?? 'info'),
          message: asString(b['message']) ?? null,
          data: asObject(b['data']) ?? null,
          timestamp: breadcrumbTimestamp(b['timestamp']),
          event_id: null
        }))
      }
    })
  }
  const request = asObject(payload['request'])
  if (request) {
    const data = request['data']
    entries.push({
      type: 'request',
      data: {
        apiTarget: null,
        method: asString(request['method']) ?? null,
        url: asString(request['url']) ?? null,
        query: pairs(request['query_string']) ?? [],
        fragment: asString(request['fragment']) ?? null,
        data: data ?? null,
        headers: pairs(request['headers']) ?? [],
        cookies: cookiePairs(request['cookies']) ?? [],
        env: asObject(request['env']) ?? null,
        inferredContentType:
          data === undefined || data === null
            ? null
            : typeof data === 'object'
              ? 'application/json'
              : null
      }
    })
  }
  const spans = asArray(payload['spans'])
  if (payload['type'] === 'transaction' || spans.length)
    entries.push({ type: 'spans', data: spans })
  return entries
}

/** Contexts as the API shows them: every context carries its `type`. */
export function apiContexts(payload: Json): Json {
  const contexts: Json = {}
  for (const [key, value] of Object.entries(
    asObject(payload['contexts']) ?? {}
  )) {
    const object = asObject(value)
    if (!object) continue
    contexts[key] = { ...object, type: asString(object['type']) ?? key }
  }
  return contexts
}

export function apiUser(payload: Json): Json | null {
  const user = asObject(payload['user'])
  if (!user) return null
  return {
    id: scalar(user['id']) ?? null,
    email: asString(user['email']) ?? null,
    username: asString(user['username']) ?? null,
    ip_address: asString(user['ip_address']) ?? null,
    name: asString(user['name']) ?? null,
    geo: asObject(user['geo']) ?? null,
    data: asObject(user['data']) ?? null
  }
}

export function apiSdk(payload: Json): Json | null {
  const sdk = asObject(payload['sdk'])
  if (!sdk) return null
  return {
    name: asString(sdk['name']) ?? null,
    version: asString(sdk['version']) ?? null
  }
}
