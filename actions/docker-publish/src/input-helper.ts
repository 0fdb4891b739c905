/**
 * Reads docker-publish's inputs once, strictly: the image name checked
 * against the distribution reference grammar, tags and paths validated, the
 * rules between inputs enforced, secrets masked at once, the result logged at
 * debug level without them. Nothing else reads an input.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import {
  ConfigurationError,
  getBoolean,
  getDuration,
  getEnum,
  getKeyValues,
  getList,
  getSecret,
  getString,
  getUrl,
  parseInteger
} from '@shipyard/action-kit'
import {
  CACHE_MODES,
  DOCKER_HUB,
  DOCKER_HUB_ALIASES,
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
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

function invalid(
  name: string,
  value: string,
  accepted: string,
  reason?: string
): ConfigurationError {
  const why = reason ? ` (${reason})` : ''
  return new ConfigurationError(
    `Invalid value for input '${name}': ${JSON.stringify(value)}${why}. Accepted: ${accepted}.`
  )
}

function missing(
  name: string,
  reason: string,
  accepted: string
): ConfigurationError {
  return new ConfigurationError(
    `Input required and not supplied: '${name}' (${reason}). Accepted: ${accepted}.`
  )
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target)
  return (
    relative === '' ||
    (relative !== '..' &&
      !relative.startsWith(`..${path.sep}`) &&
      !path.isAbsolute(relative))
  )
}

/** `GITHUB_WORKSPACE`, else the current directory. */
function workspaceRoot(): string {
  return path.resolve(process.env['GITHUB_WORKSPACE'] || process.cwd())
}

/** `value` resolved in the workspace: it must be relative and stay inside it, links followed. */
function workspacePath(
  name: string,
  value: string,
  workspace: string,
  accepted: string
): string {
  if (path.isAbsolute(value) || /^[A-Za-z]:[\\/]/.test(value)) {
    throw invalid(name, value, accepted, 'an absolute path')
  }
  const resolved = path.resolve(workspace, value)
  if (!isInside(workspace, resolved)) {
    throw invalid(name, value, accepted, 'outside the workspace')
  }
  if (
    fs.existsSync(resolved) &&
    !isInside(fs.realpathSync(workspace), fs.realpathSync(resolved))
  ) {
    throw invalid(name, value, accepted, 'a link out of the workspace')
  }
  return resolved
}

function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false
}

function isDirectory(dir: string): boolean {
  return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false
}

function existingFile(name: string, value: string, workspace: string): string {
  const accepted = 'an existing file, relative to the workspace'
  const file = workspacePath(name, value, workspace, accepted)
  if (!isFile(file)) throw invalid(name, value, accepted, 'no such file')
  return file
}

/** Docker Hub's other names folded into `docker.io`. */
function canonicalRegistry(host: string): string {
  return DOCKER_HUB_ALIASES.includes(host.toLowerCase()) ? DOCKER_HUB : host
}

function checkRegistry(name: string, value: string): string {
  const match = REGISTRY.exec(value)
  const port = match?.[2]
  if (!match || (port !== undefined && (+port < 1 || +port > 65535))) {
    throw invalid(name, value, REGISTRY_ACCEPTED)
  }
  return canonicalRegistry(value)
}

/** Splits `[host[:port]/]path` as Docker does: the first part is a host when it has a `.` or `:` or is `localhost`. */
function parseImage(value: string): { host?: string; repository: string } {
  const name = Inputs.Image
  if (value.includes('@')) {
    throw invalid(name, value, IMAGE_ACCEPTED, 'a digest is not accepted')
  }
  const slash = value.indexOf('/')
  const first = slash < 0 ? '' : value.slice(0, slash)
  const hasHost =
    first !== '' &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
  const host = hasHost ? first : undefined
  const repository = hasHost ? value.slice(slash + 1) : value
  if (repository.includes(':')) {
    throw invalid(name, value, IMAGE_ACCEPTED, 'tags go in `tags`')
  }
  if (host !== undefined && !REGISTRY.test(host)) {
    throw invalid(name, value, IMAGE_ACCEPTED, `invalid registry host`)
  }
  if (!REPOSITORY.test(repository)) {
    const lower = value.toLowerCase()
    const reason =
      lower !== value && REPOSITORY.test(repository.toLowerCase())
        ? `uppercase letters; did you mean ${JSON.stringify(lower)}?`
        : undefined
    throw invalid(name, value, IMAGE_ACCEPTED, reason)
  }
  if (value.length > NAME_MAX) {
    throw invalid(name, value, IMAGE_ACCEPTED, `longer than ${NAME_MAX}`)
  }
  return { host, repository }
}

/** `key=value` lines for labels, whose keys (`org.opencontainers.image.title`) have dots. */
function parseLabels(name: string, value: string): Record<string, string> {
  const labels: Record<string, string> = {}
  for (const [index, line] of value.split(/\r?\n/).entries()) {
    const text = line.trim()
    if (!text || text.startsWith('#')) continue
    const eq = text.indexOf('=')
    const key = eq > 0 ? text.slice(0, eq).trim() : ''
    if (!LABEL_KEY.test(key)) {
      throw new ConfigurationError(
        `Invalid value for input '${name}' on line ${index + 1}: ${JSON.stringify(text)}. Accepted: key=value lines, the key made of letters, digits, \`.\`, \`-\` and \`_\` (e.g. \`org.opencontainers.image.vendor=ACME\`).`
      )
    }
    if (key in labels) {
      throw new ConfigurationError(
        `Invalid value for input '${name}': the key ${key} is given twice. Accepted: each key once.`
      )
    }
    labels[key] = text.slice(eq + 1).trim()
  }
  return labels
}

function getTags(): string[] {
  const tags: string[] = []
  for (const tag of getList(Inputs.Tags)) {
    if (!TAG.test(tag)) throw invalid(Inputs.Tags, tag, TAG_ACCEPTED)
    if (!tags.includes(tag)) tags.push(tag)
  }
  return tags
}

function getPlatforms(): string[] {
  return getList(Inputs.Platforms).map((platform) => {
    if (!PLATFORM.test(platform)) {
      throw invalid(
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
  if (given) return existingFile(Inputs.File, given, workspace)
  for (const name of ['Dockerfile', 'Containerfile']) {
    const file = path.join(context, name)
    if (isFile(file)) return file
  }
  const where = path.relative(workspace, context) || '.'
  throw missing(
    Inputs.File,
    `neither Dockerfile nor Containerfile is in the context ${JSON.stringify(where)}`,
    'a Dockerfile path relative to the workspace'
  )
}

/** The smoke-test settings, or `undefined` when it is off (then none may be given). */
function getSmokeTest(workspace: string): SmokeTest | undefined {
  const enabled = getBoolean(Inputs.SmokeTest, { default: true })
  const envFile = getString(Inputs.SmokeEnvFile)
  const env = getKeyValues(Inputs.SmokeEnv, { secret: true })
  const port = getString(Inputs.SmokePort)
  const smokePath = getString(Inputs.SmokePath, {
    pattern: /^\/\S*$/,
    accepted: 'a URL path starting with `/`, e.g. `/health`'
  })
  const timeout = getString(Inputs.SmokeTimeout)
  const timeoutMs = getDuration(Inputs.SmokeTimeout, {
    default: '2m',
    min: '1s',
    max: '30m'
  })
  if (!enabled) {
    const given: [Inputs, string][] = [
      [Inputs.SmokeEnvFile, envFile],
      [Inputs.SmokeEnv, Object.keys(env).length ? '(not shown)' : ''],
      [Inputs.SmokePort, port],
      [Inputs.SmokePath, smokePath],
      [Inputs.SmokeTimeout, timeout]
    ]
    for (const [name, value] of given) {
      if (value) {
        throw invalid(
          name,
          value,
          `${name} only with smoke-test: true`,
          'smoke-test is false'
        )
      }
    }
    return undefined
  }
  return {
    envFile: envFile
      ? existingFile(Inputs.SmokeEnvFile, envFile, workspace)
      : undefined,
    env,
    port: port
      ? parseInteger(Inputs.SmokePort, port, { min: 1, max: 65535 })
      : undefined,
    path: smokePath || undefined,
    timeoutMs
  }
}

function getDockerhubApiUrl(): URL {
  const name = Inputs.DockerhubApiUrl
  const url = getUrl(name, {
    default: 'https://hub.docker.com',
    schemes: ['https', 'http']
  })
  if (!url) throw missing(name, 'no default', 'an absolute URL')
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    throw invalid(
      name,
      getString(name),
      'an `https://` URL (`http://` only on 127.0.0.1, localhost or [::1])'
    )
  }
  return url
}

/** A Sentry DSN: `https://<public key>@<host>/<project id>`. Never shown. */
function getSelfReportDsn(): URL | undefined {
  const name = Inputs.SelfReportDsn
  const dsn = getUrl(name, { secret: true, schemes: ['https', 'http'] })
  if (dsn && (!dsn.username || !/\/\d+$/.test(dsn.pathname))) {
    throw new ConfigurationError(
      `Invalid value for input '${name}': (secret value, not shown). Accepted: a Sentry DSN, https://<public key>@<host>/<project id>.`
    )
  }
  return dsn
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
    throw invalid(
      Inputs.Registry,
      registryInput,
      `the registry named in image (${host}), or empty`,
      `image ${JSON.stringify(imageName)} names another registry`
    )
  }

  const username = getString(Inputs.Username) || undefined
  const password = getSecret(Inputs.Password, { required: false }) || undefined
  const engine = getEnum(Inputs.Engine, ENGINES, { default: 'auto' })

  const contextAccepted = 'an existing directory, relative to the workspace'
  const contextInput = getString(Inputs.Context, { default: '.' })
  const context = workspacePath(
    Inputs.Context,
    contextInput,
    workspace,
    contextAccepted
  )
  if (!isDirectory(context)) {
    throw invalid(
      Inputs.Context,
      contextInput,
      contextAccepted,
      'no such directory'
    )
  }
  const file = getDockerfile(workspace, context)
  const buildArgs = getKeyValues(Inputs.BuildArgs)
  const target =
    getString(Inputs.Target, {
      pattern: STAGE,
      accepted:
        'a build stage name: a letter, then letters, digits, `_`, `.` or `-`'
    }) || undefined
  const platforms = getPlatforms()
  const labels = parseLabels(Inputs.Labels, getString(Inputs.Labels))
  const tags = getTags()
  const push = getPush()
  const smokeTest = getSmokeTest(workspace)
  const cache = getEnum(Inputs.Cache, CACHE_MODES, { default: 'gha' })
  const provenance = getBoolean(Inputs.Provenance, { default: false })
  const sbom = getBoolean(Inputs.Sbom, { default: false })
  const descriptionInput = getString(Inputs.DockerhubDescription)
  const dockerhubDescription = descriptionInput
    ? existingFile(Inputs.DockerhubDescription, descriptionInput, workspace)
    : undefined
  const dockerhubApiUrl = getDockerhubApiUrl()
  const selfReportDsn = getSelfReportDsn()

  // Rules between inputs.
  if (password && !username) {
    throw missing(
      Inputs.Username,
      'password is set',
      'the user name that goes with password'
    )
  }
  if (push === true) {
    for (const [name, value] of [
      [Inputs.Username, username],
      [Inputs.Password, password]
    ] as const) {
      if (!value) {
        throw missing(
          name,
          'push is true',
          'the registry credentials, or push: auto to skip the push when they are empty'
        )
      }
    }
  }
  if (platforms.length > 0 && engine === 'podman') {
    throw invalid(
      Inputs.Platforms,
      platforms.join(','),
      'platforms only with engine docker (buildx) or auto',
      'engine is podman'
    )
  }
  if (dockerhubDescription && registry !== DOCKER_HUB) {
    throw invalid(
      Inputs.DockerhubDescription,
      descriptionInput,
      'dockerhub-description only with the docker.io registry',
      `the registry is ${registry}`
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
    dockerhubApiUrl,
    selfReportDsn
  }
  core.debug(
    `docker-publish inputs: ${JSON.stringify({
      ...inputs,
      password: inputs.password ? '(set)' : undefined,
      smokeTest: smokeTest && { ...smokeTest, env: Object.keys(smokeTest.env) },
      selfReportDsn: inputs.selfReportDsn ? '(set)' : undefined
    })}`
  )
  return inputs
}
