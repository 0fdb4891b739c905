/**
 * What the run is about, read once from the runner's environment and the
 * event payload: the commit, the ref, the event and the repository's
 * default branch. Tags, labels and the push decision are derived from it.
 */
import * as fs from 'node:fs'

export interface RepositoryInfo {
  defaultBranch?: string
  description?: string
  htmlUrl?: string
  license?: string
  name?: string
}

export interface RunContext {
  /** The full commit SHA (`GITHUB_SHA`); empty outside a runner. */
  sha: string
  /** `refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/7/merge`… */
  ref: string
  /** `push`, `pull_request`, `workflow_dispatch`… */
  eventName: string
  /** `owner/name`. */
  repository: string
  serverUrl: string
  repo: RepositoryInfo
}

function readPayload(file: string | undefined): Record<string, unknown> {
  if (!file) return {}
  try {
    const data: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
    return data && typeof data === 'object'
      ? (data as Record<string, unknown>)
      : {}
  } catch {
    return {}
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const payload = readPayload(env['GITHUB_EVENT_PATH'])
  const repo = (payload['repository'] ?? {}) as Record<string, unknown>
  const license = (repo['license'] ?? {}) as Record<string, unknown>
  const spdx = str(license['spdx_id'])
  return {
    sha: env['GITHUB_SHA'] ?? '',
    ref: env['GITHUB_REF'] ?? '',
    eventName: env['GITHUB_EVENT_NAME'] ?? '',
    repository: env['GITHUB_REPOSITORY'] ?? '',
    serverUrl: env['GITHUB_SERVER_URL'] ?? 'https://github.com',
    repo: {
      defaultBranch: str(repo['default_branch']),
      description: str(repo['description']),
      htmlUrl: str(repo['html_url']),
      license: spdx && spdx !== 'NOASSERTION' ? spdx : undefined,
      name: str(repo['name'])
    }
  }
}

/** The branch name of a `refs/heads/…` ref. */
export function branchOf(ref: string): string | undefined {
  return ref.startsWith('refs/heads/')
    ? ref.slice('refs/heads/'.length)
    : undefined
}

/** The tag name of a `refs/tags/…` ref. */
export function gitTagOf(ref: string): string | undefined {
  return ref.startsWith('refs/tags/')
    ? ref.slice('refs/tags/'.length)
    : undefined
}

/** The number of a `refs/pull/N/merge` (or `/head`) ref. */
export function pullRequestOf(ref: string): string | undefined {
  return /^refs\/pull\/(\d+)\//.exec(ref)?.[1]
}

export function isDefaultBranch(context: RunContext): boolean {
  const branch = branchOf(context.ref)
  return (
    branch !== undefined &&
    context.repo.defaultBranch !== undefined &&
    branch === context.repo.defaultBranch
  )
}
