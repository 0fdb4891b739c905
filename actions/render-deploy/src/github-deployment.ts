/**
 * The GitHub deployment of the environment, so that the repository's
 * Environments page and the commit show the deploy: created before the
 * trigger (in_progress), then success with the service's URL, or failure.
 * `@actions/github` is loaded only here, on first use, so that a run without
 * a GitHub deployment starts without it. A GitHub problem is a warning: it
 * never fails a deploy that worked.
 */
import * as core from '@actions/core'
import { errorMessage, scrub } from '@shipyard/action-kit'
import type { GithubDeploymentSettings } from './render-deploy-inputs.js'

type Octokit = ReturnType<(typeof import('@actions/github'))['getOctokit']>

/** The time one GitHub API request may take. */
export const GITHUB_TIMEOUT_MS = 10_000

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error'

export interface DeploymentRecord {
  id: number
  states: DeploymentState[]
}

function runUrl(): string | undefined {
  const server = process.env['GITHUB_SERVER_URL'] || 'https://github.com'
  const repo = process.env['GITHUB_REPOSITORY']
  const run = process.env['GITHUB_RUN_ID']
  return repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined
}

export class GithubDeployment {
  private constructor(
    private readonly octokit: Octokit,
    private readonly owner: string,
    private readonly repo: string,
    readonly environment: string,
    readonly record: DeploymentRecord
  ) {}

  /** Creates the deployment and marks it in_progress; undefined (with a warning) when GitHub refuses. */
  static async start(
    settings: GithubDeploymentSettings,
    description: string,
    payload: Record<string, string>
  ): Promise<GithubDeployment | undefined> {
    const fullName = process.env['GITHUB_REPOSITORY'] ?? ''
    const [owner, repo] = fullName.split('/')
    const ref = process.env['GITHUB_SHA'] || process.env['GITHUB_REF']
    if (!owner || !repo || !ref) {
      core.warning(
        'No GitHub deployment recorded: GITHUB_REPOSITORY and GITHUB_SHA are not set (this does not look like a GitHub Actions run).'
      )
      return undefined
    }
    try {
      const { getOctokit } = await import('@actions/github')
      const octokit = getOctokit(settings.token, {
        baseUrl: process.env['GITHUB_API_URL'] || 'https://api.github.com',
        // Octokit waits forever by default: a GitHub that does not answer
        // must not hold the deploy up.
        request: {
          fetch: (url: string | URL, init?: RequestInit) =>
            fetch(url, {
              ...init,
              signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS)
            }).catch((error: unknown) => {
              // Said plainly: Octokit shows errors of another realm (undici's)
              // as "Unknown Error".
              throw new Error(
                (error as Error)?.name === 'TimeoutError'
                  ? `GitHub did not answer within ${GITHUB_TIMEOUT_MS / 1000} s`
                  : `GitHub could not be reached: ${scrub(errorMessage(error))}`
              )
            })
        }
      })
      const created = await octokit.rest.repos.createDeployment({
        owner,
        repo,
        ref,
        environment: settings.environment,
        description: description.slice(0, 140),
        auto_merge: false,
        required_contexts: [],
        payload,
        production_environment: settings.environment === 'production'
      })
      const id = (created.data as { id?: number }).id
      if (typeof id !== 'number')
        throw new Error(
          `GitHub answered ${created.status} without a deployment`
        )
      const deployment = new GithubDeployment(
        octokit,
        owner,
        repo,
        settings.environment,
        { id, states: [] }
      )
      await deployment.setState('in_progress', 'Deploying to Render')
      return deployment
    } catch (error) {
      core.warning(
        `No GitHub deployment recorded for environment ${settings.environment}: ${scrub(errorMessage(error))}. Give 'github-token' the permission 'deployments: write', or set 'github-deployment: false'.`
      )
      return undefined
    }
  }

  /** Moves the deployment to `state`; a refusal is a warning. */
  async setState(
    state: DeploymentState,
    description: string,
    environmentUrl?: string
  ): Promise<void> {
    try {
      await this.octokit.rest.repos.createDeploymentStatus({
        owner: this.owner,
        repo: this.repo,
        deployment_id: this.record.id,
        state,
        description: description.slice(0, 140),
        environment: this.environment,
        ...(environmentUrl ? { environment_url: environmentUrl } : {}),
        ...(runUrl() ? { log_url: runUrl() } : {}),
        auto_inactive: true
      })
      this.record.states.push(state)
    } catch (error) {
      core.warning(
        `GitHub deployment ${this.record.id} could not be marked ${state}: ${scrub(errorMessage(error))}`
      )
    }
  }
}
