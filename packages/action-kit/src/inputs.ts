/**
 * Strict, typed input parsing. Every action reads its inputs through these
 * functions, once, in its `getInputs()`. A value that is not exactly what is
 * accepted is a `ConfigurationError` naming the input, the value and what is
 * accepted: a typo in a boolean is never silently `false`.
 *
 * Secret inputs are masked the moment they are read, before anything could
 * print them, and their values never appear in error messages.
 */
import * as core from '@actions/core'
import { ConfigurationError } from './errors.js'
import { maskSecret, maskUrl } from './mask.js'

interface Common {
  /** Fail when the input is empty. */
  required?: boolean
  /** Mask the value and keep it out of error messages. */
  secret?: boolean
}

function shown(value: string, secret: boolean | undefined): string {
  return secret ? '(secret value, not shown)' : JSON.stringify(value)
}

/**
 * The error for a value that is not accepted: `Invalid value for input
 * 'name': "value" (reason). Accepted: …` — the value hidden when secret.
 */
export function invalidInput(
  name: string,
  value: string,
  accepted: string,
  options: { reason?: string; secret?: boolean } = {}
): ConfigurationError {
  const why = options.reason ? ` (${options.reason})` : ''
  return new ConfigurationError(
    `Invalid value for input '${name}': ${shown(value, options.secret)}${why}. Accepted: ${accepted}.`
  )
}

/** The error for an empty input that is needed: names it, says why and what is accepted. */
export function missingInput(
  name: string,
  accepted?: string,
  reason?: string
): ConfigurationError {
  const why = reason ? ` (${reason})` : ''
  const hint = accepted ? ` Accepted: ${accepted}.` : ''
  return new ConfigurationError(
    `Input required and not supplied: '${name}'${why}.${hint}`
  )
}

function invalid(
  name: string,
  value: string,
  accepted: string,
  secret?: boolean
): ConfigurationError {
  return invalidInput(name, value, accepted, { secret })
}

function missing(name: string, accepted?: string): ConfigurationError {
  return missingInput(name, accepted)
}

/**
 * Bytes that are not UTF-8 reach node as U+FFFD: the value is not the one
 * given, and nothing may be done with it.
 */
function refuseUndecodable(
  name: string,
  value: string,
  secret?: boolean
): void {
  if (value.includes('\uFFFD')) {
    throw invalidInput(name, value, 'text in UTF-8', {
      reason: 'it holds bytes that are not UTF-8',
      secret
    })
  }
}

/** The raw value, trimmed; masked at once when secret. */
function raw(name: string, secret?: boolean): string {
  const value = core.getInput(name, { trimWhitespace: true })
  if (secret) maskSecret(value)
  refuseUndecodable(name, value, secret)
  return value
}

export interface StringOptions extends Common {
  default?: string
  /** When given, the value must match it entirely. */
  pattern?: RegExp
  /** Says what `pattern` accepts, for the error message. */
  accepted?: string
}

export function getString(name: string, options: StringOptions = {}): string {
  const value = raw(name, options.secret)
  if (!value) {
    if (options.required) throw missing(name, options.accepted)
    return options.default ?? ''
  }
  if (options.pattern && !options.pattern.test(value)) {
    throw invalid(
      name,
      value,
      options.accepted ?? `a value matching ${options.pattern.source}`,
      options.secret
    )
  }
  return value
}

/** A secret: masked on read, never printed, required unless said otherwise. */
export function getSecret(
  name: string,
  options: { required?: boolean } = {}
): string {
  return getString(name, { required: options.required ?? true, secret: true })
}

const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']

export function parseBoolean(name: string, value: string): boolean {
  if (TRUE.includes(value)) return true
  if (FALSE.includes(value)) return false
  throw invalid(name, value, '`true` or `false`')
}

export function getBoolean(
  name: string,
  options: { default?: boolean; required?: boolean } = {}
): boolean {
  const value = raw(name)
  if (!value) {
    if (options.required || options.default === undefined) {
      throw missing(name, '`true` or `false`')
    }
    return options.default
  }
  return parseBoolean(name, value)
}

export interface IntegerOptions {
  default?: number
  required?: boolean
  min?: number
  max?: number
}

function range(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return `from ${min} to ${max}`
  if (min !== undefined) return `${min} or more`
  if (max !== undefined) return `${max} or less`
  return 'any'
}

export function parseInteger(
  name: string,
  value: string,
  options: IntegerOptions = {}
): number {
  const accepted = `a whole number, ${range(options.min, options.max)}`
  if (!/^[+-]?\d+$/.test(value)) throw invalid(name, value, accepted)
  const n = Number(value)
  if (
    !Number.isSafeInteger(n) ||
    (options.min !== undefined && n < options.min) ||
    (options.max !== undefined && n > options.max)
  ) {
    throw invalid(name, value, accepted)
  }
  return n
}

export function getInteger(
  name: string,
  options: IntegerOptions & { required: true }
): number
export function getInteger(
  name: string,
  options: IntegerOptions & { default: number }
): number
export function getInteger(
  name: string,
  options?: IntegerOptions
): number | undefined
/** A whole number; `undefined` when empty, optional and without default. */
export function getInteger(
  name: string,
  options: IntegerOptions = {}
): number | undefined {
  const value = raw(name)
  if (!value) {
    if (options.required) {
      throw missing(name, `a whole number, ${range(options.min, options.max)}`)
    }
    return options.default
  }
  return parseInteger(name, value, options)
}

/** A number with a decimal part allowed (a percentage, a ratio). */
export function getNumber(
  name: string,
  options: IntegerOptions & { required: true }
): number
export function getNumber(
  name: string,
  options: IntegerOptions & { default: number }
): number
export function getNumber(
  name: string,
  options?: IntegerOptions
): number | undefined
/** A number with a decimal part allowed (a percentage, a ratio). */
export function getNumber(
  name: string,
  options: IntegerOptions = {}
): number | undefined {
  const value = raw(name)
  const accepted = `a number, ${range(options.min, options.max)}`
  if (!value) {
    if (options.required) throw missing(name, accepted)
    return options.default
  }
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value)) {
    throw invalid(name, value, accepted)
  }
  const n = Number(value)
  if (
    (options.min !== undefined && n < options.min) ||
    (options.max !== undefined && n > options.max)
  ) {
    throw invalid(name, value, accepted)
  }
  return n
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000
}

const DURATION_ACCEPTED =
  'a duration such as `90s`, `10m`, `1h30m` or `500ms` (a bare number is seconds)'

/** Parses `90s`, `10m`, `1h30m`, `500ms` or a bare number of seconds into ms. */
export function parseDuration(name: string, value: string): number {
  const ms = parseDurationMs(name, value)
  // Hundreds of digits make Infinity: no duration a timeout can wait for.
  if (!Number.isFinite(ms)) throw invalid(name, value, DURATION_ACCEPTED)
  return ms
}

function parseDurationMs(name: string, value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy
  let total = 0
  let consumed = 0
  for (const match of value.matchAll(part)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0)
    consumed += match[0].length
  }
  if (consumed !== value.length || consumed === 0) {
    throw invalid(name, value, DURATION_ACCEPTED)
  }
  return Math.round(total)
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  const seconds = Math.round(ms / 1000)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return (
    [h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean).join('') || '0s'
  )
}

export interface DurationOptions {
  default?: string
  required?: boolean
  min?: string
  max?: string
}

export function getDuration(
  name: string,
  options: DurationOptions & { required: true }
): number
export function getDuration(
  name: string,
  options: DurationOptions & { default: string }
): number
export function getDuration(
  name: string,
  options?: DurationOptions
): number | undefined
/** A duration in ms; `undefined` when empty, optional and without default. */
export function getDuration(
  name: string,
  options: DurationOptions = {}
): number | undefined {
  const value = raw(name) || options.default || ''
  if (!value) {
    if (options.required) throw missing(name, DURATION_ACCEPTED)
    return undefined
  }
  const ms = parseDuration(name, value)
  const min = options.min ? parseDuration(name, options.min) : undefined
  const max = options.max ? parseDuration(name, options.max) : undefined
  if ((min !== undefined && ms < min) || (max !== undefined && ms > max)) {
    const bounds = [
      options.min && `at least ${options.min}`,
      options.max && `at most ${options.max}`
    ]
      .filter(Boolean)
      .join(' and ')
    throw invalid(name, value, `a duration ${bounds}`)
  }
  return ms
}

/** Items separated by newlines or commas; blank items and `#` comment lines are dropped. */
export function parseList(value: string): string[] {
  return value
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((item) => item.trim())
    .filter(Boolean)
}

export function getList(
  name: string,
  options: { default?: string[]; required?: boolean } = {}
): string[] {
  const items = parseList(raw(name))
  if (items.length === 0) {
    if (options.required)
      throw missing(name, 'one or more items, one a line or comma-separated')
    return options.default ?? []
  }
  return items
}

export interface UrlOptions extends Common {
  default?: string
  /** Accepted schemes, without the colon. Default: `https` only. */
  schemes?: string[]
  /**
   * Also accept plain `http://` to this machine (127.0.0.1, localhost, ::1),
   * where nothing can listen in: how tests and the demo reach local stand-ins.
   */
  httpLoopback?: boolean
}

export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set([
  '127.0.0.1',
  'localhost',
  '[::1]'
])

export function parseUrl(
  name: string,
  value: string,
  options: UrlOptions = {}
): URL {
  const schemes = options.schemes ?? ['https']
  let accepted = `an absolute URL with scheme ${schemes.map((s) => `${s}://`).join(' or ')}`
  if (options.httpLoopback) {
    accepted += ' (http:// only to 127.0.0.1, localhost or [::1])'
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalid(name, value, accepted, options.secret)
  }
  const scheme = url.protocol.replace(/:$/, '')
  const loopbackHttp =
    options.httpLoopback &&
    scheme === 'http' &&
    LOOPBACK_HOSTS.has(url.hostname)
  if ((!schemes.includes(scheme) && !loopbackHttp) || !url.hostname) {
    throw invalid(name, value, accepted, options.secret)
  }
  return url
}

export function getUrl(
  name: string,
  options: UrlOptions & { required: true }
): URL
export function getUrl(
  name: string,
  options: UrlOptions & { default: string }
): URL
export function getUrl(name: string, options?: UrlOptions): URL | undefined
export function getUrl(
  name: string,
  options: UrlOptions = {}
): URL | undefined {
  const value = core.getInput(name, { trimWhitespace: true })
  if (options.secret && value) maskUrl(value)
  refuseUndecodable(name, value, options.secret)
  const effective = value || options.default
  if (!effective) {
    if (options.required) throw missing(name, 'an absolute URL')
    return undefined
  }
  return parseUrl(name, effective, options)
}

export function getEnum<const T extends string>(
  name: string,
  accepted: readonly T[],
  options: { default?: T; required?: boolean } = {}
): T {
  const list = accepted.map((a) => `\`${a}\``).join(', ')
  const value = raw(name)
  if (!value) {
    if (options.required || options.default === undefined)
      throw missing(name, list)
    return options.default
  }
  if (!(accepted as readonly string[]).includes(value)) {
    throw invalid(name, value, `one of ${list}`)
  }
  return value as T
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/
const KEY_ACCEPTED =
  'KEY made of letters, digits and underscores, not starting with a digit'

export interface KeyValueOptions {
  /** Mask the values (all but the plainly harmless: see `isTrivialValue`). */
  secret?: boolean
  /** What a key may be (default: an environment variable name). */
  keyPattern?: RegExp
  /** Says what `keyPattern` accepts, for the error message. */
  keyAccepted?: string
}

/**
 * Values that cannot be secrets and that masking would blank out all over
 * the log: booleans, numbers, `localhost`, `None`, `production` and the like.
 */
export function isTrivialValue(value: string): boolean {
  return /^(true|false|yes|no|on|off|none|null|localhost|127\.0\.0\.1|production|development|staging|test|debug|info|warning|error|[-+]?\d+(\.\d+)?)$/i.test(
    value
  )
}

function maskValue(value: string): void {
  if (!isTrivialValue(value)) maskSecret(value)
}

/**
 * `KEY=VALUE` lines (blank lines and `#` comments skipped). With `secret`,
 * every value is masked as soon as it is parsed.
 */
export function parseKeyValues(
  name: string,
  value: string,
  options: KeyValueOptions = {}
): Record<string, string> {
  const keyPattern = options.keyPattern ?? KEY
  const keyAccepted = options.keyAccepted ?? KEY_ACCEPTED
  const result: Record<string, string> = {}
  const lines = value.split(/\r?\n/)
  for (const [index, line] of lines.entries()) {
    const text = line.trim()
    if (!text || text.startsWith('#')) continue
    const eq = text.indexOf('=')
    const key = eq > 0 ? text.slice(0, eq).trim() : ''
    if (!keyPattern.test(key)) {
      const shownLine = eq > 0 && options.secret ? `${key}=…` : text
      throw new ConfigurationError(
        `Invalid value for input '${name}' on line ${index + 1}: ${JSON.stringify(shownLine)}. Accepted: KEY=VALUE lines, ${keyAccepted}.`
      )
    }
    const v = text.slice(eq + 1).trim()
    if (options.secret) maskValue(v)
    if (key in result) {
      throw new ConfigurationError(
        `Invalid value for input '${name}': the key ${key} is given twice. Accepted: each key once.`
      )
    }
    result[key] = v
  }
  return result
}

export function getKeyValues(
  name: string,
  options: KeyValueOptions = {}
): Record<string, string> {
  const value = core
    .getMultilineInput(name, { trimWhitespace: false })
    .join('\n')
  if (options.secret) {
    // Mask every value before parsing can throw on a later line.
    for (const line of value.split(/\r?\n/)) {
      const eq = line.indexOf('=')
      if (eq > 0) maskValue(line.slice(eq + 1).trim())
    }
  }
  return parseKeyValues(name, value, options)
}
