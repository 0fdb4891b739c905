import * as core from '@actions/core'
import { formatDuration } from '@shipyard/action-kit'
import { getInputs } from './input-helper.js'

export async function main(): Promise<void> {
  const inputs = await core.group('Inputs', () => Promise.resolve(getInputs()))
  const smoke = inputs.smokeTest
    ? `smoke-test it (up to ${formatDuration(inputs.smokeTest.timeoutMs)})`
    : 'skip the smoke test'
  const push =
    inputs.push === 'auto'
      ? 'push it where the event allows'
      : inputs.push
        ? 'push it'
        : 'not push it'
  core.info(
    `docker-publish would build ${inputs.image} (engine: ${inputs.engine}, cache: ${inputs.cache}), ${smoke}, and ${push} to ${inputs.registry}.`
  )
  throw new Error(
    'docker-publish: building, smoke-testing, tagging and pushing the image are not implemented yet (issue #5); inputs are valid.'
  )
}
