/**
 * An interrupted step (the runner cancels a job with SIGINT, then SIGTERM)
 * undoes what it started: code that creates something outside the process
 * (a container, a temporary file) registers its removal with
 * `onInterrupt`, and forgets it once removed. On the first signal every
 * registered clean-up runs (at most `INTERRUPT_CLEANUP_MS`), the step is
 * marked failed, and the process exits with 128 + the signal's number.
 */
import * as core from '@actions/core'
import { errorMessage } from './errors.js'
import { scrub } from './mask.js'

export type Cleanup = () => unknown

/** The longest the clean-ups of an interrupted step may take. */
export const INTERRUPT_CLEANUP_MS = 10_000

const cleanups = new Set<Cleanup>()
let watching = false

/** Registers `cleanup` for an interruption; call the result once it is no longer needed. */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup)
  return () => {
    cleanups.delete(cleanup)
  }
}

/** Runs every registered clean-up, newest first, within the bound. */
export async function runInterruptCleanups(): Promise<number> {
  const pending = [...cleanups].reverse()
  cleanups.clear()
  const done = Promise.all(
    pending.map((cleanup) =>
      Promise.resolve()
        .then(cleanup)
        .catch((error: unknown) =>
          core.warning(
            `Clean-up after the interruption failed: ${scrub(errorMessage(error))}`
          )
        )
    )
  )
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    done,
    new Promise((resolve) => {
      timer = setTimeout(resolve, INTERRUPT_CLEANUP_MS)
    })
  ])
  clearTimeout(timer)
  return pending.length
}

/** Installs the SIGINT and SIGTERM handlers (once per process). */
export function watchInterrupts(): void {
  if (watching) return
  watching = true
  let interrupted = false
  const codes = { SIGINT: 130, SIGTERM: 143 } as const
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return
      interrupted = true
      void runInterruptCleanups().then((count) => {
        core.setFailed(
          `Interrupted (${signal})${count ? `: cleaned up ${count} thing${count === 1 ? '' : 's'} it had started` : ''}.`
        )
        process.exit(codes[signal])
      })
    })
  }
}
