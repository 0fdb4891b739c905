/**
 * The action's own event: one message sent with the app's DSN through the
 * real @sentry/node SDK, tagged with its own nonce and the run id, with the
 * release and environment verified. Found next to the app's event, it tells
 * the two halves of a failure apart: when it arrives and the app's does
 * not, Sentry, the DSN and the project work, and the app is what does not
 * send.
 *
 * The SDK is loaded only here (dynamic import), on an isolated client and
 * scope: nothing global is initialised, no integration is installed.
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

/** What Sentry's ingestion answering `status` means for the DSN. */
function problemFor(status: number): string {
  if (status === 429) {
    return 'Sentry rate-limits events sent with this DSN (429): the project or organization is over its quota or rate limit'
  }
  if (status === 401 || status === 403) {
    return `Sentry's ingestion refused the DSN (${status}): its key is disabled, deleted or of another project`
  }
  return `Sentry's ingestion answered ${status} to the action's own event`
}

/**
 * Sends the event; a refusal by Sentry's ingestion (wrong key, rate limit)
 * is returned as a problem, not thrown: the app's event decides. The SDK's
 * transport is wrapped only to read the status of its answer.
 */
export async function sendSynthetic(
  options: SyntheticOptions
): Promise<SyntheticEvent | { problem: string }> {
  const { dsn } = options
  let eventId = randomBytes(16).toString('hex')
  const sentAt = Date.now()
  let status: number | undefined
  let problem = ''
  try {
    // Destructured, so that the bundler keeps only what is used of it.
    const { NodeClient, Scope, defaultStackParser, makeNodeTransport } =
      await import('@sentry/node')
    const client = new NodeClient({
      dsn: dsn.dsn,
      release: options.release,
      environment: options.environment,
      integrations: [],
      stackParser: defaultStackParser,
      sendClientReports: false,
      transport: (transportOptions) => {
        const transport = makeNodeTransport(transportOptions)
        return {
          ...transport,
          send: async (envelope) => {
            const result = await transport.send(envelope)
            status = result.statusCode
            return result
          }
        }
      }
    })
    const scope = new Scope()
    scope.setClient(client)
    client.init()
    scope.setTags({
      [NONCE_TAG]: options.nonce,
      'shipyard.synthetic': 'true',
      ...(options.runId ? { 'shipyard.run_id': options.runId } : {})
    })
    eventId = scope.captureMessage(
      `shipyard sentry-verify: synthetic event (nonce=${options.nonce})`,
      'info',
      { event_id: eventId }
    )
    const flushed = await client.close(10_000)
    if (status !== undefined && status >= 200 && status < 300) {
      return { eventId, nonce: options.nonce, sentAt }
    }
    problem =
      status !== undefined
        ? problemFor(status)
        : flushed
          ? `the action's own event was not sent to ${dsn.host}`
          : `the action's own event could not be sent to ${dsn.host} within 10 s`
  } catch (error) {
    problem = `the action's own event could not be sent to ${dsn.host}: ${errorMessage(error)}`
  }
  core.warning(scrub(problem))
  return { problem: scrub(problem) }
}
