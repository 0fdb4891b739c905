/**
 * Waits for a deploy to end, reading it with an adaptive interval: quick at
 * first (a deploy that cannot start fails fast), slower while it builds, and
 * quick again around the time it is expected to end, which is learnt from
 * the service's previous deploys. It stays far inside Render's read limit
 * (`Ratelimit-Remaining` spreads the reads over `Ratelimit-Reset`; a 429's
 * `Retry-After` is honoured by the client), outlasts a burst of 5xx answers,
 * logs each status change with its time, and stops at the deadline.
 */
import * as core from '@actions/core'
import { errorMessage, HttpError } from '@shipyard/action-kit'
import {
  TERMINAL_STATUSES,
  type Deploy,
  type RenderClient
} from './render-client.js'

export interface PollIntervals {
  /** The shortest pause between two reads of the deploy. */
  minMs: number
  /** The longest pause between two reads of the deploy. */
  maxMs: number
}

const clamp = (value: number, low: number, high: number): number =>
  Math.min(high, Math.max(low, value))

/**
 * The poll intervals, from `timeout`: 1/300 of it between 0.2 and 2 s, and
 * 1/60 of it between 1 and 15 s (15 s for the default 15 minutes: at most
 * about 4 reads a minute while a long build runs).
 */
export function pollIntervals(timeoutMs: number): PollIntervals {
  return {
    minMs: Math.round(clamp(timeoutMs / 300, 200, 2000)),
    maxMs: Math.round(clamp(timeoutMs / 60, 1000, 15_000))
  }
}

/**
 * How long the service's deploys take, from trigger to live: the median of
 * its last (up to five) deploys that went live. Undefined without history.
 */
export function expectedDuration(history: Deploy[]): number | undefined {
  const durations = history
    .filter(
      (d) =>
        (d.status === 'live' || d.status === 'deactivated') &&
        d.createdAt &&
        d.finishedAt
    )
    .slice(0, 5)
    .map((d) => Date.parse(d.finishedAt!) - Date.parse(d.createdAt!))
    .filter((ms) => Number.isFinite(ms) && ms > 0)
    .sort((a, b) => a - b)
  if (durations.length === 0) return undefined
  return durations[Math.floor((durations.length - 1) / 2)]
}

/** A little after the expected end: the read that should see it live. */
const EXPECTED_SLACK_MS = 150

/**
 * The pause before the next read, `elapsed` ms after the trigger. With an
 * expected duration, reads are spread evenly up to (just after) the expected
 * end, at most `maxMs` apart, with one quick early read on long deploys;
 * past it, reads are quick again (from half of `minMs`) and slow down the
 * later the deploy is. Without one, the pause grows with the time waited.
 */
export function nextDelay(
  elapsed: number,
  reads: number,
  intervals: PollIntervals,
  expectedMs: number | undefined
): number {
  const { minMs, maxMs } = intervals
  if (expectedMs !== undefined) {
    const target = expectedMs + EXPECTED_SLACK_MS
    const gap = target - elapsed
    if (gap > 0) {
      if (reads === 0 && gap > 2 * maxMs) return 2 * minMs
      const steps = Math.ceil(gap / maxMs)
      return Math.max(gap / steps, Math.min(minMs, gap))
    }
    return clamp(-gap / 2, minMs / 2, maxMs)
  }
  return clamp(elapsed / 4, minMs, maxMs)
}

/** The pause the rate limit asks for: half the reads left, spread over the window. */
export function rateLimitDelay(client: RenderClient): number {
  const state = client.rateLimit
  if (!state || state.resetMs === undefined || state.remaining === undefined)
    return 0
  const left = Math.max(0, state.resetMs - (Date.now() - state.at))
  if (state.remaining <= 1) return left + 100
  return (2 * left) / state.remaining
}

export interface StatusChange {
  status: string
  /** Date.now() when the action saw it. */
  at: number
}

export interface WaitResult {
  deploy: Deploy
  timedOut: boolean
  changes: StatusChange[]
  reads: number
}

export interface WaitOptions {
  /** Date.now() of the trigger: elapsed times count from it. */
  since: number
  /** Date.now() after which the wait ends. */
  deadline: number
  intervals: PollIntervals
  expectedMs: number | undefined
  /** For the log: `deploy`, `rollback`. */
  label?: string
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))

const clock = (at: number): string => new Date(at).toISOString().slice(11, 19)

/** Reads that fail this many times in a row end the wait. */
const MAX_FAILED_READS = 8

export async function waitForDeploy(
  client: RenderClient,
  first: Deploy,
  options: WaitOptions
): Promise<WaitResult> {
  const label = options.label ?? 'deploy'
  const changes: StatusChange[] = []
  const note = (status: string): void => {
    const at = Date.now()
    changes.push({ status, at })
    core.info(
      `${clock(at)} UTC (+${((at - options.since) / 1000).toFixed(1)} s) ${label} ${first.id}: ${status}`
    )
  }
  let deploy = first
  note(deploy.status)
  let reads = 0
  let failed = 0
  while (!TERMINAL_STATUSES.has(deploy.status)) {
    const now = Date.now()
    if (now >= options.deadline)
      return { deploy, timedOut: true, changes, reads }
    const delay = Math.max(
      nextDelay(
        now - options.since,
        reads,
        options.intervals,
        options.expectedMs
      ),
      rateLimitDelay(client),
      failed > 0 ? options.intervals.maxMs : 0
    )
    await sleep(Math.min(delay, Math.max(0, options.deadline - now)))
    reads++
    try {
      const next = await client.getDeploy(deploy.id)
      failed = 0
      if (next.status !== deploy.status) {
        deploy = next
        note(deploy.status)
      } else deploy = next
    } catch (error) {
      const transient =
        error instanceof HttpError &&
        (error.status === undefined ||
          error.status === 429 ||
          error.status >= 500)
      if (!transient || ++failed >= MAX_FAILED_READS) throw error
      core.info(
        `Reading ${label} ${deploy.id} failed (${errorMessage(error)}); reading again.`
      )
    }
  }
  return { deploy, timedOut: false, changes, reads }
}
