/**
 * Once the deploy is live: the service's URL + health path must answer 2xx
 * within a bounded time (Render may take a moment to route to the new
 * instance). It is asked again, with growing pauses, until it does or the
 * time is up.
 */
import { errorMessage } from '@shipyard/action-kit'

/** The health check's time bound, from `timeout`: a fifth of it, 2 s to 2 min. */
export function healthBound(timeoutMs: number): number {
  return Math.round(Math.min(120_000, Math.max(2000, timeoutMs / 5)))
}

export interface HealthResult {
  ok: boolean
  url: string
  /** The last answer's status, when there was one. */
  status?: number
  /** Why the last try failed. */
  problem?: string
  attempts: number
  elapsedMs: number
}

/** The URL checked: the service's URL with `path`. */
export function healthUrl(serviceUrl: string, path: string): string {
  const url = new URL(serviceUrl)
  const [pathname, query] = path.split('?', 2)
  url.pathname = (url.pathname.replace(/\/$/, '') + pathname).replace(
    /^\/\//,
    '/'
  )
  url.search = query ? `?${query}` : ''
  return url.href
}

export async function checkHealth(
  url: string,
  boundMs: number
): Promise<HealthResult> {
  const started = Date.now()
  const deadline = started + boundMs
  let attempts = 0
  let status: number | undefined
  let problem: string | undefined
  for (let pause = 250; ; pause = Math.min(pause * 2, 5000)) {
    attempts++
    const left = deadline - Date.now()
    try {
      const response = await fetch(url, {
        redirect: 'follow',
        headers: { 'user-agent': 'shipyard-render-deploy health check' },
        signal: AbortSignal.timeout(Math.max(500, Math.min(10_000, left)))
      })
      await response.arrayBuffer().catch(() => undefined)
      status = response.status
      if (status >= 200 && status < 300)
        return {
          ok: true,
          url,
          status,
          attempts,
          elapsedMs: Date.now() - started
        }
      problem = `it answered ${status}`
    } catch (error) {
      status = undefined
      problem =
        (error as Error)?.name === 'TimeoutError'
          ? 'it did not answer in time'
          : `it could not be reached: ${errorMessage((error as { cause?: unknown })?.cause ?? error)}`
    }
    const remaining = deadline - Date.now()
    if (remaining <= 0)
      return {
        ok: false,
        url,
        status,
        problem,
        attempts,
        elapsedMs: Date.now() - started
      }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(pause, remaining))
    )
  }
}
