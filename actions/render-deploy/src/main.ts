/**
 * render-deploy: deploys an exact image (or commit) to a Render service and
 * proves it is live. Until issue #6 brings the domain work, this skeleton
 * validates the inputs, says what it would do, and fails: it never pretends
 * to have deployed.
 */
import * as core from '@actions/core'
import { formatDuration } from '@shipyard/action-kit'
import { getInputs } from './input-helper.js'
import type { RenderDeployInputs } from './render-deploy-inputs.js'

/** One line, without secrets, of what a run with these inputs would do. */
export function plan(inputs: RenderDeployInputs): string {
  const { trigger, source } = inputs
  const what =
    source.kind === 'image'
      ? `image ${source.image.ref}`
      : source.kind === 'commit'
        ? `commit ${source.commitId}`
        : 'its configured image or branch'
  const how =
    trigger.mode === 'api'
      ? `through the API at ${trigger.api.apiUrl.href}`
      : 'through its deploy hook'
  const after = inputs.wait
    ? `, then wait up to ${formatDuration(inputs.timeoutMs)} for it to be live`
    : ', without waiting'
  return `Would deploy ${what} to Render service ${
    trigger.mode === 'api' ? trigger.api.serviceId : trigger.serviceId
  } ${how}${after}.`
}

// eslint-disable-next-line @typescript-eslint/require-await -- the domain work of issue #6 awaits; the skeleton has nothing to wait for
export async function main(): Promise<void> {
  const inputs = getInputs()
  core.info(plan(inputs))
  throw new Error(
    'render-deploy: deploying to Render is not implemented yet (issue #6); inputs are valid.'
  )
}
