import * as core from '@actions/core'

/** Every form of every secret registered in this process, longest first. */
const known: string[] = []

function remember(form: string): void {
  if (known.includes(form)) return
  known.push(form)
  known.sort((a, b) => b.length - a.length)
}

/**
 * Replaces every registered secret in `text` by `***`. The runner masks the
 * log, but not what we write to files (the job summary, reports, outputs of
 * tools we run): everything we write goes through this.
 */
export function scrub(text: string): string {
  let result = text
  for (const form of known) result = result.split(form).join('***')
  return result
}

/**
 * Registers a secret with the runner so that it never shows in the log, in
 * every form it may take when printed: as it is, URL-encoded, base64-encoded,
 * and line by line for multi-line values.
 */
export function maskSecret(value: string | undefined): void {
  if (!value) return
  const forms = new Set<string>([value, value.trim()])
  forms.add(encodeURIComponent(value))
  forms.add(Buffer.from(value).toString('base64'))
  forms.add(Buffer.from(value).toString('base64url'))
  for (const line of value.split(/\r?\n/)) forms.add(line.trim())
  for (const form of forms) {
    // The runner does not mask very short fragments usefully; a one-letter
    // line of a PEM key would blank out every such letter in the log.
    if (form.length >= 4) {
      core.setSecret(form)
      remember(form)
    }
  }
}

const SECRET_QUERY_KEYS =
  /^(key|token|sentry_key|secret|password|sig|signature|access_token)$/i

/**
 * A URL fit for a log line: user info and the values of query parameters that
 * carry credentials are replaced by `***`.
 */
export function redactUrl(input: string | URL): string {
  let url: URL
  try {
    url = new URL(input.toString())
  } catch {
    return '<invalid URL>'
  }
  if (url.username) url.username = '***'
  if (url.password) url.password = '***'
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_QUERY_KEYS.test(key)) url.searchParams.set(key, '***')
  }
  return url.toString().replace(/%2A%2A%2A/g, '***')
}

/** Masks a URL whose every part is secret (a deploy hook) and its secret query values. */
export function maskUrl(value: string): void {
  maskSecret(value)
  try {
    const url = new URL(value)
    if (url.password) maskSecret(decodeURIComponent(url.password))
    for (const [key, v] of url.searchParams) {
      if (SECRET_QUERY_KEYS.test(key)) maskSecret(v)
    }
  } catch {
    // An invalid URL is reported by the input parser; it is masked whole above.
  }
}
