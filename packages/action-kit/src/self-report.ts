/**
 * Optional self-reporting: when a user gives shipyard a Sentry DSN of their
 * own (`self-report-dsn`), an action's crash (not a configuration mistake) is
 * sent there with the run's context and nothing secret. @sentry/node is loaded
 * only then, so it costs nothing to the runs that do not use it.
 */
import * as core from '@actions/core'
import { errorMessage } from './errors.js'
import { scrub } from './mask.js'

function scrubDeep<T>(value: T): T {
  if (typeof value === 'string') return scrub(value) as T
  if (Array.isArray(value)) return value.map(scrubDeep) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v)
    return out as T
  }
  return value
}

/** The run's context, from the runner's own variables (none of them secret). */
export function runContext(): Record<string, string | undefined> {
  const env = process.env
  return {
    action: env['GITHUB_ACTION'],
    repository: env['GITHUB_REPOSITORY'],
    workflow: env['GITHUB_WORKFLOW'],
    job: env['GITHUB_JOB'],
    run_id: env['GITHUB_RUN_ID'],
    run_attempt: env['GITHUB_RUN_ATTEMPT'],
    ref: env['GITHUB_REF'],
    sha: env['GITHUB_SHA'],
    runner_os: env['RUNNER_OS']
  }
}

export async function reportCrash(
  error: unknown,
  dsn: string,
  actionName: string
): Promise<void> {
  try {
    // Destructured, so that the bundler keeps only what is used of it.
    const { init, setContext, setTag, captureException, close } =
      await import('@sentry/node')
    init({
      dsn,
      release: `shipyard-${actionName}`,
      environment: 'github-actions',
      dataCollection: {
        userInfo: false,
        cookies: false,
        httpHeaders: false,
        httpBodies: []
      },
      defaultIntegrations: false,
      tracesSampleRate: 0,
      beforeSend: (event) => scrubDeep(event),
      beforeBreadcrumb: () => null
    })
    setContext('github', runContext())
    setTag('shipyard.action', actionName)
    captureException(error)
    await close(5000)
  } catch (reportError) {
    core.warning(
      `Could not report the crash to Sentry: ${errorMessage(reportError)}`
    )
  }
}
