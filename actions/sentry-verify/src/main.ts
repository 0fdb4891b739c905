/**
 * sentry-verify: proves that the running app reports its errors to Sentry
 * with the right release and environment.
 *
 * 1. inputs (input-helper.ts), validated before anything is sent;
 * 2. the DSN must be a client key of org/project (config-check.ts);
 * 3. the release, its commit and the deploy are recorded (release.ts);
 * 4. the action sends its own event with the DSN (synthetic.ts) and the
 *    app is made to fail with a fresh nonce (trigger.ts);
 * 5. both events are found through the web API within `timeout` (find.ts);
 * 6. its release, environment, level, tag, exception, breadcrumb and the
 *    absence of personal data are checked (assertions.ts);
 * 7. outputs and the job summary (summary.ts), written even on failure.
 */
import * as core from '@actions/core'
import {
  ConfigurationError,
  errorMessage,
  formatDuration,
  scrub,
  writeSummary,
  type HttpClientOptions
} from '@shipyard/action-kit'
import { checkEvent, releaseOf, tagValue, type Check } from './assertions.js'
import { checkDsnProject } from './config-check.js'
import { Outputs } from './constants.js'
import { findEvent, isFound, NONCE_TAG, waitForEventId } from './find.js'
import { getInputs } from './input-helper.js'
import { deployName, recordRelease } from './release.js'
import { SentryClient } from './sentry-client.js'
import type { SentryVerifyInputs } from './sentry-verify-inputs.js'
import { renderSummary, type Report } from './summary.js'
import { sendSynthetic } from './synthetic.js'
import { newNonce, triggerError } from './trigger.js'

/** One line, without secrets, of what a run with these inputs does. */
export function plan(inputs: SentryVerifyInputs): string {
  const { trigger } = inputs
  const how =
    trigger.kind === 'endpoint'
      ? `calling ${trigger.url.href}`
      : 'running probe-command'
  const record = inputs.createRelease
    ? `record release ${inputs.release} and its deploy to ${inputs.environment}, then `
    : ''
  return `Will ${record}make the app report an error by ${how}, and wait up to ${formatDuration(
    inputs.timeoutMs
  )} for an event of level ${inputs.expectLevel} with release ${inputs.release} and environment ${
    inputs.environment
  } in ${inputs.org}/${inputs.project} on ${inputs.sentryUrl.host}.`
}

/** Seams for tests: shorter waits. */
export interface MainOptions {
  http?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl' | 'headers'>>
  sleep?: (ms: number) => Promise<void>
}

function webUrl(inputs: SentryVerifyInputs, path: string): string {
  const base = inputs.sentryUrl.href.replace(/\/+$/, '')
  return `${base}/organizations/${encodeURIComponent(inputs.org)}/${path}`
}

/** What the action's own event tells about a missing app event. */
export type SyntheticOutcome =
  | { state: 'visible'; seconds: number }
  | { state: 'missing' }
  | { state: 'unsent'; problem: string }

/** What a timeout most likely means, told apart by the action's own event. */
export function timeoutMessage(
  inputs: SentryVerifyInputs,
  polls: number,
  seen: number,
  problems: string[],
  synthetic: SyntheticOutcome
): string {
  const rateLimited = problems.some((p) => /\b429\b/.test(p))
  const appSide = [
    "the app has no DSN (SENTRY_DSN not set on the service, so sentry-sdk stays off) or another one than 'dsn'",
    'the app reports to another project or organization',
    `the app does not tag its error with ${NONCE_TAG}`
  ]
  const sentrySide = [
    rateLimited
      ? "Sentry's API rate-limited the search (429 above)"
      : 'events sent with this DSN are rate limited or dropped by Sentry (quota, inbound filters)',
    `ingestion is slower than ${formatDuration(inputs.timeoutMs)}: raise 'timeout'`
  ]
  let verdict: string
  let causes: string[]
  if (synthetic.state === 'visible') {
    verdict = ` The action's own event, sent with the same DSN, arrived in ${synthetic.seconds.toFixed(1)} s: Sentry, the DSN and the project work, and the app does not send its errors with this DSN.`
    causes = appSide
  } else if (synthetic.state === 'unsent') {
    verdict = ` The action's own event could not be sent either: ${synthetic.problem}.`
    causes = [...sentrySide, ...appSide]
  } else {
    verdict = ` The action's own event, sent with the same DSN, did not appear either: Sentry's side is the likely cause.`
    causes = [...sentrySide, ...appSide]
  }
  const found =
    seen > 0
      ? ` ${seen} event${seen === 1 ? '' : 's'} with the nonce were listed but could not be read.`
      : ''
  const last = problems.length
    ? ` Last problem while polling: ${problems[problems.length - 1]}.`
    : ''
  return `The app's event did not appear in ${inputs.org}/${inputs.project} within ${formatDuration(
    inputs.timeoutMs
  )} (${polls} searches).${verdict}${found}${last} Likely causes: ${causes.join('; ')}.`
}

/** The action's own event: visible, with what it was sent with. */
function syntheticCheck(
  outcome: SyntheticOutcome,
  event: Record<string, unknown> | undefined,
  inputs: SentryVerifyInputs,
  sentNonce: string | undefined
): Check {
  const expected = `visible, with release ${inputs.release} and environment ${inputs.environment}`
  if (outcome.state !== 'visible' || !event) {
    return {
      name: "action's own event",
      expected,
      actual:
        outcome.state === 'unsent'
          ? `not sent: ${outcome.problem}`
          : 'not visible within the timeout',
      pass: false,
      hint: 'events sent with this DSN do not reach the project: rate limits, quota or inbound filters'
    }
  }
  const release = releaseOf(event)
  const environment = tagValue(event, 'environment')
  const pass =
    release === inputs.release &&
    environment === inputs.environment &&
    tagValue(event, NONCE_TAG) === sentNonce
  return {
    name: "action's own event",
    expected,
    actual: `visible after ${outcome.seconds.toFixed(2)} s, release ${release ?? '(none)'}, environment ${environment ?? '(none)'}`,
    pass,
    ...(pass ? {} : { hint: 'Sentry changed the event it was sent' })
  }
}

function failedChecks(checks: Check[]): string {
  return checks
    .filter((c) => !c.pass)
    .map(
      (c) =>
        `${c.name}: expected ${c.expected}, the event has ${c.actual}${c.hint ? ` (${c.hint})` : ''}`
    )
    .join('; ')
}

export async function main(
  options: MainOptions = {},
  given?: SentryVerifyInputs
): Promise<void> {
  // The entry reads the inputs before loading this module, and passes them.
  const inputs = given ?? getInputs()
  core.info(plan(inputs))
  const client = new SentryClient({
    sentryUrl: inputs.sentryUrl,
    authToken: inputs.authToken,
    http: { backoffMs: 500, ...options.http }
  })
  const report: Report = {
    org: inputs.org,
    project: inputs.project,
    release: inputs.release,
    environment: inputs.environment,
    verified: false,
    checks: [],
    timings: [],
    apiRequests: 0
  }
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now()
    try {
      return await core.group(name, work)
    } finally {
      report.timings.push({ phase: name, ms: Date.now() - started })
    }
  }
  core.setOutput(Outputs.Release, inputs.release)

  try {
    const identity = await phase('Check the DSN', () =>
      checkDsnProject(client, inputs.org, inputs.project, inputs.dsn)
    )
    core.info(
      `The DSN is the client key "${identity.keyLabel}" of ${inputs.org}/${inputs.project} (project id ${identity.projectId}).`
    )

    if (inputs.createRelease) {
      report.releaseResult = await phase('Record the release and deploy', () =>
        recordRelease(client, {
          org: inputs.org,
          project: inputs.project,
          version: inputs.release,
          environment: inputs.environment,
          deployUrl: inputs.deployUrl,
          commit: process.env['GITHUB_SHA'],
          repository: process.env['GITHUB_REPOSITORY'],
          deployName: deployName(process.env, inputs.release.slice(0, 40))
        })
      )
    }

    const nonce = newNonce()
    const [synthetic, triggered] = await phase(
      "Send the action's event and make the app fail",
      () =>
        Promise.all([
          sendSynthetic({
            dsn: inputs.dsn,
            nonce: newNonce(),
            release: inputs.release,
            environment: inputs.environment,
            runId: process.env['GITHUB_RUN_ID']
          }),
          triggerError(inputs.trigger, nonce, options.sleep)
        ])
    )
    report.trigger = triggered.description

    const deadline = triggered.startedAt + inputs.timeoutMs
    const [result, own] = await phase('Wait for the events', () =>
      Promise.all([
        findEvent(client, {
          org: inputs.org,
          project: inputs.project,
          projectId: identity.projectId,
          nonce,
          deadline,
          sleep: options.sleep
        }),
        'eventId' in synthetic
          ? waitForEventId(client, {
              org: inputs.org,
              project: inputs.project,
              eventId: synthetic.eventId,
              deadline,
              sleep: options.sleep
            })
          : Promise.resolve(undefined)
      ])
    )
    const ownOutcome: SyntheticOutcome =
      'problem' in synthetic
        ? { state: 'unsent', problem: synthetic.problem }
        : own?.visibleAt !== undefined
          ? {
              state: 'visible',
              seconds: (own.visibleAt - synthetic.sentAt) / 1000
            }
          : { state: 'missing' }
    const ownCheck = syntheticCheck(
      ownOutcome,
      own?.event,
      inputs,
      'nonce' in synthetic ? synthetic.nonce : undefined
    )
    if (!isFound(result)) {
      report.checks = [
        {
          name: "app's event",
          expected: `visible within ${formatDuration(inputs.timeoutMs)}`,
          actual:
            result.seen > 0
              ? `${result.seen} listed, not readable`
              : 'not visible',
          pass: false
        },
        ownCheck
      ]
      throw new ConfigurationError(
        timeoutMessage(
          inputs,
          result.polls,
          result.seen,
          result.problems,
          ownOutcome
        )
      )
    }

    const latency = Math.max(0, result.visibleAt - triggered.startedAt) / 1000
    report.eventId = result.eventId
    report.latencySeconds = latency
    report.eventUrl = result.issueId
      ? webUrl(inputs, `issues/${result.issueId}/events/${result.eventId}/`)
      : webUrl(inputs, `discover/${inputs.project}:${result.eventId}/`)
    report.issueUrl = result.issueId
      ? webUrl(inputs, `issues/${result.issueId}/`)
      : undefined
    core.setOutput(Outputs.EventId, result.eventId)
    core.setOutput(Outputs.EventUrl, report.eventUrl)
    core.setOutput(Outputs.IssueId, result.issueId)
    core.setOutput(Outputs.IssueUrl, report.issueUrl ?? '')
    core.setOutput(Outputs.LatencySeconds, latency.toFixed(2))
    core.info(
      `Found event ${result.eventId} ${latency.toFixed(2)} s after the trigger (${result.matching} event${result.matching === 1 ? '' : 's'} carry the nonce).`
    )

    report.checks = checkEvent(result.event, {
      nonce,
      release: inputs.release,
      environment: inputs.environment,
      level: inputs.expectLevel,
      checkBreadcrumbs: inputs.checkBreadcrumbs,
      secrets: [
        inputs.authToken,
        inputs.trigger.kind === 'endpoint' ? inputs.trigger.token : '',
        inputs.dsn.secretKey ?? '',
        ...triggered.canaries
      ].filter(Boolean)
    })
    report.checks.push(ownCheck)
    for (const check of report.checks)
      core.info(
        `${check.pass ? 'pass' : 'FAIL'} ${check.name}: expected ${check.expected}; got ${check.actual}`
      )
    if (report.checks.some((c) => !c.pass)) {
      throw new ConfigurationError(
        `The app's event reached Sentry, but not as it should: ${failedChecks(report.checks)}.`
      )
    }
    report.verified = true
    core.info(
      `Verified: ${inputs.org}/${inputs.project} receives the app's errors with release ${inputs.release} and environment ${inputs.environment}.`
    )
  } catch (error) {
    report.failure = scrub(errorMessage(error))
    throw error
  } finally {
    report.apiRequests = client.requests
    core.setOutput(Outputs.Verified, String(report.verified))
    await writeSummary(renderSummary(report))
  }
}
