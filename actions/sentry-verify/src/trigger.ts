/**
 * Making the app report an error, tagged with a fresh nonce so that exactly
 * this error is found again in Sentry:
 *
 * - `endpoint`: the app's verification endpoint. The example app's
 *   (`/_shipyard/sentry-verify/`, example/shipyard_example/views.py) takes
 *   the token in `X-Shipyard-Verify-Token` and the nonce in the query string
 *   or a JSON body, logs an INFO record (a breadcrumb), then raises: Django
 *   answers 500, which is success here. Every other answer has a clear cause.
 *   A canary cookie is sent along: it must not come back in the event.
 * - `probe-command`: `sh -c <command>` with the nonce in
 *   `SENTRY_VERIFY_NONCE`; its exit code is reported, not judged (it may
 *   crash on purpose).
 */
import * as core from '@actions/core'
import {
  ConfigurationError,
  exec,
  redactUrl,
  scrub
} from '@shipyard/action-kit'
import { randomBytes } from 'node:crypto'
import { PROBE_NONCE_ENV } from './constants.js'
import type { AppTrigger } from './sentry-verify-inputs.js'

/** The header the verification endpoint reads its token from. */
export const TOKEN_HEADER = 'X-Shipyard-Verify-Token'
/** The cookie sent as a canary for personal data in the event. */
export const CANARY_COOKIE = 'shipyard_verify_canary'

/** A nonce the example app accepts (`[A-Za-z0-9_-]{8,64}`). */
export function newNonce(): string {
  return `sv-${randomBytes(12).toString('hex')}`
}

export interface TriggerResult {
  /** When the app was asked (ms since epoch). */
  startedAt: number
  durationMs: number
  /** How it was made to fail, for the summary. */
  description: string
  /** Values that must not appear in the event. */
  canaries: string[]
}

/** The app could not be made to fail as asked: the user's to fix. */
export class TriggerError extends ConfigurationError {
  override name = 'TriggerError'
}

const RETRY_STATUS = new Set([502, 503, 504])

function explainStatus(status: number, url: string, location: string | null) {
  switch (status) {
    case 404:
      return `${url} answered 404: the verification endpoint is not there. The example app disables it unless SENTRY_VERIFY_TOKEN is set on the service; otherwise check 'trigger-path'.`
    case 401:
    case 403:
      return `${url} answered ${status}: the app refused the token. 'trigger-token' must equal the app's SENTRY_VERIFY_TOKEN.`
    case 400:
      return `${url} answered 400: the app refused the request (the nonce, sent in the query string and the JSON body, must match [A-Za-z0-9_-]{8,64}).`
    case 405:
      return `${url} answered 405: the endpoint does not accept POST.`
    default:
      if (status >= 300 && status < 400)
        return `${url} answered ${status}, a redirect${location ? ` to ${redactUrl(location)}` : ''}. The app redirects (e.g. to HTTPS, SECURE_SSL_REDIRECT): give the URL it redirects to as 'app-url'.`
      if (status < 300)
        return `${url} answered ${status}: the endpoint did not fail, so no error was raised for Sentry to record. It must raise an exception (the example app answers 500).`
      return `${url} answered ${status}.`
  }
}

async function callEndpoint(
  trigger: Extract<AppTrigger, { kind: 'endpoint' }>,
  nonce: string,
  sleep: (ms: number) => Promise<void>
): Promise<TriggerResult> {
  const url = new URL(trigger.url.href)
  url.searchParams.set('nonce', nonce)
  const shown = redactUrl(trigger.url)
  const canary = `canary-${randomBytes(12).toString('hex')}`
  const startedAt = Date.now()
  for (let attempt = 1; ; attempt++) {
    let response: Response
    try {
      response = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          [TOKEN_HEADER]: trigger.token,
          'content-type': 'application/json',
          accept: 'application/json, text/html;q=0.5',
          cookie: `${CANARY_COOKIE}=${canary}`,
          'user-agent': 'shipyard-sentry-verify'
        },
        body: JSON.stringify({ nonce }),
        signal: AbortSignal.timeout(30_000)
      })
      await response.arrayBuffer()
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code
      if (attempt < 3 && cause === 'ECONNREFUSED') {
        await sleep(1000 * attempt)
        continue
      }
      throw new TriggerError(
        scrub(
          `Could not call the app's verification endpoint ${shown}: ${
            (error as Error).name === 'TimeoutError'
              ? 'no answer within 30 s'
              : (cause ?? (error as Error).message)
          }. Check 'app-url': the app must be running and reachable from the runner.`
        )
      )
    }
    if (RETRY_STATUS.has(response.status) && attempt < 3) {
      core.info(
        `${shown} answered ${response.status} (the app may be starting); trying again.`
      )
      await sleep(2000 * attempt)
      continue
    }
    if (response.status !== 500) {
      throw new TriggerError(
        scrub(
          explainStatus(
            response.status,
            shown,
            response.headers.get('location')
          )
        )
      )
    }
    core.info(`${shown} answered 500, as it should: the app raised its error.`)
    return {
      startedAt,
      durationMs: Date.now() - startedAt,
      description: `POST ${shown} → 500`,
      canaries: [canary]
    }
  }
}

async function runProbe(
  command: string,
  nonce: string
): Promise<TriggerResult> {
  const startedAt = Date.now()
  const result = await exec('sh', ['-c', command], {
    env: { [PROBE_NONCE_ENV]: nonce },
    silent: true
  })
  const output = `${result.stdout}\n${result.stderr}`.trim()
  if (output) {
    const tail = output.split('\n').slice(-20).join('\n')
    core.info(`probe-command output (last lines):\n${scrub(tail)}`)
  }
  if (result.exitCode === 126 || result.exitCode === 127) {
    throw new TriggerError(
      `'probe-command' could not be run (exit code ${result.exitCode}: command not found or not executable).`
    )
  }
  core.info(`probe-command exited with code ${result.exitCode}.`)
  return {
    startedAt,
    durationMs: Date.now() - startedAt,
    description: `probe-command (exit code ${result.exitCode})`,
    canaries: []
  }
}

export async function triggerError(
  trigger: AppTrigger,
  nonce: string,
  sleep: (ms: number) => Promise<void> = (ms) =>
    new Promise((resolve) => setTimeout(resolve, ms))
): Promise<TriggerResult> {
  return trigger.kind === 'endpoint'
    ? callEndpoint(trigger, nonce, sleep)
    : runProbe(trigger.command, nonce)
}
