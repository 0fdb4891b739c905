/**
 * Error types shared by every action.
 *
 * A `ConfigurationError` is the user's to fix (a bad input, a missing file):
 * it is reported as it is, without a stack trace and without being sent to
 * self-reporting. Anything else is our bug or the outside world's fault.
 */

export class ConfigurationError extends Error {
  override name = 'ConfigurationError'
}

/** A call to a hosted service that ended in an unexpected answer. */
export class HttpError extends Error {
  override name = 'HttpError'
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly service: string,
    readonly body?: unknown
  ) {
    super(message)
  }
}

/** The text of anything thrown, never `[object Object]`. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name
  if (typeof error === 'string') return error
  if (error && typeof error === 'object' && 'message' in error) {
    const message = error.message
    if (typeof message === 'string') return message
  }
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    return String(error)
  }
}
