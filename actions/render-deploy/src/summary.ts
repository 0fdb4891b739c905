/**
 * The job summary of a deploy: the outcome, a timeline of the statuses (a
 * mermaid chart), the image or commit deployed, links to the service and its
 * dashboard, what the action changed (auto-deploy) and the rollback if any.
 */
import { mermaid, table } from '@shipyard/action-kit'
import type { HealthResult } from './health.js'
import type { AutoDeployChange, PullCheck } from './preflight.js'
import type { DeploySource } from './render-deploy-inputs.js'
import type { RollbackResult } from './rollback.js'
import type { StatusChange } from './waiter.js'

export interface DeployReport {
  serviceId: string
  serviceName?: string
  serviceUrl?: string
  dashboardUrl?: string
  mode: 'api' | 'deploy-hook'
  source: DeploySource
  deployId?: string
  status?: string
  /** Date.now() of the trigger. */
  since?: number
  changes: StatusChange[]
  /** 201, 202, the hook's status; 0 when the answer was lost and the deploy found. */
  answer?: number
  recovered?: boolean
  autoDeploy?: { change?: AutoDeployChange; leftOn?: boolean }
  pull?: PullCheck
  healthUrl?: string
  health?: HealthResult
  /** Date.now() when the health check ended. */
  healthAt?: number
  rollback?: RollbackResult
  /** The deploy live before this one: what still serves after a failure. */
  previousLive?: string
  githubDeployment?: { id: number; states: string[] }
  apiCalls: number
  durationS?: number
  /** One line: what happened. */
  outcome: string
  ok: boolean
}

/** Mermaid's timeline reads `:` as a separator: keep it out of labels. */
const label = (text: string): string => text.replace(/[:;#]/g, ' ').trim()

const offset = (at: number, since: number): string =>
  `+${((at - since) / 1000).toFixed(1)} s`

export function timeline(report: DeployReport): string | undefined {
  if (report.since === undefined || report.changes.length === 0)
    return undefined
  const since = report.since
  const lines = [
    'timeline',
    `  title ${label(`Deploy ${report.deployId ?? ''}`)}`
  ]
  for (const change of report.changes)
    lines.push(`  ${offset(change.at, since)} : ${label(change.status)}`)
  const health = report.health
  if (health)
    lines.push(
      `  ${offset(report.healthAt ?? since, since)} : ${label(
        health.ok
          ? `health check ${health.status ?? ''}`
          : `health check failed (${health.problem ?? ''})`
      )}`
    )
  for (const change of report.rollback?.wait?.changes ?? [])
    lines.push(
      `  ${offset(change.at, since)} : ${label(`rollback ${change.status}`)}`
    )
  return mermaid(lines.join('\n'))
}

function what(source: DeploySource): string {
  if (source.kind === 'image') return `image \`${source.image.ref}\``
  if (source.kind === 'commit') return `commit \`${source.commitId}\``
  return "the service's configured image or branch"
}

export function renderSummary(report: DeployReport): string {
  const icon = report.ok ? '✅' : '❌'
  const sections: string[] = [`## ${icon} Render deploy: ${report.outcome}`]
  const rows: Array<[string, string]> = [
    [
      'Service',
      `${report.serviceName ? `${report.serviceName} ` : ''}\`${report.serviceId}\``
    ],
    ['Deployed', what(report.source)],
    ['Deploy', report.deployId ? `\`${report.deployId}\`` : '(not known)'],
    ['Status', report.status ?? '(not triggered)'],
    [
      'Triggered through',
      report.mode === 'api' ? "Render's API" : 'the deploy hook'
    ]
  ]
  if (report.serviceUrl) rows.push(['Service URL', report.serviceUrl])
  if (report.dashboardUrl) rows.push(['Dashboard', report.dashboardUrl])
  if (report.healthUrl && report.health)
    rows.push([
      'Health check',
      report.health.ok
        ? `${report.healthUrl} answered ${report.health.status} (${report.health.attempts} ${report.health.attempts === 1 ? 'try' : 'tries'})`
        : `${report.healthUrl}: ${report.health.problem ?? 'failed'} after ${(report.health.elapsedMs / 1000).toFixed(1)} s`
    ])
  if (report.durationS !== undefined)
    rows.push(['Duration', `${report.durationS} s`])
  rows.push(['Render API calls', String(report.apiCalls)])
  if (report.githubDeployment)
    rows.push([
      'GitHub deployment',
      `${report.githubDeployment.id}: ${report.githubDeployment.states.join(' → ')}`
    ])
  sections.push(table(['', ''], rows))

  const chart = timeline(report)
  if (chart) sections.push('### Timeline', chart)

  const changed: string[] = []
  const auto = report.autoDeploy
  if (auto?.change)
    changed.push(
      `- Render's auto-deploy was on (${auto.change.before}) and was turned **off** (\`${auto.change.field === 'autoDeployTrigger' ? 'autoDeployTrigger: off' : 'autoDeploy: no'}\`), so that only this pipeline deploys.`
    )
  if (auto?.leftOn)
    changed.push(
      "- Render's auto-deploy is **on** and was left on (`disable-auto-deploy: false`): Render may deploy on its own."
    )
  if (report.recovered)
    changed.push(
      "- The trigger's answer was lost; the deploy it created was found, and no second deploy was made."
    )
  if (report.pull?.result === 'unreachable')
    changed.push(
      `- The image's registry could not be reached to check that it can be pulled (${report.pull.reason}).`
    )
  if (changed.length) sections.push('### What changed', changed.join('\n'))

  const rollback = report.rollback
  if (rollback)
    sections.push(
      '### Rollback',
      rollback.live
        ? `The service was rolled back to deploy \`${rollback.target.id}\` (rollback deploy \`${rollback.deploy?.id ?? ''}\`), which is live again.`
        : `The rollback to deploy \`${rollback.target.id}\` did not finish: ${rollback.problem ?? 'unknown'}.`
    )
  return sections.join('\n\n')
}
