/**
 * What is checked before any deploy is triggered: the service exists, is not
 * suspended and is of the right kind; the image differs from the service's
 * configured image only by its tag or digest; the image can be pulled the
 * way Render pulls it; Render's own auto-deploy is off (turned off when
 * allowed). A check that fails throws a `ConfigurationError` and nothing has
 * been deployed.
 */
import * as core from '@actions/core'
import {
  ConfigurationError,
  errorMessage,
  HttpError
} from '@shipyard/action-kit'
import type { RenderClient, Service } from './render-client.js'
import type { DeploySource, ImageReference } from './render-deploy-inputs.js'

/** An image-backed service: it has an `imagePath`, or runs the `image` runtime. */
export function isImageBacked(service: Service): boolean {
  const details = service.serviceDetails ?? {}
  return (
    Boolean(service.imagePath) ||
    details.runtime === 'image' ||
    details.env === 'image'
  )
}

/** Refuses a missing, suspended or wrong-kind service (no deploy made). */
export function checkService(service: Service, source: DeploySource): void {
  const id = service.id
  if (service.suspended === 'suspended')
    throw new ConfigurationError(
      `Render service ${id} (${service.name ?? 'unnamed'}) is suspended, so it cannot be deployed; nothing was deployed. Resume it in Render's dashboard${service.dashboardUrl ? ` (${service.dashboardUrl})` : ''}, then run this step again.`
    )
  const imageBacked = isImageBacked(service)
  if (source.kind === 'image' && !imageBacked)
    throw new ConfigurationError(
      `Render service ${id} is git-backed (${service.repo ?? 'a repository'}), so it cannot deploy 'image-url' ${source.image.ref}; nothing was deployed. Give 'commit-id' for a git-backed service, or the service-id of an image-backed one.`
    )
  if (source.kind === 'commit' && imageBacked)
    throw new ConfigurationError(
      `Render service ${id} is image-backed (${service.imagePath ?? 'an image'}), so it cannot deploy 'commit-id' ${source.commitId}; nothing was deployed. Give 'image-url' for an image-backed service.`
    )
}

/** Registry and repository as Render compares them (Docker Hub's aliases folded). */
export function imageName(ref: string): {
  registry: string
  repository: string
} {
  let rest = ref.trim().split('@')[0] ?? ''
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) rest = rest.slice(0, colon)
  const parts = rest.split('/')
  const first = parts[0] ?? ''
  let registry = 'docker.io'
  if (
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
  ) {
    registry = first.toLowerCase()
    parts.shift()
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io')
    registry = 'docker.io'
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library')
  return { registry, repository: parts.join('/').toLowerCase() }
}

/** Render's rule: only the tag or the digest may differ from the configured image. */
export function checkImageRule(service: Service, image: ImageReference): void {
  const configured = service.imagePath
  if (!configured) return
  const want = imageName(configured)
  const got = imageName(image.ref)
  if (want.registry === got.registry && want.repository === got.repository)
    return
  throw new ConfigurationError(
    `Invalid value for input 'image-url': ${JSON.stringify(image.ref)} is ${got.registry}/${got.repository}, but Render service ${service.id} is configured with ${configured} (${want.registry}/${want.repository}); Render deploys only another tag or digest of the configured image. Nothing was deployed. Accepted: ${want.registry}/${want.repository}:<tag> or ${want.registry}/${want.repository}@sha256:<digest>; to deploy another repository, change the service's image in Render first.`
  )
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/

/** Where the registry's API is: Docker Hub's is not at docker.io. */
export function registryBase(registry: string): string {
  if (registry === 'docker.io') return 'https://registry-1.docker.io'
  return `${LOOPBACK.test(registry) ? 'http' : 'https'}://${registry}`
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
export function parseChallenge(
  header: string
): { scheme: string; params: Record<string, string> } | undefined {
  const match = /^\s*(\w+)\s*(.*)$/.exec(header)
  if (!match) return undefined
  const params: Record<string, string> = {}
  const re = /(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g
  for (let m = re.exec(match[2] ?? ''); m; m = re.exec(match[2] ?? ''))
    params[(m[1] ?? '').toLowerCase()] = m[2] ?? m[3] ?? ''
  return { scheme: (match[1] ?? '').toLowerCase(), params }
}

export type PullCheck =
  | { result: 'pullable'; digest?: string }
  | { result: 'skipped'; reason: string }
  | { result: 'unreachable'; reason: string }

/**
 * Can the image be pulled anonymously, as Render pulls a public image? A
 * manifest HEAD (which Docker Hub does not count as a pull), after the
 * registry's anonymous token flow when it asks for one. A registry that
 * cannot be reached is a warning; a refusal is an error.
 */
export async function checkPullable(
  service: Service,
  image: ImageReference,
  timeoutMs: number
): Promise<PullCheck> {
  if (service.registryCredential)
    return {
      result: 'skipped',
      reason:
        `the service pulls with its registry credential ${service.registryCredential.name ?? ''}`.trim()
    }
  const base = registryBase(image.registry)
  const reference = image.digest ?? image.tag ?? 'latest'
  const manifestUrl = `${base}/v2/${image.repository}/manifests/${reference}`
  const request = (url: string, headers: Record<string, string>) =>
    fetch(url, {
      method: 'HEAD',
      headers,
      redirect: 'follow',
      signal: AbortSignal.timeout(timeoutMs)
    })
  const refused = (why: string): never => {
    throw new ConfigurationError(
      `Image ${image.ref} cannot be pulled anonymously from ${image.registry} (${why}), as Render would pull it for service ${service.id}, which has no registry credential; nothing was deployed. Make the repository public, push the tag or digest, or add registry credentials to the service in Render.`
    )
  }
  try {
    let response = await request(manifestUrl, { accept: MANIFEST_TYPES })
    if (response.status === 401) {
      const challenge = parseChallenge(
        response.headers.get('www-authenticate') ?? ''
      )
      if (challenge?.scheme !== 'bearer' || !challenge.params['realm'])
        return refused('the registry asks for a login')
      const tokenUrl = new URL(challenge.params['realm'])
      if (challenge.params['service'])
        tokenUrl.searchParams.set('service', challenge.params['service'])
      tokenUrl.searchParams.set('scope', `repository:${image.repository}:pull`)
      const tokenResponse = await fetch(tokenUrl, {
        signal: AbortSignal.timeout(timeoutMs)
      })
      if (tokenResponse.status >= 500)
        return {
          result: 'unreachable',
          reason: `its token service answered ${tokenResponse.status}`
        }
      if (!tokenResponse.ok)
        return refused(`no anonymous token: ${tokenResponse.status}`)
      const body = (await tokenResponse.json()) as {
        token?: string
        access_token?: string
      }
      const token = body.token ?? body.access_token
      if (!token) return refused('its token service gave no token')
      core.setSecret(token)
      response = await request(manifestUrl, {
        accept: MANIFEST_TYPES,
        authorization: `Bearer ${token}`
      })
    }
    if (response.ok)
      return {
        result: 'pullable',
        digest: response.headers.get('docker-content-digest') ?? undefined
      }
    if (response.status === 429 || response.status >= 500)
      return {
        result: 'unreachable',
        reason: `the registry answered ${response.status}`
      }
    return refused(
      response.status === 404
        ? `${reference} is not in ${image.repository}: 404`
        : `the registry answered ${response.status}`
    )
  } catch (error) {
    if (error instanceof ConfigurationError) throw error
    return { result: 'unreachable', reason: errorMessage(error) }
  }
}

/** Render's auto-deploy is on: the newer field when the service has it, else the older one. */
export function autoDeployOn(service: Service): boolean {
  if (service.autoDeployTrigger !== undefined)
    return service.autoDeployTrigger !== 'off'
  return service.autoDeploy === 'yes'
}

export interface AutoDeployChange {
  /** What was sent: `autoDeployTrigger: off` or `autoDeploy: no`. */
  field: 'autoDeployTrigger' | 'autoDeploy'
  before: string
}

/**
 * Turns Render's auto-deploy off when it is on (`disable`), or warns.
 * Answers what was changed, or undefined.
 */
export async function ensureAutoDeployOff(
  client: RenderClient,
  service: Service,
  disable: boolean
): Promise<AutoDeployChange | undefined> {
  if (!autoDeployOn(service)) return undefined
  const before =
    service.autoDeployTrigger !== undefined
      ? `autoDeployTrigger: ${service.autoDeployTrigger}`
      : `autoDeploy: ${service.autoDeploy ?? 'yes'}`
  if (!disable) {
    core.warning(
      `Render's auto-deploy is on for service ${service.id} (${before}): Render may deploy on its own, outside this pipeline. 'disable-auto-deploy' is false, so it is left on.`
    )
    return undefined
  }
  let change: AutoDeployChange
  if (service.autoDeployTrigger !== undefined) {
    try {
      await client.updateService({ autoDeployTrigger: 'off' })
      change = { field: 'autoDeployTrigger', before }
    } catch (error) {
      // A service that only knows the older field refuses the newer one.
      if (!(error instanceof HttpError) || error.status !== 400) throw error
      await client.updateService({ autoDeploy: 'no' })
      change = { field: 'autoDeploy', before }
    }
  } else {
    await client.updateService({ autoDeploy: 'no' })
    change = { field: 'autoDeploy', before }
  }
  core.notice(
    `Turned Render's auto-deploy off for service ${service.id} (was ${before}; sent ${change.field === 'autoDeployTrigger' ? 'autoDeployTrigger: off' : 'autoDeploy: no'}), so that only this pipeline deploys it.`
  )
  return change
}
