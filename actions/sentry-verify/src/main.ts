/**
 * sentry-verify: proves that the running app reports its errors to Sentry
 * with the right release and environment. Until issue #8 brings the domain
 * work, this skeleton validates the inputs, says what it would do, and fails:
 * it never pretends to have verified anything.
 */
import * as core from '@actions/core'
import { formatDuration } from '@shipyard/action-kit'
import { getInputs } from './input-helper.js'
import type { SentryVerifyInputs } from './sentry-verify-inputs.js'

/** One line, without secrets, of what a run with these inputs would do. */
export function plan(inputs: SentryVerifyInputs): string {
  const { trigger } = inputs
  const how =
    trigger.kind === 'endpoint'
      ? `calling ${trigger.url.href}`
      : 'running probe-command'
  const record = inputs.createRelease
    ? `record release ${inputs.release} and its deploy to ${inputs.environment}, then `
    : ''
  return `Would ${record}make the app report an error by ${how}, and wait up to ${formatDuration(
    inputs.timeoutMs
  )} for an event of level ${inputs.expectLevel} with release ${inputs.release} and environment ${
    inputs.environment
  } in ${inputs.org}/${inputs.project} on ${inputs.sentryUrl.host}.`
}

// eslint-disable-next-line @typescript-eslint/require-await -- the domain work of issue #8 awaits; the skeleton has nothing to wait for
export async function main(): Promise<void> {
  const inputs = getInputs()
  core.info(plan(inputs))
  throw new Error(
    'sentry-verify: verifying delivery to Sentry is not implemented yet (issue #8); inputs are valid.'
  )
}
