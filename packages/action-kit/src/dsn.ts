/**
 * Sentry DSNs: `{protocol}://{publicKey}[:{secretKey}]@{host}{path}/{projectId}`.
 * The keys are masked the moment they are found and never appear in an error.
 */
import { ConfigurationError } from './errors.js'
import { LOOPBACK_HOSTS } from './inputs.js'
import { maskSecret } from './mask.js'

export interface SentryDsn {
  /** The DSN as given (secret). */
  dsn: string
  protocol: 'http' | 'https'
  /** The client key's public key, 32 hexadecimal digits (masked). */
  publicKey: string
  /** Legacy DSNs' `:secret` part (masked). */
  secretKey?: string
  /** `host[:port]`. */
  host: string
  /** The path before the project id, '' for sentry.io (no trailing slash). */
  path: string
  /** The numeric id of the project the key belongs to. */
  projectId: string
  /** Where SDKs send envelopes: `{proto}://{host}{path}/api/{projectId}/envelope/`. */
  envelopeUrl: URL
}

export const DSN_ACCEPTED =
  "a Sentry DSN {protocol}://{public key}@{host}{path}/{project id}, e.g. https://<32 hexadecimal digits>@o1.ingest.sentry.io/42 (the project's Settings → Client Keys); https, or http only to 127.0.0.1 or localhost"

/** What can be shown of a DSN: its keys replaced by `***`. */
export function redactDsn(value: string): string {
  try {
    const url = new URL(value)
    if (!url.username && !url.password) return '(secret value, not shown)'
    return `${url.protocol}//***@${url.host}${url.pathname}${url.search ? '?…' : ''}`
  } catch {
    return '(secret value, not shown)'
  }
}

/** Parses the DSN given in the input `name`; a `ConfigurationError` says what is wrong. */
export function parseDsn(name: string, value: string): SentryDsn {
  const fail = (problem: string): ConfigurationError =>
    new ConfigurationError(
      `Invalid value for input '${name}': ${JSON.stringify(redactDsn(value))} ${problem}. Accepted: ${DSN_ACCEPTED}.`
    )
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw fail('is not a URL')
  }
  const publicKey = decodeURIComponent(url.username)
  const secretKey = url.password ? decodeURIComponent(url.password) : undefined
  maskSecret(publicKey)
  maskSecret(secretKey)
  const protocol = url.protocol.replace(/:$/, '')
  if (protocol !== 'https' && protocol !== 'http') {
    throw fail(`has the scheme ${protocol}://`)
  }
  if (protocol === 'http' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw fail('uses http:// to a host other than 127.0.0.1 or localhost')
  }
  if (!publicKey) throw fail('has no public key before the @')
  if (!/^[0-9a-f]{32}$/i.test(publicKey)) {
    throw fail('has a public key that is not 32 hexadecimal digits')
  }
  if (url.search || url.hash) throw fail('has a query or a fragment')
  const match = /^(.*)\/(\d+)\/?$/.exec(url.pathname)
  if (!match) throw fail('does not end with a numeric project id')
  const [, path = '', projectId = ''] = match
  return {
    dsn: value,
    protocol,
    publicKey,
    secretKey,
    host: url.host,
    path,
    projectId,
    envelopeUrl: new URL(
      `${protocol}://${url.host}${path}/api/${projectId}/envelope/`
    )
  }
}
