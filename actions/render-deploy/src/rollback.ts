/**
 * A deploy that went live but fails its health check is rolled back to the
 * deploy that was live before it (`POST /services/{id}/rollback`), and the
 * action waits for that rollback to be live.
 */
import * as core from '@actions/core'
import { errorMessage } from '@shipyard/action-kit'
import type { Deploy, RenderClient } from './render-client.js'
import { waitForDeploy, type WaitOptions, type WaitResult } from './waiter.js'

export interface RollbackResult {
  /** The deploy rolled back to. */
  target: Deploy
  /** The rollback's own deploy, when Render made one. */
  deploy?: Deploy
  wait?: WaitResult
  /** True once the rollback is live. */
  live: boolean
  problem?: string
}

export async function rollBack(
  client: RenderClient,
  target: Deploy,
  wait: Omit<WaitOptions, 'label' | 'since'>
): Promise<RollbackResult> {
  core.info(
    `Rolling service ${client.serviceId} back to deploy ${target.id}, live before this one${target.image?.ref ? ` (${target.image.ref})` : ''}.`
  )
  let deploy: Deploy | undefined
  try {
    deploy = await client.rollback(target.id)
  } catch (error) {
    return { target, live: false, problem: errorMessage(error) }
  }
  if (!deploy?.id)
    return {
      target,
      live: false,
      problem: 'Render answered the rollback without a deploy'
    }
  const result = await waitForDeploy(client, deploy, {
    ...wait,
    since: Date.now(),
    label: 'rollback'
  })
  const live = result.deploy.status === 'live'
  return {
    target,
    deploy: result.deploy,
    wait: result,
    live,
    problem: live
      ? undefined
      : result.timedOut
        ? `the rollback was still ${result.deploy.status} when the time was up`
        : `the rollback ended ${result.deploy.status}`
  }
}
