/**
 * Triggers the deploy, exactly once. Through the API, Render answers 201 with
 * the deploy, or 202 with no body (queued): then the deploy is found by its
 * status and creation time. A trigger whose answer is lost (dropped
 * connection, timeout, 5xx) may still have created the deploy, so before
 * sending it again the action looks for a deploy created since the first
 * try: a retry never makes a second deploy of the same image. Through a
 * deploy hook (`imgURL` for an image), the same holds when an API key allows
 * the look; without one, a lost answer is not retried at all.
 */
import * as core from '@actions/core'
import { errorMessage, HttpClient, HttpError } from '@shipyard/action-kit'
import { imageName } from './preflight.js'
import {
  isTransient,
  RUNNING_STATUSES,
  type Deploy,
  type RenderClient
} from './render-client.js'
import type { DeploySource, DeployHookMode } from './render-deploy-inputs.js'

/** The service's deploys before the trigger: what is not new. */
export interface DeploySnapshot {
  known: Set<string>
  /** The deploy live at the time: what a rollback returns to. */
  live: Deploy | undefined
  deploys: Deploy[]
}

export async function snapshotDeploys(
  client: RenderClient
): Promise<DeploySnapshot> {
  const deploys = await client.listDeploys({ limit: 20 })
  return {
    known: new Set(deploys.map((d) => d.id)),
    live: deploys.find((d) => d.status === 'live'),
    deploys
  }
}

export interface Triggered {
  /** Undefined only for a deploy hook without API access whose answer named none. */
  deploy: Deploy | undefined
  /** How Render answered: 201, 202, or the deploy hook's status. */
  answer: number
  /** Date.now() just before the (first) trigger was sent. */
  at: number
  /** The trigger's answer was lost, and the deploy it made was found. */
  recovered: boolean
  /** Requests made outside the RenderClient (the deploy hook). */
  hookCalls: number
}

/** True when `deploy` is a deploy of `source`. */
export function deploys(deploy: Deploy, source: DeploySource): boolean {
  if (source.kind === 'image') {
    const ref = deploy.image?.ref
    if (!ref) return true
    const { image } = source
    if (ref === image.ref) return true
    if (image.digest !== undefined && deploy.image?.sha === image.digest)
      return true
    // The same image written another way (`acme/app` for `docker.io/acme/app`).
    const name = imageName(ref)
    const tag = /:([\w][\w.-]*)(?:@|$)/.exec(ref.slice(ref.lastIndexOf('/')))
    const digest = ref.includes('@')
      ? ref.slice(ref.indexOf('@') + 1)
      : undefined
    return (
      name.registry === image.registry &&
      name.repository === image.repository &&
      tag?.[1] === image.tag &&
      digest === image.digest
    )
  }
  if (source.kind === 'commit') {
    const id = deploy.commit?.id?.toLowerCase()
    return (
      !id || id.startsWith(source.commitId) || source.commitId.startsWith(id)
    )
  }
  return true
}

/** A margin for the clocks of the runner and Render: `known` keeps older deploys out. */
const CLOCK_MARGIN_MS = 5 * 60_000

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The deploy the trigger created: new since the snapshot, of this source;
 * the oldest such one. With `statuses`, only deploys in those.
 */
export async function findNewDeploy(
  client: RenderClient,
  snapshot: DeploySnapshot,
  source: DeploySource,
  since: number,
  statuses?: readonly string[]
): Promise<Deploy | undefined> {
  const list = await client.listDeploys({
    status: statuses,
    createdAfter: new Date(since - CLOCK_MARGIN_MS).toISOString(),
    limit: 20
  })
  const fresh = list
    .filter((d) => !snapshot.known.has(d.id) && deploys(d, source))
    .sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''))
  return fresh[0]
}

/** Looks a few times: a queued deploy may take a moment to be listed. */
async function lookForDeploy(
  client: RenderClient,
  snapshot: DeploySnapshot,
  source: DeploySource,
  since: number,
  pauseMs: number,
  statuses?: readonly string[]
): Promise<Deploy | undefined> {
  for (let look = 0; look < 3; look++) {
    if (look > 0) await sleep(pauseMs * look)
    try {
      const found =
        (statuses &&
          (await findNewDeploy(client, snapshot, source, since, statuses))) ||
        (await findNewDeploy(client, snapshot, source, since))
      if (found) return found
    } catch (error) {
      if (!isTransient(error)) throw error
      core.info(
        `Listing the deploys failed (${errorMessage(error)}); looking again.`
      )
    }
  }
  return undefined
}

function requestBody(
  source: DeploySource,
  clearCache: boolean
): Record<string, string> {
  const body: Record<string, string> = {
    clearCache: clearCache ? 'clear' : 'do_not_clear'
  }
  if (source.kind === 'image') body['imageUrl'] = source.image.ref
  if (source.kind === 'commit') body['commitId'] = source.commitId
  return body
}

/** Attempts at a trigger whose answers were lost, the first included. */
const TRIGGER_ATTEMPTS = 3

function conflict(error: unknown): unknown {
  if (error instanceof HttpError && error.status === 409)
    return new HttpError(
      `Render refused to create a deploy (409): another deploy may be running that cannot be queued behind, or the service cannot deploy now. ${error.message}`,
      409,
      error.service,
      error.body
    )
  return error
}

/** `POST /services/{id}/deploys`, never twice for one deploy. */
export async function triggerThroughApi(
  client: RenderClient,
  snapshot: DeploySnapshot,
  source: DeploySource,
  clearCache: boolean,
  pauseMs: number
): Promise<Triggered> {
  const at = Date.now()
  const body = requestBody(source, clearCache)
  for (let attempt = 1; ; attempt++) {
    let answer: Awaited<ReturnType<RenderClient['triggerDeploy']>>
    try {
      answer = await client.triggerDeploy(body)
    } catch (error) {
      if (!isTransient(error)) throw conflict(error)
      core.warning(
        `The deploy trigger's answer was lost (${errorMessage(error)}); looking for a deploy it may have created before trying again.`
      )
      const found = await lookForDeploy(client, snapshot, source, at, pauseMs)
      if (found) {
        core.info(
          `Found deploy ${found.id} (${found.status}), created by the trigger whose answer was lost: not triggering again.`
        )
        return { deploy: found, answer: 0, at, recovered: true, hookCalls: 0 }
      }
      if (attempt >= TRIGGER_ATTEMPTS)
        throw new Error(
          `The deploy could not be triggered after ${attempt} attempts, and Render lists no deploy made by them: ${errorMessage(error)}`
        )
      core.info(
        `No deploy was created; triggering again (attempt ${attempt + 1} of ${TRIGGER_ATTEMPTS}).`
      )
      continue
    }
    if (answer.deploy)
      return {
        deploy: answer.deploy,
        answer: answer.status,
        at,
        recovered: false,
        hookCalls: 0
      }
    core.info(
      `Render answered ${answer.status} without a deploy (queued): finding it by status and creation time.`
    )
    const found = await lookForDeploy(
      client,
      snapshot,
      source,
      at,
      pauseMs,
      RUNNING_STATUSES
    )
    if (!found)
      throw new Error(
        `Render answered ${answer.status} (queued) to the deploy trigger, but lists no new deploy of service ${client.serviceId}: see the dashboard.`
      )
    return {
      deploy: found,
      answer: answer.status,
      at,
      recovered: false,
      hookCalls: 0
    }
  }
}

/** The deploy id in a deploy hook's answer (`{"deploy":{"id":…}}`, undocumented). */
function hookDeployId(data: unknown): string | undefined {
  const record = data as
    { deploy?: { id?: unknown }; id?: unknown } | undefined | null
  const id = record?.deploy?.id ?? record?.id
  return typeof id === 'string' && id.startsWith('dep-') ? id : undefined
}

/** The deploy hook, with `imgURL` for an image; never twice for one deploy. */
export async function triggerThroughHook(
  trigger: DeployHookMode,
  source: DeploySource,
  client: RenderClient | undefined,
  snapshot: DeploySnapshot | undefined,
  pauseMs: number
): Promise<Triggered> {
  const at = Date.now()
  const url = new URL(trigger.deployHookUrl.href)
  if (source.kind === 'image') url.searchParams.set('imgURL', source.image.ref)
  const hook = new HttpClient({
    service: 'Render deploy hook',
    baseUrl: url.origin,
    userAgent: 'shipyard-render-deploy',
    backoffMs: pauseMs,
    maxAttempts: 3
  })
  let hookCalls = 0
  for (let attempt = 1; ; attempt++) {
    hookCalls++
    try {
      const response = await hook.request('POST', url.pathname, {
        query: Object.fromEntries(url.searchParams),
        idempotent: false
      })
      const id = hookDeployId(response.data)
      let deploy: Deploy | undefined
      if (client) {
        deploy = id
          ? await client.getDeploy(id)
          : await lookForDeploy(client, snapshot!, source, at, pauseMs)
      } else if (id) {
        deploy = { id, status: 'triggered' }
      }
      return {
        deploy,
        answer: response.status,
        at,
        recovered: false,
        hookCalls
      }
    } catch (error) {
      if (!isTransient(error)) throw conflict(error)
      if (!client || !snapshot)
        throw new Error(
          `The deploy hook's answer was lost (${errorMessage(error)}). Without 'api-key' the action cannot tell whether Render started a deploy, so it does not call the hook again (that could deploy twice): see the service's Events in Render's dashboard.`
        )
      core.warning(
        `The deploy hook's answer was lost (${errorMessage(error)}); looking for a deploy it may have created before trying again.`
      )
      const found = await lookForDeploy(client, snapshot, source, at, pauseMs)
      if (found)
        return { deploy: found, answer: 0, at, recovered: true, hookCalls }
      if (attempt >= TRIGGER_ATTEMPTS)
        throw new Error(
          `The deploy hook could not be called after ${attempt} attempts, and Render lists no deploy made by them: ${errorMessage(error)}`
        )
    }
  }
}
