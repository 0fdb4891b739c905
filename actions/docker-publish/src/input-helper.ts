/**
 * Reads docker-publish's inputs once, strictly: the image name checked
 * against the distribution reference grammar, tags and paths validated, the
 * rules between inputs enforced, secrets masked at once, the result logged at
 * debug level without them. Nothing else reads an input.
 */
import * as path from 'node:path'
import * as core from '@actions/core'
import {
  getBoolean,
  getDuration,
  getEnum,
  getInteger,
  getKeyValues,
  getList,
  getSecret,
  getString,
  getUrl,
  invalidInput,
  isFile,
  missingInput,
  resolveWorkspacePath,
  workspaceRoot
} from '@shipyard/action-kit'
import {
  CACHE_MODES,
  DOCKER_HUB,
  DOCKER_HUB_ALIASES,
  DOCKER_HUB_API,
  ENGINES,
  Inputs,
  PUSH_MODES
} from './constants.js'
import type {
  DockerPublishInputs,
  PushMode,
  SmokeTest
} from './docker-publish-inputs.js'

// The distribution reference grammar (github.com/distribution/reference).
const ALPHA_NUMERIC = '[a-z0-9]+'
const SEPARATOR = '(?:[._]|__|-+)'
const PATH_COMPONENT = `${ALPHA_NUMERIC}(?:${SEPARATOR}${ALPHA_NUMERIC})*`
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`
const REGISTRY = new RegExp(`^(${HOST})(?::(\\d+))?$`)
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`)
const TAG = /^\w[\w.-]{0,127}$/
/** The longest image name the grammar allows, registry included. */
const NAME_MAX = 255

const IMAGE_ACCEPTED =
  'a lowercase image name without tag or digest, `[host[:port]/]path` as the distribution reference grammar allows (e.g. `alice/app`, `docker.io/alice/app`, `localhost:5000/app`)'
const REGISTRY_ACCEPTED =
  'a registry `host[:port]` without scheme or path (e.g. `docker.io`, `ghcr.io`, `localhost:5000`), port 1 to 65535'
const TAG_ACCEPTED =
  '1 to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`'
const PLATFORM = /^[a-z0-9_]+\/[a-z0-9_]+(\/[a-z0-9_.]+)?$/
const STAGE = /^[A-Za-z][\w.-]*$/
const LABEL_KEY = /^[A-Za-z0-9](?:[\w.-]*[A-Za-z0-9])?$/
const SECRET_ID = /^[A-Za-z0-9][\w.-]*$/
const SECRET_ID_ACCEPTED =
  'the id made of letters, digits, `.`, `-` and `_` (e.g. `pip_cert=…`)'
const LABEL_KEY_ACCEPTED =
  'the key made of letters, digits, `.`, `-` and `_` (e.g. `org.opencontainers.image.vendor=ACME`)'

/** Docker Hub's other names folded into `docker.io`. */
function canonicalRegistry(host: string): string {
  return DOCKER_HUB_ALIASES.includes(host.toLowerCase()) ? DOCKER_HUB : host
}

function checkRegistry(name: string, value: string): string {
  const match = REGISTRY.exec(value)
  const port = match?.[2]
  if (!match || (port !== undefined && (+port < 1 || +port > 65535))) {
    throw invalidInput(name, value, REGISTRY_ACCEPTED)
  }
  return canonicalRegistry(value)
}

/** Splits `[host[:port]/]path` as Docker does: the first part is a host when it has a `.` or `:` or is `localhost`. */
function parseImage(value: string): { host?: string; repository: string } {
  const fail = (reason?: string) =>
    invalidInput(Inputs.Image, value, IMAGE_ACCEPTED, { reason })
  if (value.includes('@')) throw fail('a digest is not accepted')
  const slash = value.indexOf('/')
  const first = slash < 0 ? '' : value.slice(0, slash)
  const hasHost =
    first !== '' &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
  const host = hasHost ? first : undefined
  const repository = hasHost ? value.slice(slash + 1) : value
  if (repository.includes(':')) throw fail('tags go in `tags`')
  const port = host === undefined ? undefined : REGISTRY.exec(host)?.[2]
  if (host !== undefined && !REGISTRY.test(host)) {
    throw fail('invalid registry host')
  }
  if (port !== undefined && (+port < 1 || +port > 65535)) {
    throw fail('the registry port must be 1 to 65535')
  }
  if (!REPOSITORY.test(repository)) {
    const lower = value.toLowerCase()
    throw fail(
      lower !== value && REPOSITORY.test(repository.toLowerCase())
        ? `uppercase letters; did you mean ${JSON.stringify(lower)}?`
        : undefined
    )
  }
  if (value.length > NAME_MAX) throw fail(`longer than ${NAME_MAX}`)
  return { host, repository }
}

function getTags(): string[] {
  const tags: string[] = []
  for (const tag of getList(Inputs.Tags)) {
    if (!TAG.test(tag)) throw invalidInput(Inputs.Tags, tag, TAG_ACCEPTED)
    if (!tags.includes(tag)) tags.push(tag)
  }
  return tags
}

function getPlatforms(): string[] {
  return getList(Inputs.Platforms).map((platform) => {
    if (!PLATFORM.test(platform)) {
      throw invalidInput(
        Inputs.Platforms,
        platform,
        '`os/arch` or `os/arch/variant` items in lowercase, e.g. `linux/amd64`, `linux/arm64/v8`'
      )
    }
    return platform
  })
}

function getPush(): PushMode {
  const push = getEnum(Inputs.Push, PUSH_MODES, { default: 'auto' })
  return push === 'auto' ? 'auto' : push === 'true'
}

function getDockerfile(workspace: string, context: string): string {
  const given = getString(Inputs.File)
  if (given) {
    return resolveWorkspacePath(Inputs.File, given, {
      workspace,
      mustBe: 'file'
    })
  }
  for (const name of ['Dockerfile', 'Containerfile']) {
    const file = path.join(context, name)
    if (isFile(file)) return file
  }
  const where = path.relative(workspace, context) || '.'
  throw missingInput(
    Inputs.File,
    'a Dockerfile path relative to the workspace',
    `neither Dockerfile nor Containerfile is in the context ${JSON.stringify(where)}`
  )
}

/** `id=path` lines: each path (absolute, or relative to the workspace) an existing file. */
function getSecretFiles(workspace: string): Record<string, string> {
  const files = getKeyValues(Inputs.SecretFiles, {
    keyPattern: SECRET_ID,
    keyAccepted: SECRET_ID_ACCEPTED
  })
  for (const [id, given] of Object.entries(files)) {
    const file = path.resolve(workspace, given)
    if (!isFile(file)) {
      throw invalidInput(
        Inputs.SecretFiles,
        `${id}=${given}`,
        'id=path lines, each path an existing file (absolute, or relative to the workspace)'
      )
    }
    files[id] = file
  }
  return files
}

/** With `smoke-test: false`, none of the smoke-test settings may be given. */
function refuseSmokeSettings(): void {
  // Values read only to see that they are empty; smoke-env's are still masked.
  const env = getKeyValues(Inputs.SmokeEnv, { secret: true })
  const given: [Inputs, string, boolean][] = [
    [Inputs.SmokeEnvFile, getString(Inputs.SmokeEnvFile), false],
    [Inputs.SmokeEnv, Object.keys(env).length > 0 ? '(set)' : '', true],
    [Inputs.SmokePort, getString(Inputs.SmokePort), false],
    [Inputs.SmokePath, getString(Inputs.SmokePath), false],
    [Inputs.SmokeTimeout, getString(Inputs.SmokeTimeout), false]
  ]
  for (const [name, value, secret] of given) {
    if (value) {
      throw invalidInput(name, value, `${name} only with smoke-test: true`, {
        reason: 'smoke-test is false',
        secret
      })
    }
  }
}

/** The smoke-test settings, or `undefined` when it is off (then none may be given). */
function getSmokeTest(workspace: string): SmokeTest | undefined {
  if (!getBoolean(Inputs.SmokeTest, { default: true })) {
    refuseSmokeSettings()
    return undefined
  }
  const envFile = getString(Inputs.SmokeEnvFile)
  return {
    envFile: envFile
      ? resolveWorkspacePath(Inputs.SmokeEnvFile, envFile, {
          workspace,
          mustBe: 'file'
        })
      : undefined,
    env: getKeyValues(Inputs.SmokeEnv, { secret: true }),
    port: getInteger(Inputs.SmokePort, { min: 1, max: 65535 }),
    path:
      getString(Inputs.SmokePath, {
        pattern: /^\/\S*$/,
        accepted: 'a URL path starting with `/`, e.g. `/health`'
      }) || undefined,
    timeoutMs: getDuration(Inputs.SmokeTimeout, {
      default: '2m',
      min: '1s',
      max: '30m'
    })
  }
}

export function getInputs(): DockerPublishInputs {
  const workspace = workspaceRoot()

  const imageName = getString(Inputs.Image, {
    required: true,
    accepted: IMAGE_ACCEPTED
  })
  const { host, repository } = parseImage(imageName)
  const registryInput = getString(Inputs.Registry)
  const registry = registryInput
    ? checkRegistry(Inputs.Registry, registryInput)
    : canonicalRegistry(host ?? DOCKER_HUB)
  if (host !== undefined && canonicalRegistry(host) !== registry) {
    throw invalidInput(
      Inputs.Registry,
      registryInput,
      `the registry named in image (${host}), or empty`,
      { reason: `image ${JSON.stringify(imageName)} names another registry` }
    )
  }

  const username = getString(Inputs.Username) || undefined
  const password = getSecret(Inputs.Password, { required: false }) || undefined
  const engine = getEnum(Inputs.Engine, ENGINES, { default: 'auto' })

  const context = resolveWorkspacePath(
    Inputs.Context,
    getString(Inputs.Context, { default: '.' }),
    { workspace, mustBe: 'directory' }
  )
  const file = getDockerfile(workspace, context)
  const buildArgs = getKeyValues(Inputs.BuildArgs)
  const secrets = getKeyValues(Inputs.Secrets, {
    secret: true,
    keyPattern: SECRET_ID,
    keyAccepted: SECRET_ID_ACCEPTED
  })
  const secretFiles = getSecretFiles(workspace)
  for (const id of Object.keys(secrets)) {
    if (id in secretFiles) {
      throw invalidInput(
        Inputs.SecretFiles,
        id,
        'each secret id once, in secrets or in secret-files',
        { reason: `${id} is in secrets too` }
      )
    }
  }
  const target =
    getString(Inputs.Target, {
      pattern: STAGE,
      accepted:
        'a build stage name: a letter, then letters, digits, `_`, `.` or `-`'
    }) || undefined
  const platforms = getPlatforms()
  const labels = getKeyValues(Inputs.Labels, {
    keyPattern: LABEL_KEY,
    keyAccepted: LABEL_KEY_ACCEPTED
  })
  const tags = getTags()
  const push = getPush()
  const smokeTest = getSmokeTest(workspace)
  const cache = getEnum(Inputs.Cache, CACHE_MODES, { default: 'gha' })
  const provenance = getBoolean(Inputs.Provenance, { default: false })
  const sbom = getBoolean(Inputs.Sbom, { default: false })
  const descriptionInput = getString(Inputs.DockerhubDescription)
  const dockerhubDescription = descriptionInput
    ? resolveWorkspacePath(Inputs.DockerhubDescription, descriptionInput, {
        workspace,
        mustBe: 'file'
      })
    : undefined
  const dockerhubApiUrl = getUrl(Inputs.DockerhubApiUrl, {
    default: DOCKER_HUB_API,
    httpLoopback: true
  })

  // Rules between inputs.
  if (password && !username) {
    throw missingInput(
      Inputs.Username,
      'the user name that goes with password',
      'password is set'
    )
  }
  if (push === true) {
    for (const [name, value] of [
      [Inputs.Username, username],
      [Inputs.Password, password]
    ] as const) {
      if (!value) {
        throw missingInput(
          name,
          'the registry credentials, or push: auto to skip the push when they are empty',
          'push is true'
        )
      }
    }
  }
  if (platforms.length > 0 && engine === 'podman') {
    throw invalidInput(
      Inputs.Platforms,
      platforms.join(','),
      'platforms only with engine docker (buildx) or auto',
      { reason: 'engine is podman' }
    )
  }
  // Docker Hub's web API knows only Docker Hub's repositories; another API
  // (dockerhub-api-url) is one the user says belongs with their registry.
  if (
    dockerhubDescription &&
    registry !== DOCKER_HUB &&
    dockerhubApiUrl.href === DOCKER_HUB_API
  ) {
    throw invalidInput(
      Inputs.DockerhubDescription,
      descriptionInput,
      'dockerhub-description only with the docker.io registry, or with a dockerhub-api-url that serves this registry',
      { reason: `the registry is ${registry}` }
    )
  }

  const inputs: DockerPublishInputs = {
    workspace,
    image: `${registry}/${repository}`,
    registry,
    repository,
    username,
    password,
    engine,
    context,
    file,
    buildArgs,
    secrets,
    secretFiles,
    target,
    platforms,
    labels,
    tags,
    push,
    smokeTest,
    cache,
    provenance,
    sbom,
    dockerhubDescription,
    dockerhubApiUrl
  }
  core.debug(
    `docker-publish inputs: ${JSON.stringify({
      ...inputs,
      password: inputs.password ? '(set)' : undefined,
      secrets: Object.keys(secrets),
      smokeTest: smokeTest && { ...smokeTest, env: Object.keys(smokeTest.env) }
    })}`
  )
  return inputs
}
