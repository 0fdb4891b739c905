/**
 * The checks that run beside the tests (flake8, `check --deploy`,
 * `makemigrations --check`) take a fraction of the tests' time. Started all
 * at once they compete with the tests' own start-up for the runner's few
 * cores and lengthen the run; queued in lanes that leave one core to the
 * tests, they finish within the tests' time without slowing them.
 */
import * as os from 'node:os'

/** A queue that runs at most `lanes` tasks at a time, in the order given. */
export function createLanes(
  lanes: number
): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0
  const waiting: (() => void)[] = []
  const release = (): void => {
    running--
    waiting.shift()?.()
  }
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= lanes) {
      await new Promise<void>((resolve) => waiting.push(resolve))
    }
    running++
    try {
      return await task()
    } finally {
      release()
    }
  }
}

/** Lanes for the checks beside the tests: every core but the tests' own, at least one. */
export function sideLanes(cores: number = os.availableParallelism()): number {
  return Math.max(1, cores - 1)
}
