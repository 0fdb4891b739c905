/**
 * render-deploy: deploys an exact image (or commit) to a Render service and
 * proves it is live. Preflight (service, image rule, pullability,
 * auto-deploy), the GitHub deployment, the trigger (exactly once), the wait,
 * the health check and the rollback; then the outputs and the summary,
 * written whatever happened.
 */
import * as core from '@actions/core'
import {
  ConfigurationError,
  errorMessage,
  formatDuration,
  writeSummary
} from '@shipyard/action-kit'
import { Outputs } from './constants.js'
import { GithubDeployment, type DeploymentState } from './github-deployment.js'
import { checkHealth, healthBound, healthUrl } from './health.js'
import { getInputs } from './input-helper.js'
import {
  checkImageRule,
  checkPullable,
  checkService,
  ensureAutoDeployOff,
  autoDeployOn
} from './preflight.js'
import { RenderClient, type Deploy, type Service } from './render-client.js'
import type { RenderDeployInputs } from './render-deploy-inputs.js'
import { rollBack } from './rollback.js'
import { renderSummary, type DeployReport } from './summary.js'
import {
  snapshotDeploys,
  triggerThroughApi,
  triggerThroughHook,
  type DeploySnapshot,
  type Triggered
} from './trigger.js'
import { expectedDuration, pollIntervals, waitForDeploy } from './waiter.js'

/** A deploy that did not end live and healthy: the user's to look at, not a crash. */
export class DeployFailed extends ConfigurationError {
  override name = 'DeployFailed'
}

/** One line, without secrets, of what a run with these inputs does. */
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
  return `Deploying ${what} to Render service ${
    trigger.mode === 'api' ? trigger.api.serviceId : trigger.serviceId
  } ${how}${after}.`
}

const FAILED_STATUSES = new Set([
  'build_failed',
  'update_failed',
  'pre_deploy_failed',
  'canceled'
])

interface Run {
  inputs: RenderDeployInputs
  client: RenderClient | undefined
  report: DeployReport
  service?: Service
  snapshot?: DeploySnapshot
  github?: GithubDeployment
  triggered?: Triggered
  /** Date.now() when the deploy ended or the action stopped watching. */
  endedAt?: number
}

async function preflight(run: Run): Promise<void> {
  const { client, inputs, report } = run
  if (!client) {
    core.info(
      "No 'api-key': the service cannot be checked before the deploy hook is called, nor the deploy watched."
    )
    return
  }
  const source = inputs.source
  const service = await client.getService()
  run.service = service
  report.serviceName = service.name
  report.serviceUrl = service.serviceDetails?.url || undefined
  report.dashboardUrl = service.dashboardUrl || report.dashboardUrl
  checkService(service, source)
  if (source.kind === 'image') {
    checkImageRule(service, source.image)
    const bound = Math.min(15_000, healthBound(inputs.timeoutMs))
    const pull = await checkPullable(service, source.image, bound)
    report.pull = pull
    if (pull.result === 'pullable')
      core.info(
        `Image ${source.image.ref} can be pulled anonymously${pull.digest ? ` (${pull.digest})` : ''}, as Render will pull it.`
      )
    else if (pull.result === 'skipped')
      core.info(`Not checking that the image can be pulled: ${pull.reason}.`)
    else
      core.warning(
        `Could not check that image ${source.image.ref} can be pulled (${pull.reason}); deploying anyway.`
      )
  }
  const wasOn = autoDeployOn(service)
  const change = await ensureAutoDeployOff(
    client,
    service,
    inputs.disableAutoDeploy
  )
  report.autoDeploy = { change, leftOn: wasOn && !change }
  run.snapshot = await snapshotDeploys(client)
  report.previousLive = run.snapshot.live?.id
}

/** The deploy's end: live, failed, or the deadline (then canceled when asked). */
async function watch(run: Run, deploy: Deploy): Promise<Deploy> {
  const { client, inputs, report } = run
  if (!client) return deploy
  const intervals = pollIntervals(inputs.timeoutMs)
  const since = run.triggered?.at ?? Date.now()
  const expectedMs = expectedDuration(run.snapshot?.deploys ?? [])
  core.info(
    `Waiting up to ${formatDuration(inputs.timeoutMs)}; reading the deploy every ${(intervals.minMs / 1000).toFixed(1)} to ${(intervals.maxMs / 1000).toFixed(1)} s${expectedMs ? `, and just after ${(expectedMs / 1000).toFixed(1)} s, the time the last deploys took to go live` : ''}.`
  )
  const result = await waitForDeploy(client, deploy, {
    since,
    deadline: since + inputs.timeoutMs,
    intervals,
    expectedMs
  })
  report.changes.push(...result.changes)
  run.endedAt = result.changes.at(-1)?.at ?? Date.now()
  if (!result.timedOut) return result.deploy
  run.endedAt = Date.now()
  let final = result.deploy
  const waited = formatDuration(inputs.timeoutMs)
  if (!inputs.cancelOnTimeout)
    throw new DeployFailed(
      `Deploy ${final.id} was still ${final.status} after ${waited} ('timeout'); it was left running ('cancel-on-timeout: false').`
    )
  try {
    final = (await client.cancelDeploy(final.id)) ?? final
    if (!final.status || final.status === result.deploy.status)
      final = await client.getDeploy(result.deploy.id)
  } catch (error) {
    core.warning(
      `Deploy ${final.id} could not be canceled: ${errorMessage(error)}`
    )
  }
  report.changes.push({ status: final.status, at: Date.now() })
  report.status = final.status
  throw new DeployFailed(
    `Deploy ${final.id} did not end within ${waited} ('timeout'), so it was canceled (now ${final.status}). ${previous(run)}`
  )
}

function previous(run: Run): string {
  const live = run.snapshot?.live
  return live
    ? `The previous deploy ${live.id} is still serving (Render keeps it live).`
    : 'The service had no live deploy before this one.'
}

/** Live: the health check, then the rollback when it fails. */
async function prove(run: Run, deploy: Deploy): Promise<void> {
  const { client, inputs, report, service } = run
  const base = service?.serviceDetails?.url
  if (!base) {
    core.notice(
      `Deploy ${deploy.id} is live; service ${report.serviceId} has no public URL, so no health check was made.`
    )
    return
  }
  const path =
    inputs.healthPath ?? (service.serviceDetails?.healthCheckPath || '/')
  const url = healthUrl(base, path)
  report.healthUrl = url
  const bound = healthBound(inputs.timeoutMs)
  const health = await checkHealth(url, bound)
  report.health = health
  report.healthAt = Date.now()
  if (health.ok) {
    core.info(
      `${url} answered ${health.status}: the deploy is live and healthy.`
    )
    return
  }
  const failure = `Deploy ${deploy.id} went live, but ${url} did not answer 2xx within ${formatDuration(bound)}: ${health.problem ?? 'no answer'}.`
  core.info(failure)
  const target = run.snapshot?.live
  if (!inputs.rollbackOnFailure || !client)
    throw new DeployFailed(
      `${failure} Not rolled back ('rollback-on-failure: false'): the failing deploy is serving.`
    )
  if (!target)
    throw new DeployFailed(
      `${failure} There was no live deploy before it to roll back to: the failing deploy is serving.`
    )
  const intervals = pollIntervals(inputs.timeoutMs)
  const rollback = await rollBack(client, target, {
    deadline: Date.now() + inputs.timeoutMs,
    intervals,
    expectedMs: expectedDuration(run.snapshot?.deploys ?? [])
  })
  report.rollback = rollback
  if (!rollback.live)
    throw new DeployFailed(
      `${failure} The rollback to deploy ${target.id} did not go live: ${rollback.problem ?? 'unknown'}.`
    )
  throw new DeployFailed(
    `${failure} The service was rolled back to deploy ${target.id} (rollback deploy ${rollback.deploy?.id ?? ''}), which is live again.`
  )
}

async function deploy(run: Run): Promise<void> {
  const { client, inputs, report } = run
  const trigger = inputs.trigger
  await core.group('Checking the Render service', () => preflight(run))

  if (inputs.githubDeployment) {
    run.github = await GithubDeployment.start(
      inputs.githubDeployment,
      `Render service ${report.serviceId}`,
      {
        service: report.serviceId,
        ...(inputs.source.kind === 'image'
          ? { image: inputs.source.image.ref }
          : inputs.source.kind === 'commit'
            ? { commit: inputs.source.commitId }
            : {})
      }
    )
    report.githubDeployment = run.github?.record
  }

  const pauseMs = pollIntervals(inputs.timeoutMs).minMs
  const triggered = await core.group('Triggering the deploy', () =>
    trigger.mode === 'api'
      ? triggerThroughApi(
          client!,
          run.snapshot!,
          inputs.source,
          inputs.clearCache,
          pauseMs
        )
      : triggerThroughHook(
          trigger,
          inputs.source,
          client,
          run.snapshot,
          pauseMs
        )
  )
  run.triggered = triggered
  report.since = triggered.at
  report.answer = triggered.answer
  report.recovered = triggered.recovered
  report.deployId = triggered.deploy?.id
  report.status = triggered.deploy?.status ?? 'triggered'
  core.info(
    `Deploy ${triggered.deploy?.id ?? '(id not given)'} ${triggered.recovered ? 'found' : `triggered (${triggered.answer})`}: ${report.status}.`
  )
  if (!inputs.wait || !client || !triggered.deploy) {
    run.endedAt = Date.now()
    if (!triggered.deploy) report.status = 'triggered'
    report.outcome = 'triggered, not waited for'
    report.ok = true
    return
  }

  const final = await core.group('Waiting for the deploy', () =>
    watch(run, triggered.deploy!)
  )
  report.status = final.status
  if (FAILED_STATUSES.has(final.status))
    throw new DeployFailed(
      `Deploy ${final.id} ended ${final.status}. ${previous(run)}`
    )
  await core.group('Checking the live service', () => prove(run, final))
  report.outcome = 'live'
  report.ok = true
}

function setOutputs(run: Run): void {
  const { report } = run
  const started = run.triggered?.at
  if (started !== undefined)
    report.durationS = Math.round(
      ((run.endedAt ?? Date.now()) - started) / 1000
    )
  report.apiCalls = (run.client?.calls ?? 0) + (run.triggered?.hookCalls ?? 0)
  core.setOutput(Outputs.DeployId, report.deployId ?? '')
  core.setOutput(Outputs.Status, report.status ?? '')
  core.setOutput(Outputs.ServiceUrl, report.serviceUrl ?? '')
  core.setOutput(Outputs.DashboardUrl, report.dashboardUrl ?? '')
  core.setOutput(
    Outputs.Duration,
    report.durationS === undefined ? '' : String(report.durationS)
  )
  core.setOutput(Outputs.RolledBack, String(report.rollback?.live === true))
  core.setOutput(Outputs.ApiCalls, String(report.apiCalls))
}

export async function main(given?: RenderDeployInputs): Promise<void> {
  // The entry reads the inputs before loading this module, and passes them.
  const inputs = given ?? getInputs()
  core.info(plan(inputs))
  const trigger = inputs.trigger
  const serviceId =
    trigger.mode === 'api' ? trigger.api.serviceId : trigger.serviceId
  const intervals = pollIntervals(inputs.timeoutMs)
  const client = trigger.api
    ? new RenderClient(trigger.api, {
        backoffMs: intervals.minMs,
        maxRetryWaitMs: Math.min(60_000, inputs.timeoutMs),
        // One slow answer must not outlast the step's own bound: a quarter
        // of 'timeout', between 2 and 30 s per attempt.
        requestTimeoutMs: Math.round(
          Math.min(30_000, Math.max(2000, inputs.timeoutMs / 4))
        )
      })
    : undefined
  const run: Run = {
    inputs,
    client,
    report: {
      serviceId,
      mode: trigger.mode,
      source: inputs.source,
      dashboardUrl: `https://dashboard.render.com/web/${serviceId}`,
      changes: [],
      apiCalls: 0,
      outcome: 'not deployed',
      ok: false
    }
  }
  let failure: Error | undefined
  try {
    await deploy(run)
  } catch (error) {
    failure = error instanceof Error ? error : new Error(errorMessage(error))
    if (run.triggered && run.report.outcome === 'not deployed')
      run.report.outcome = run.report.rollback?.live
        ? 'rolled back'
        : `failed (${run.report.status ?? 'unknown'})`
  }
  const { report } = run
  if (run.github) {
    const state: DeploymentState = report.ok
      ? 'success'
      : run.triggered
        ? 'failure'
        : 'error'
    if (report.ok && report.outcome !== 'live')
      core.info(
        `GitHub deployment ${run.github.record.id} stays in_progress: the deploy was not waited for.`
      )
    else
      await run.github.setState(
        state,
        report.ok
          ? `Live on Render (${report.deployId ?? ''})`
          : `Render deploy ${report.status ?? 'not made'}`,
        report.ok ? report.serviceUrl : undefined
      )
  }
  setOutputs(run)
  if (failure !== undefined && !run.triggered)
    report.outcome = `not deployed: ${errorMessage(failure).slice(0, 120)}`
  await writeSummary(renderSummary(report))
  if (failure !== undefined) throw failure
}
