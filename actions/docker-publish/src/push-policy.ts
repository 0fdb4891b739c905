/**
 * Whether this run pushes. `push: auto` pushes on the default branch, on
 * tags and on manual dispatch; pull requests and other branches only build
 * and smoke-test; empty credentials (fork and Dependabot pull requests)
 * skip the push with a notice and never fail the step.
 */
import { gitTagOf, isDefaultBranch, type RunContext } from './github-context.js'
import type { PushMode } from './docker-publish-inputs.js'

export interface PushDecision {
  push: boolean
  /** Why not, when `push` is false (for a notice and the summary). */
  reason?: string
}

export function decidePush(
  mode: PushMode,
  context: RunContext,
  hasCredentials: boolean
): PushDecision {
  if (mode === false) return { push: false, reason: 'push is false' }
  if (mode === true) return { push: true }
  if (context.eventName.startsWith('pull_request')) {
    return {
      push: false,
      reason: `push: auto does not push on ${context.eventName} events (build and smoke test only)`
    }
  }
  const allowed =
    context.eventName === 'workflow_dispatch' ||
    gitTagOf(context.ref) !== undefined ||
    isDefaultBranch(context)
  if (!allowed) {
    return {
      push: false,
      reason: `push: auto pushes on the default branch, tags and manual dispatch only, not on ${context.ref || 'this ref'}`
    }
  }
  if (!hasCredentials) {
    return {
      push: false,
      reason:
        'the registry credentials are empty (as on fork and Dependabot pull requests): built and smoke-tested, not pushed'
    }
  }
  return { push: true }
}
