/**
 * The action's own event: one message sent with the app's DSN, tagged with
 * its own nonce and the run id, with the release and environment verified.
 * Found next to the app's event, it tells the two halves of a failure apart:
 * when it arrives and the app's does not, Sentry, the DSN and the project
 * work, and the app is what does not send.
 *
 * It is one envelope (`POST {dsn host}/api/{project id}/envelope/`,
 * authenticated by `X-Sentry-Auth`), exactly what an SDK sends for a
 * message, so no SDK is loaded for it.
 */
import * as core from '@actions/core'
import { errorMessage, scrub, type SentryDsn } from '@shipyard/action-kit'
import { randomBytes } from 'node:crypto'
import { NONCE_TAG } from './find.js'

export const CLIENT = 'shipyard-sentry-verify/0.1.0'

export interface SyntheticEvent {
  eventId: string
  nonce: string
  sentAt: number
}

export interface SyntheticOptions {
  dsn: SentryDsn
  nonce: string
  release: string
  environment: string
  runId?: string
}

/** The envelope of one message event, as SDKs write it. */
export function envelope(eventId: string, options: SyntheticOptions): string {
  const now = new Date()
  const event = {
    event_id: eventId,
    timestamp: now.getTime() / 1000,
    platform: 'node',
    level: 'info',
    logger: 'shipyard.sentry-verify',
    message: {
      formatted: `shipyard sentry-verify: synthetic event (nonce=${options.nonce})`
    },
    release: options.release,
    environment: options.environment,
    tags: {
      [NONCE_TAG]: options.nonce,
      'shipyard.synthetic': 'true',
      ...(options.runId ? { 'shipyard.run_id': options.runId } : {})
    },
    sdk: { name: 'shipyard.sentry-verify', version: '0.1.0' }
  }
  const payload = JSON.stringify(event)
  return [
    JSON.stringify({ event_id: eventId, sent_at: now.toISOString() }),
    JSON.stringify({
      type: 'event',
      content_type: 'application/json',
      length: Buffer.byteLength(payload)
    }),
    payload
  ].join('\n')
}

/**
 * Sends the event; a refusal by Sentry's ingestion (wrong key, rate limit)
 * is returned as a problem, not thrown: the app's event decides. The
 * envelope is not JSON, which the kit's HttpClient sends, hence `fetch`,
 * with a short retry of its own (Sentry stores an event id once, so a
 * resend cannot duplicate it).
 */
export async function sendSynthetic(
  options: SyntheticOptions,
  sleep: (ms: number) => Promise<void> = (ms) =>
    new Promise((resolve) => setTimeout(resolve, ms))
): Promise<SyntheticEvent | { problem: string }> {
  const { dsn } = options
  const eventId = randomBytes(16).toString('hex')
  const body = envelope(eventId, options)
  const sentAt = Date.now()
  let problem = ''
  for (let attempt = 1; attempt <= 3; attempt++) {
    let status: number | undefined
    try {
      const response = await fetch(dsn.envelopeUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-sentry-envelope',
          'user-agent': CLIENT,
          'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${dsn.publicKey}, sentry_client=${CLIENT}`
        },
        body,
        signal: AbortSignal.timeout(10_000)
      })
      await response.arrayBuffer()
      status = response.status
      if (response.ok) return { eventId, nonce: options.nonce, sentAt }
      problem =
        status === 429
          ? 'Sentry rate-limits events sent with this DSN (429): the project or organization is over its quota or rate limit'
          : status === 401 || status === 403
            ? `Sentry's ingestion refused the DSN (${status}): its key is disabled, deleted or of another project`
            : `Sentry's ingestion answered ${status} to the action's own event`
    } catch (error) {
      problem = `the action's own event could not be sent to ${dsn.host}: ${errorMessage(error)}`
    }
    if (status !== undefined && status < 500 && status !== 429) break
    if (attempt < 3) await sleep(500 * attempt)
  }
  core.warning(scrub(problem))
  return { problem: scrub(problem) }
}
