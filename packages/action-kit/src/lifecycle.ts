/**
 * The life of an action: `run(main, post?)` is the whole of `src/index.ts`,
 * whose `main` reads and checks the inputs, then loads the action's body with
 * `import()` (so that a run starts, and a wrong input fails, without parsing
 * what only a valid run needs). One catch turns anything thrown into the
 * step's single `setFailed`; a configuration mistake is shown as it is,
 * anything else also leaves its stack at debug level and, when asked, is
 * reported to Sentry. A `post` step (for clean-up) runs in the same bundle,
 * told apart by saved state; its problems are warnings, never failures.
 */
import * as core from '@actions/core'
import { parseDsn } from './dsn.js'
import { ConfigurationError, errorMessage } from './errors.js'
import { watchInterrupts } from './interrupt.js'
import { maskUrl, scrub } from './mask.js'

const POST_STATE = 'shipyard-is-post'

export type Step = () => Promise<void>

/** The action's name, from `GITHUB_ACTION_PATH` when the runner sets it. */
function actionName(): string {
  const path = process.env['GITHUB_ACTION_PATH'] ?? ''
  return path.split(/[\\/]/).filter(Boolean).pop() ?? 'action'
}

/**
 * Whether a stack can be shown: at debug level, or in a self-report. Only
 * then are stacks mapped back to the TypeScript sources through the bundle's
 * `.map` files: Node reads and parses the map of every chunk loaded after
 * `setSourceMapsEnabled(true)`, a cost a run that shows no stack need not
 * pay. (The entry chunk, loaded before this, keeps minified frames; the
 * body and every lazily loaded dependency are mapped.)
 */
function mapStacksWhenShown(selfReportDsn: string): void {
  // RUNNER_DEBUG is what core.isDebug() reads.
  const debug = process.env['RUNNER_DEBUG'] === '1'
  if (debug || selfReportDsn) process.setSourceMapsEnabled(true)
}

/**
 * Runs the step: `post` instead of `main` when this is the post step of a run
 * whose main step ran, else `main`, turning what it throws into the step's
 * failure (and, with `self-report-dsn`, a crash report).
 */
export async function run(main: Step, post?: Step): Promise<void> {
  if (post && core.getState(POST_STATE) === 'true') {
    try {
      await post()
    } catch (error) {
      core.warning(`Clean-up did not finish: ${scrub(errorMessage(error))}`)
    }
    return
  }
  if (post) core.saveState(POST_STATE, 'true')

  // Read before anything else, so that even a crash in input parsing is
  // reported, and masked at once like every secret.
  const selfReportDsn =
    core.getInput('self-report-dsn') ||
    process.env['SHIPYARD_SELF_REPORT_DSN'] ||
    ''
  if (selfReportDsn) maskUrl(selfReportDsn)
  mapStacksWhenShown(selfReportDsn)

  // A cancelled job undoes what the step started (see interrupt.ts).
  watchInterrupts()
  try {
    if (selfReportDsn) parseDsn('self-report-dsn', selfReportDsn)
    await main()
  } catch (error) {
    const message = scrub(errorMessage(error))
    if (!(error instanceof ConfigurationError)) {
      if (error instanceof Error && error.stack) core.debug(scrub(error.stack))
      if (selfReportDsn) {
        const { reportCrash } = await import('./self-report.js')
        await reportCrash(error, selfReportDsn, actionName())
      }
    }
    core.setFailed(message)
  }
}
