/**
 * Builds the image once, tagged with every final name, and reads back what
 * the summary and the smoke test need: the image ID, its size and layers,
 * its exposed ports and HEALTHCHECK. Build secrets are files mounted for the
 * build only (`--secret id=…,src=…`); values given inline are written to a
 * private temporary file that is removed with the run's temporary directory.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import { scrub } from '@shipyard/action-kit'
import type { CacheMode } from './docker-publish-inputs.js'
import type { ContainerEngine, Exec } from './engine.js'

export interface BuildSpec {
  context: string
  file: string
  /** Full references (`registry/repo:tag`) to tag the image with. */
  refs: string[]
  /** `registry/repo`, for the cache scope. */
  image: string
  target?: string
  buildArgs: Record<string, string>
  labels: Record<string, string>
  /** Secret id → file. */
  secretFiles: Record<string, string>
  /** Secret id → value (written to private files). */
  secrets: Record<string, string>
  platforms: string[]
  cache: CacheMode
  /** Whether the cache may be written to the registry (credentials, push). */
  canWriteRegistry: boolean
  /** A private directory for this run (removed by the caller). */
  tempDir: string
}

export interface ImageFacts {
  id: string
  size: number
  layers: number
  /** Exposed container ports, in order. */
  ports: number[]
  /** The HEALTHCHECK test, e.g. `["CMD", "curl", "-f", "http://localhost/health"]`. */
  healthcheck: string[]
}

export interface BuildResult {
  /** The image ID (`sha256:…`). */
  id: string
  seconds: number
  /** Said once per run: which cache applied. */
  cacheNote: string
  /**
   * Size, layers, ports and HEALTHCHECK: read (`image inspect`) while the
   * caller goes on, e.g. starts the smoke test.
   */
  facts: Promise<ImageFacts>
}

/** The cache flags for `mode`, and a sentence saying which cache applies. */
export function cacheFlags(
  engine: ContainerEngine,
  spec: Pick<BuildSpec, 'cache' | 'image' | 'canWriteRegistry'>,
  env: NodeJS.ProcessEnv = process.env
): { flags: string[]; note: string; notice?: string } {
  const local =
    engine.kind === 'podman'
      ? "podman's local layer cache"
      : "Docker's local layer cache"
  if (spec.cache === 'none') {
    return { flags: [], note: `cache: none (only ${local})` }
  }
  if (!engine.capabilities.cacheExport.includes(spec.cache)) {
    const why =
      engine.kind === 'podman'
        ? `podman cannot use the ${spec.cache} cache backend`
        : `this Docker builder cannot export a ${spec.cache} cache`
    return {
      flags: [],
      note: `cache: ${local} (${why})`,
      notice: `cache: ${spec.cache} is not available (${why}); ${local} applies instead.`
    }
  }
  if (spec.cache === 'gha') {
    if (!env['ACTIONS_RUNTIME_TOKEN'] && !env['ACTIONS_CACHE_URL']) {
      return {
        flags: [],
        note: `cache: ${local} (no GitHub Actions cache service in this run)`,
        notice: `cache: gha needs the GitHub Actions cache service (ACTIONS_RUNTIME_TOKEN), which this run does not have; ${local} applies instead.`
      }
    }
    // One scope per image, so images built in one workflow do not evict
    // each other; a cache error never fails the build.
    const scope = spec.image.replace(/[^\w.-]+/g, '-')
    return {
      flags: [
        '--cache-from',
        `type=gha,scope=${scope}`,
        '--cache-to',
        `type=gha,scope=${scope},mode=max,ignore-error=true`
      ],
      note: `cache: GitHub Actions cache, scope ${scope}`
    }
  }
  const ref = `${spec.image}:buildcache`
  return {
    flags: [
      '--cache-from',
      `type=registry,ref=${ref}`,
      ...(spec.canWriteRegistry
        ? ['--cache-to', `type=registry,ref=${ref},mode=max,ignore-error=true`]
        : [])
    ],
    note: `cache: registry ${ref}${spec.canWriteRegistry ? '' : ' (read only: no push)'}`
  }
}

/** The whole build command line (without the program). */
export function buildArgs(
  engine: ContainerEngine,
  spec: BuildSpec,
  secretFiles: Record<string, string>,
  cache: string[],
  iidFile: string
): string[] {
  const args = [...engine.buildCommand(), ...engine.buildFlags()]
  args.push('--file', spec.file, '--iidfile', iidFile)
  args.push(...commonArgs(spec, secretFiles))
  if (engine.capabilities.buildx) args.push('--provenance=false')
  args.push(...cache, spec.context)
  return args
}

/** Tags, target, build args, labels and secrets: the same for every build of a run. */
function commonArgs(
  spec: BuildSpec,
  secretFiles: Record<string, string>
): string[] {
  const args: string[] = []
  for (const ref of spec.refs) args.push('--tag', ref)
  if (spec.target) args.push('--target', spec.target)
  for (const [key, value] of Object.entries(spec.buildArgs))
    args.push('--build-arg', `${key}=${value}`)
  for (const [key, value] of Object.entries(spec.labels))
    args.push('--label', `${key}=${value}`)
  for (const [id, file] of Object.entries(secretFiles))
    args.push('--secret', `id=${id},src=${file}`)
  return args
}

export interface Attestations {
  provenance: boolean
  sbom: boolean
}

/**
 * The buildx build that pushes: for `platforms` (a multi-platform image
 * cannot be loaded for the smoke test, so the runner's platform is built
 * and tested first, and this build reuses its cache) and for attestations.
 */
export function buildxPushArgs(
  engine: ContainerEngine,
  spec: BuildSpec,
  secretFiles: Record<string, string>,
  cache: string[],
  attestations: Attestations,
  metadataFile: string
): string[] {
  const args = ['buildx', 'build', '--push', '--file', spec.file]
  if (spec.platforms.length > 0)
    args.push('--platform', spec.platforms.join(','))
  args.push(...commonArgs(spec, secretFiles))
  args.push(
    `--provenance=${attestations.provenance}`,
    `--sbom=${attestations.sbom}`
  )
  if (engine.capabilities.metadataFile)
    args.push('--metadata-file', metadataFile)
  args.push(...cache, spec.context)
  return args
}

/** Whether the push goes through `buildx build --push` rather than `push` per tag. */
export function pushesWithBuildx(
  engine: ContainerEngine,
  spec: Pick<BuildSpec, 'platforms'>,
  attestations: Attestations
): boolean {
  return (
    engine.capabilities.buildx &&
    engine.capabilities.push &&
    (spec.platforms.length > 0 || attestations.provenance || attestations.sbom)
  )
}

export async function pushWithBuildx(
  engine: ContainerEngine,
  run: Exec,
  spec: BuildSpec,
  attestations: Attestations
): Promise<void> {
  const cache = cacheFlags(engine, spec)
  const args = buildxPushArgs(
    engine,
    spec,
    writeSecrets(spec),
    cache.flags,
    attestations,
    path.join(spec.tempDir, 'metadata.json')
  )
  const result = await run(engine.command, args)
  if (result.exitCode !== 0) {
    const tail = scrub(result.stderr || result.stdout)
      .trimEnd()
      .split('\n')
      .slice(-15)
      .join('\n')
    throw new Error(
      `The buildx push (${spec.platforms.join(', ') || 'attestations'}) failed with exit code ${result.exitCode}. Last lines:\n${tail}`
    )
  }
}

function writeSecrets(spec: BuildSpec): Record<string, string> {
  const files: Record<string, string> = { ...spec.secretFiles }
  const ids = Object.keys(spec.secrets)
  if (ids.length === 0) return files
  const dir = path.join(spec.tempDir, 'secrets')
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  for (const [index, id] of ids.entries()) {
    const file = path.join(dir, `secret-${index}`)
    fs.writeFileSync(file, spec.secrets[id] ?? '', { mode: 0o600 })
    files[id] = file
  }
  return files
}

function numbers(ports: unknown): number[] {
  if (!ports || typeof ports !== 'object') return []
  return Object.keys(ports)
    .map((key) => Number.parseInt(key, 10))
    .filter((n) => Number.isInteger(n) && n > 0)
}

/** Size, layers, ports and HEALTHCHECK of a local image. */
export async function inspectImage(
  engine: ContainerEngine,
  run: Exec,
  image: string
): Promise<ImageFacts> {
  const result = await run(engine.command, ['image', 'inspect', image], {
    silent: true
  })
  if (result.exitCode !== 0) {
    throw new Error(
      `Cannot inspect the built image ${image}: ${scrub(result.stderr.trim())}`
    )
  }
  const parsed = JSON.parse(result.stdout) as unknown
  const data = (Array.isArray(parsed) ? parsed[0] : parsed) as {
    Id?: string
    Size?: number
    RootFS?: { Layers?: string[] }
    Config?: {
      ExposedPorts?: Record<string, unknown>
      Healthcheck?: { Test?: string[] }
    }
    Healthcheck?: { Test?: string[] }
    HealthCheck?: { Test?: string[] }
  }
  return {
    id: data.Id ? data.Id.replace(/^(?!sha256:)/, 'sha256:') : '',
    size: data.Size ?? 0,
    layers: data.RootFS?.Layers?.length ?? 0,
    ports: numbers(data.Config?.ExposedPorts),
    healthcheck:
      data.Config?.Healthcheck?.Test ??
      data.Healthcheck?.Test ??
      data.HealthCheck?.Test ??
      []
  }
}

export async function buildImage(
  engine: ContainerEngine,
  run: Exec,
  spec: BuildSpec
): Promise<BuildResult> {
  const cache = cacheFlags(engine, spec)
  if (cache.notice) core.notice(cache.notice)
  core.info(cache.note)
  const secretIds = [
    ...Object.keys(spec.secretFiles),
    ...Object.keys(spec.secrets)
  ]
  if (secretIds.length > 0 && !engine.capabilities.secrets) {
    throw new Error(
      `${engine.command} ${engine.version} cannot pass build secrets (${secretIds.join(', ')}): it has no --secret.`
    )
  }
  const iidFile = path.join(spec.tempDir, 'iid')
  const args = buildArgs(engine, spec, writeSecrets(spec), cache.flags, iidFile)
  const env: Record<string, string> =
    engine.kind === 'docker' && !engine.capabilities.buildx
      ? { DOCKER_BUILDKIT: '1' }
      : {}
  const started = Date.now()
  const result = await run(engine.command, args, { env })
  const seconds = (Date.now() - started) / 1000
  if (result.exitCode !== 0) {
    const tail = scrub(result.stderr || result.stdout)
      .trimEnd()
      .split('\n')
      .slice(-15)
      .join('\n')
    throw new Error(
      `The image build failed (${engine.command} exit code ${result.exitCode}); nothing was pushed. Last lines:\n${tail}`
    )
  }
  const id = fs
    .readFileSync(iidFile, 'utf8')
    .trim()
    .replace(/^(?!sha256:)/, 'sha256:')
  const facts = inspectImage(engine, run, id)
  // A failure is the awaiting caller's to report, not an unhandled one.
  facts.catch(() => undefined)
  return { id, seconds, cacheNote: cache.note, facts }
}
