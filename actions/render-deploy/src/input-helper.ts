/**
 * Reads, defaults and validates every input of render-deploy, once. This is
 * the only module that reads inputs; a value that is not exactly what is
 * accepted is a `ConfigurationError` naming the input, the value (never a
 * secret's) and what is accepted. Secrets are masked as they are read.
 */
import * as core from '@actions/core'
import {
  ConfigurationError,
  formatDuration,
  getBoolean,
  getDuration,
  getString,
  getUrl,
  invalidInput
} from '@shipyard/action-kit'
import { DEFAULT_RENDER_API_URL, Inputs } from './constants.js'
import type {
  DeploySource,
  GithubDeploymentSettings,
  ImageReference,
  RenderApiAccess,
  RenderDeployInputs,
  RenderTrigger
} from './render-deploy-inputs.js'

const SERVICE_ID = /^srv-[a-z0-9]+$/
const SERVICE_ID_ACCEPTED =
  'a Render service id: `srv-` followed by lowercase letters and digits (with `api-key`), unless `deploy-hook-url` is given'

/** One line, no spaces: what can go into an `Authorization` header. */
const TOKEN = /^\S+$/

function readApiKey(required: boolean): string {
  const apiKey = getString(Inputs.ApiKey, {
    required,
    secret: true,
    pattern: TOKEN,
    accepted:
      'a Render API key (`rnd_…`, Account Settings → API Keys) on one line without spaces, unless `deploy-hook-url` is given'
  })
  if (apiKey && !apiKey.startsWith('rnd_')) {
    core.warning(
      `Input '${Inputs.ApiKey}' does not start with rnd_ as Render's API keys do; it is used as given. If Render answers 401, check that it is an API key (Account Settings → API Keys) and not a deploy hook's key.`
    )
  }
  return apiKey
}

const HOOK_PATH = /\/deploy\/(srv-[a-z0-9]+)\/?$/
const HOOK_ACCEPTED =
  "the service's deploy hook, https://api.render.com/deploy/srv-…?key=… (http:// only to 127.0.0.1, localhost or [::1])"

/** The deploy hook, masked whole; its value never appears in an error. */
function readDeployHook(): { url: URL; serviceId: string } | undefined {
  const name = Inputs.DeployHookUrl
  const url = getUrl(name, { httpLoopback: true, secret: true })
  if (!url) return undefined
  const fail = (reason: string) =>
    invalidInput(name, url.href, HOOK_ACCEPTED, { reason, secret: true })
  const match = HOOK_PATH.exec(url.pathname)
  if (!match) throw fail('its path does not end with /deploy/srv-…')
  if (!url.searchParams.get('key')) throw fail('it has no key=… parameter')
  return { url, serviceId: match[1] }
}

function readTrigger(): RenderTrigger {
  const hook = readDeployHook()
  const serviceId = getString(Inputs.ServiceId, {
    required: !hook,
    pattern: SERVICE_ID,
    accepted: SERVICE_ID_ACCEPTED
  })
  const apiKey = readApiKey(!hook)
  const apiUrl = getUrl(Inputs.RenderApiUrl, {
    default: DEFAULT_RENDER_API_URL,
    httpLoopback: true
  })
  if (!hook) return { mode: 'api', api: { serviceId, apiKey, apiUrl } }

  if (serviceId && serviceId !== hook.serviceId) {
    throw invalidInput(
      Inputs.ServiceId,
      serviceId,
      `the service of \`deploy-hook-url\` (${hook.serviceId}), or nothing`
    )
  }
  const api: RenderApiAccess | undefined = apiKey
    ? { serviceId: hook.serviceId, apiKey, apiUrl }
    : undefined
  return {
    mode: 'deploy-hook',
    deployHookUrl: hook.url,
    serviceId: hook.serviceId,
    api
  }
}

const IMAGE_ACCEPTED =
  'an image reference with a tag or a digest, such as `docker.io/acme/app:1.4.2`, `acme/app@sha256:<64 hex digits>` or `ghcr.io/acme/app:v1@sha256:…` (no scheme, lowercase repository)'
const REGISTRY =
  /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?$/
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^\w[\w.-]{0,127}$/
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/

/** Parses `[registry/]repository[:tag][@digest]` as Docker and Render read it. */
export function parseImageReference(name: string, ref: string): ImageReference {
  const fail = (): ConfigurationError => invalidInput(name, ref, IMAGE_ACCEPTED)
  let rest = ref
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) throw fail()
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag)) throw fail()
  }
  if (!tag && !digest) throw fail()
  const parts = rest.split('/')
  const first = parts[0] ?? ''
  const hasRegistry =
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
  let registry = 'docker.io'
  if (hasRegistry) {
    if (!REGISTRY.test(first)) throw fail()
    registry = first
    parts.shift()
  }
  if (parts.length === 0 || !parts.every((p) => PATH_COMPONENT.test(p))) {
    throw fail()
  }
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library')
  return { ref, registry, repository: parts.join('/'), tag, digest }
}

const COMMIT = /^(?:[0-9a-fA-F]{7,40}|[0-9a-fA-F]{64})$/

function readSource(trigger: RenderTrigger): DeploySource {
  const imageUrl = getString(Inputs.ImageUrl)
  const commitId = getString(Inputs.CommitId, {
    pattern: COMMIT,
    accepted:
      'a git commit id: 7 to 40 hexadecimal digits (64 for SHA-256 repositories)'
  })
  if (imageUrl && commitId) {
    throw new ConfigurationError(
      `Inputs '${Inputs.ImageUrl}' and '${Inputs.CommitId}' cannot both be given (${JSON.stringify(imageUrl)} and ${JSON.stringify(commitId)}). Accepted: '${Inputs.ImageUrl}' for an image-backed service, or '${Inputs.CommitId}' for a git-backed one.`
    )
  }
  if (commitId) {
    if (trigger.mode === 'deploy-hook') {
      throw invalidInput(
        Inputs.CommitId,
        commitId,
        `nothing with \`${Inputs.DeployHookUrl}\` (a deploy hook deploys the branch's latest commit); to deploy a given commit use \`${Inputs.ServiceId}\` + \`${Inputs.ApiKey}\` instead`
      )
    }
    return { kind: 'commit', commitId: commitId.toLowerCase() }
  }
  if (imageUrl) {
    return {
      kind: 'image',
      image: parseImageReference(Inputs.ImageUrl, imageUrl)
    }
  }
  return { kind: 'service-default' }
}

const HEALTH_PATH = /^\/\S*$/
const ENVIRONMENT = /^[^\p{Cc}]{1,255}$/u

function readGithubDeployment(): GithubDeploymentSettings | undefined {
  const enabled = getBoolean(Inputs.GithubDeployment, { default: true })
  const environment = getString(Inputs.Environment, {
    default: 'production',
    pattern: ENVIRONMENT,
    accepted:
      'a GitHub environment name: 1 to 255 characters, no control characters'
  })
  const token = getString(Inputs.GithubToken, {
    required: enabled,
    secret: true,
    pattern: TOKEN,
    accepted:
      "a GitHub token allowed to create deployments (`deployments: write`), usually the job's `github.token`; or set `github-deployment: false`"
  })
  return enabled ? { environment, token } : undefined
}

/**
 * A flag whose default is `true` only when the Render API can be used, and
 * which cannot be `true` without it.
 */
function readApiFlag(
  name: Inputs,
  trigger: RenderTrigger,
  what: string
): boolean {
  const canUseApi = trigger.mode === 'api' || trigger.api !== undefined
  const value = getBoolean(name, { default: canUseApi })
  if (value && !canUseApi) {
    throw invalidInput(
      name,
      'true',
      `\`false\` or nothing with \`${Inputs.DeployHookUrl}\` alone: ${what} needs Render's API, so give \`${Inputs.ApiKey}\` too`
    )
  }
  return value
}

/** The parsed inputs, as they are fit to log: no secret, not even in part. */
export function describeInputs(
  inputs: RenderDeployInputs
): Record<string, unknown> {
  const { trigger, source } = inputs
  const api = trigger.api
  return {
    mode: trigger.mode,
    serviceId:
      trigger.mode === 'api' ? trigger.api.serviceId : trigger.serviceId,
    deployHookUrl: trigger.mode === 'deploy-hook' ? '(set, secret)' : undefined,
    apiKey: api ? '(set, secret)' : undefined,
    apiUrl: api?.apiUrl.href,
    source:
      source.kind === 'image'
        ? source.image
        : source.kind === 'commit'
          ? { commitId: source.commitId }
          : 'the service default',
    wait: inputs.wait,
    timeout: formatDuration(inputs.timeoutMs),
    disableAutoDeploy: inputs.disableAutoDeploy,
    healthPath: inputs.healthPath ?? '(the service health-check path)',
    rollbackOnFailure: inputs.rollbackOnFailure,
    cancelOnTimeout: inputs.cancelOnTimeout,
    clearCache: inputs.clearCache,
    githubDeployment: inputs.githubDeployment
      ? {
          environment: inputs.githubDeployment.environment,
          token: '(set, secret)'
        }
      : false
  }
}

export function getInputs(): RenderDeployInputs {
  const trigger = readTrigger()
  const source = readSource(trigger)
  const wait = readApiFlag(Inputs.Wait, trigger, 'waiting for the deploy')
  const timeoutMs = getDuration(Inputs.Timeout, {
    default: '15m',
    min: '10s',
    max: '6h'
  })
  const disableAutoDeploy = readApiFlag(
    Inputs.DisableAutoDeploy,
    trigger,
    "turning Render's auto-deploy off"
  )
  const healthPath =
    getString(Inputs.HealthPath, {
      pattern: HEALTH_PATH,
      accepted:
        'a URL path starting with `/`, such as `/health`, without spaces'
    }) || undefined
  const inputs: RenderDeployInputs = {
    trigger,
    source,
    wait,
    timeoutMs,
    disableAutoDeploy,
    healthPath,
    rollbackOnFailure: getBoolean(Inputs.RollbackOnFailure, { default: true }),
    cancelOnTimeout: getBoolean(Inputs.CancelOnTimeout, { default: true }),
    clearCache: getBoolean(Inputs.ClearCache, { default: false }),
    githubDeployment: readGithubDeployment()
  }
  core.debug(`render-deploy inputs: ${JSON.stringify(describeInputs(inputs))}`)
  return inputs
}
