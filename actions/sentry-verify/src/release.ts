/**
 * The release and its deploy, over Sentry's web API (no sentry-cli, no
 * container): create the release (201, or 208 when it exists: both fine),
 * attach the run's commit and finalize it (`PUT …/releases/{version}/`), then
 * record a deploy for the environment.
 *
 * Retries never duplicate anything: creating a release is idempotent on
 * Sentry's side (a second POST answers 208), the PUT is idempotent, and a
 * deploy (which Sentry would record twice) carries a name unique to the run:
 * after an answer that may hide a recorded deploy (5xx, dropped connection),
 * the deploys are listed and the POST is sent again only when that name is
 * not among them.
 */
import * as core from '@actions/core'
import { HttpError } from '@shipyard/action-kit'
import { encodeSegment, SCOPES, type SentryClient } from './sentry-client.js'

export interface ReleaseRequest {
  org: string
  project: string
  version: string
  environment: string
  /** Link recorded with the deploy. */
  deployUrl?: URL
  /** The commit to attach (`GITHUB_SHA`). */
  commit?: string
  /** `owner/name` (`GITHUB_REPOSITORY`). */
  repository?: string
  /** Unique to this run and attempt: how a retried deploy is recognised. */
  deployName: string
}

export interface ReleaseResult {
  /** 201 created, 208 already there. */
  createStatus: number
  created: boolean
  /** Whether a commit was attached. */
  commitAttached: boolean
  dateReleased: string
  deployId: string
  /** A deploy found already recorded after an uncertain answer. */
  deployRecovered: boolean
}

interface ReleaseShape {
  version?: string
  dateReleased?: string | null
}

interface DeployShape {
  id?: string | number
  name?: string | null
  environment?: string
}

const COMMIT = /^[0-9a-f]{7,64}$/i

/** A deploy name for this run: `shipyard <run>.<attempt>`, at most 64 characters. */
export function deployName(env: NodeJS.ProcessEnv, fallback: string): string {
  const run = env['GITHUB_RUN_ID']
  const attempt = env['GITHUB_RUN_ATTEMPT'] ?? '1'
  const name = run ? `shipyard ${run}.${attempt}` : `shipyard ${fallback}`
  return name.slice(0, 64)
}

function releasePath(org: string, version?: string): string {
  const base = `organizations/${encodeSegment(org)}/releases/`
  return version === undefined ? base : `${base}${encodeSegment(version)}/`
}

/** Whether an error leaves it unknown if the server acted on the request. */
function uncertain(error: unknown): boolean {
  return (
    error instanceof HttpError &&
    (error.status === undefined || error.status >= 500)
  )
}

export async function recordRelease(
  client: SentryClient,
  request: ReleaseRequest
): Promise<ReleaseResult> {
  const { org, project, version } = request
  const what = `record release ${version} in ${org}`
  const created = await client.post<ReleaseShape>(releasePath(org), {
    what,
    scopes: SCOPES.releases,
    body: { version, projects: [project] },
    // A repeated POST answers 208 instead of creating a second release.
    idempotent: true,
    accept: [208]
  })
  core.info(
    created.status === 208
      ? `Release ${version} already exists in ${org} (208); using it.`
      : `Created release ${version} in ${org} for ${project}.`
  )

  const commit =
    request.commit && COMMIT.test(request.commit) ? request.commit : undefined
  const repository =
    request.repository && request.repository.length <= 64
      ? request.repository
      : undefined
  const dateReleased = created.data?.dateReleased ?? new Date().toISOString()
  await client.put<ReleaseShape>(releasePath(org, version), {
    what: `finalize release ${version}`,
    scopes: SCOPES.releases,
    body: {
      dateReleased,
      ...(commit
        ? {
            ref: commit,
            commits: [{ id: commit, ...(repository ? { repository } : {}) }]
          }
        : {})
    }
  })
  core.info(
    `Finalized release ${version}${commit ? ` with commit ${commit.slice(0, 12)}` : ''}.`
  )

  const deploy = await recordDeploy(client, request)
  return {
    createStatus: created.status,
    created: created.status === 201,
    commitAttached: commit !== undefined,
    dateReleased,
    ...deploy
  }
}

async function recordDeploy(
  client: SentryClient,
  request: ReleaseRequest
): Promise<{ deployId: string; deployRecovered: boolean }> {
  const { org, version, environment, deployName: name } = request
  const path = `${releasePath(org, version)}deploys/`
  const started = new Date().toISOString()
  const attempts = 3
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await client.post<DeployShape>(path, {
        what: `record the deploy of ${version} to ${environment}`,
        scopes: SCOPES.releases,
        body: {
          environment,
          name,
          ...(request.deployUrl ? { url: request.deployUrl.href } : {}),
          dateStarted: started,
          dateFinished: new Date().toISOString()
        }
      })
      core.info(`Recorded the deploy of ${version} to ${environment}.`)
      return {
        deployId: String(response.data?.id ?? ''),
        deployRecovered: false
      }
    } catch (error) {
      if (!uncertain(error) || attempt >= attempts) throw error
      core.info(
        `The deploy may or may not have been recorded (${(error as Error).message}); looking for it before trying again.`
      )
      const deploys = await client.list<DeployShape>(path, {
        what: `list the deploys of ${version}`,
        scopes: SCOPES.releases
      })
      const found = deploys.find(
        (d) => d.name === name && d.environment === environment
      )
      if (found) {
        core.info(`The deploy was recorded (id ${String(found.id)}).`)
        return { deployId: String(found.id ?? ''), deployRecovered: true }
      }
    }
  }
}
