/**
 * The inputs of render-deploy once parsed: typed, defaulted and validated by
 * `getInputs()` (input-helper.ts). Nothing else reads the raw inputs.
 */

/** What the action needs to call Render's REST API for one service. */
export interface RenderApiAccess {
  /** The service, `srv-` + lowercase letters and digits. */
  serviceId: string
  /** Bearer key for the API (usually `rnd_…`). Secret: masked on read. */
  apiKey: string
  /** Base URL of the API (`render-api-url`): https, or http to loopback only. */
  apiUrl: URL
}

/** `service-id` + `api-key`: the deploy is triggered and watched through the API. */
export interface ApiMode {
  mode: 'api'
  api: RenderApiAccess
}

/**
 * `deploy-hook-url`: the deploy is triggered through the service's deploy
 * hook. Without `api-key` the action can only trigger (`api` is undefined and
 * `wait` is false); with it, it can also read the service and the deploy.
 */
export interface DeployHookMode {
  mode: 'deploy-hook'
  /** The whole URL is a secret (its `key` most of all): masked, never logged. */
  deployHookUrl: URL
  /** The service named in the hook's path (`/deploy/srv-…`). */
  serviceId: string
  /** Set when `api-key` is given too. */
  api: RenderApiAccess | undefined
}

/** How the deploy is triggered: through the API, or through a deploy hook. */
export type RenderTrigger = ApiMode | DeployHookMode

/** A parsed container image reference, e.g. `docker.io/acme/app:1.2@sha256:…`. */
export interface ImageReference {
  /** The reference exactly as given (what Render is sent). */
  ref: string
  /** The registry host (and port); `docker.io` when the reference names none. */
  registry: string
  /** The repository path; Docker Hub's official images get `library/`. */
  repository: string
  tag: string | undefined
  /** `sha256:…` or `sha512:…`. */
  digest: string | undefined
}

/** What is deployed. */
export type DeploySource =
  /** `image-url`, for an image-backed service. */
  | { kind: 'image'; image: ImageReference }
  /** `commit-id`, for a git-backed service (lowercase hexadecimal). */
  | { kind: 'commit'; commitId: string }
  /** Neither: whatever the service is configured with. */
  | { kind: 'service-default' }

/** The GitHub deployment to record (`github-deployment: true`). */
export interface GithubDeploymentSettings {
  /** The GitHub environment's name (`environment`). */
  environment: string
  /** A token with `deployments: write`. Secret: masked on read. */
  token: string
}

export interface RenderDeployInputs {
  trigger: RenderTrigger
  source: DeploySource
  /** Wait for the deploy to end; never true without API access. */
  wait: boolean
  /** The longest wait for the deploy to end, in ms (10 s to 6 h). */
  timeoutMs: number
  /** Turn Render's auto-deploy off when on; never true without API access. */
  disableAutoDeploy: boolean
  /** A path starting with `/`; undefined: the service's own health-check path. */
  healthPath: string | undefined
  rollbackOnFailure: boolean
  cancelOnTimeout: boolean
  /** Render's `clearCache: "clear"` instead of `"do_not_clear"`. */
  clearCache: boolean
  /** Undefined when `github-deployment` is false. */
  githubDeployment: GithubDeploymentSettings | undefined
}
