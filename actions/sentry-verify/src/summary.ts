/**
 * The job summary: every check with what was expected and what arrived, the
 * links to the event and its issue, the release and deploy recorded, and how
 * long each phase took. Built as a string (tests read it); written through
 * the kit's `writeSummary`, which scrubs secrets.
 */
import { table } from '@shipyard/action-kit'
import type { Check } from './assertions.js'
import type { ReleaseResult } from './release.js'

export interface Timing {
  phase: string
  ms: number
}

export interface Report {
  org: string
  project: string
  release: string
  environment: string
  verified: boolean
  /** Why the verification stopped before the checks, if it did. */
  failure?: string
  checks: Check[]
  releaseResult?: ReleaseResult
  trigger?: string
  eventId?: string
  eventUrl?: string
  issueUrl?: string
  latencySeconds?: number
  timings: Timing[]
  apiRequests: number
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`

export function renderSummary(report: Report): string {
  const title = report.verified
    ? `### ✅ Sentry verified: ${report.org}/${report.project} receives the app's errors`
    : `### ❌ Sentry verification failed for ${report.org}/${report.project}`
  const lines: string[] = [title]
  lines.push(
    `Release \`${report.release}\`, environment \`${report.environment}\`${report.trigger ? `; error caused by ${report.trigger}` : ''}.`
  )
  if (report.failure) lines.push(`**${report.failure}**`)
  if (report.checks.length) {
    lines.push(
      table(
        ['Check', 'Expected', 'Actual', 'Result'],
        report.checks.map((c) => [
          c.name,
          c.expected,
          c.actual,
          c.pass ? '✅ pass' : `❌ fail${c.hint ? ` (${c.hint})` : ''}`
        ])
      )
    )
  }
  const links: string[] = []
  if (report.eventUrl)
    links.push(`[event ${report.eventId ?? ''}](${report.eventUrl})`)
  if (report.issueUrl) links.push(`[issue](${report.issueUrl})`)
  if (report.latencySeconds !== undefined)
    links.push(
      `latency ${report.latencySeconds.toFixed(2)} s (trigger to visible)`
    )
  if (links.length) lines.push(links.join(' · '))
  const r = report.releaseResult
  if (r) {
    lines.push(
      `Release ${r.created ? 'created (201)' : 'already there (208)'}, ${
        r.commitAttached ? 'commit attached, ' : ''
      }finalized at ${r.dateReleased}; deploy to \`${report.environment}\` recorded${
        r.deployId ? ` (id ${r.deployId})` : ''
      }.`
    )
  }
  lines.push(
    table(
      ['Phase', 'Time'],
      [
        ...report.timings.map((t) => [t.phase, seconds(t.ms)]),
        ['Sentry API requests', String(report.apiRequests)]
      ]
    )
  )
  return lines.join('\n\n')
}
