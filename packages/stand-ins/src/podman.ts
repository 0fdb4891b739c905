/**
 * A small podman runner for the stand-ins (the Render stand-in really runs the
 * images it deploys): pull, run, inspect, logs, remove, plus build, tag and
 * push for the tests. Every call is `execFile('podman', [...args])` with an
 * argument array (never a shell), with the environment of
 * `scripts/containers/env.sh` (CONTAINERS_CONF, storage, registries).
 *
 * Registry passwords never reach a command line: they go into a private
 * auth file (`--authfile`) that is removed after the call. Container
 * variables are passed as `-e NAME` with their values in podman's own
 * environment, so `ps` does not show them either.
 */
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Credentials for one registry host (`127.0.0.1:5000`). */
export interface RegistryAuth {
  host: string
  username?: string
  password?: string
  /** Verify TLS; default false for loopback hosts, true otherwise. */
  tlsVerify?: boolean
}

export interface RunSpec {
  /** An image reference or image id. */
  image: string
  name?: string
  labels?: Record<string, string>
  /** The container's environment (values stay off the command line). */
  env?: Record<string, string>
  /** Arguments given after the image (replace its CMD). */
  command?: string[]
}

export interface ContainerState {
  running: boolean
  /** `running`, `exited`, `created`, … or `missing` when it is gone. */
  status: string
  exitCode?: number
}

/**
 * What the Render stand-in needs from a container engine. `Podman`
 * implements it; unit tests pass a fake one.
 */
export interface ContainerRuntime {
  /** Pulls `ref`; answers the image id and the registry digest. */
  pull(
    ref: string,
    auth?: RegistryAuth
  ): Promise<{ id: string; digest: string }>
  /** Starts a detached container on the host network; answers its id. */
  run(spec: RunSpec): Promise<string>
  state(id: string): Promise<ContainerState>
  logs(id: string): Promise<string>
  /** Stops (SIGTERM, then SIGKILL after a grace period) and removes it. */
  remove(id: string): Promise<void>
}

export class PodmanError extends Error {
  constructor(
    message: string,
    readonly args: string[],
    readonly stderr: string,
    readonly code?: number | string
  ) {
    super(message)
    this.name = 'PodmanError'
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/

/** The repository root, found from this file's place in it. */
function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
}

let cachedEnv: Record<string, string> | undefined

/**
 * The variables `scripts/containers/env.sh` exports (sourced by bash, so the
 * file stays the one source of truth). Empty when the file is not there.
 */
export function containersEnv(
  envFile = join(repoRoot(), 'scripts', 'containers', 'env.sh')
): Record<string, string> {
  if (cachedEnv) return cachedEnv
  if (!existsSync(envFile)) return (cachedEnv = {})
  const result = spawnSync(
    'bash',
    ['-c', '. "$1" >/dev/null && env -0', 'env.sh', envFile],
    { env: {}, encoding: 'utf8' }
  )
  const env: Record<string, string> = {}
  if (result.status === 0) {
    for (const entry of result.stdout.split('\0')) {
      const eq = entry.indexOf('=')
      const key = entry.slice(0, eq)
      if (eq > 0 && !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(key))
        env[key] = entry.slice(eq + 1)
    }
  }
  return (cachedEnv = env)
}

/**
 * The local registry's address and credentials from the env file that
 * `scripts/containers/registry.sh start` writes (`REGISTRY`,
 * `REGISTRY_USERNAME`, `REGISTRY_PASSWORD`); undefined when there is none.
 * Default file: `$SHIPYARD_RUN_DIR/registry.env`, else `<repo>/.run/registry.env`.
 */
export function readRegistryEnv(
  file = join(
    process.env['SHIPYARD_RUN_DIR'] ?? join(repoRoot(), '.run'),
    'registry.env'
  )
): RegistryAuth | undefined {
  if (!existsSync(file)) return undefined
  const env: Record<string, string> = {}
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*(?:export\s+)?(\w+)=(.*)$/.exec(line)
    if (match?.[1]) env[match[1]] = (match[2] ?? '').replace(/^'(.*)'$/, '$1')
  }
  if (!env['REGISTRY']) return undefined
  return {
    host: env['REGISTRY'],
    username: env['REGISTRY_USERNAME'],
    password: env['REGISTRY_PASSWORD']
  }
}

/** True when a `podman` command can be run here. */
export function podmanAvailable(bin = 'podman'): boolean {
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8' })
  return result.status === 0
}

export interface PodmanOptions {
  bin?: string
  /** Extra environment for every call (default: `containersEnv()`). */
  env?: Record<string, string>
  /** Seconds `remove()` waits after SIGTERM (default 3). */
  stopTimeout?: number
}

export interface ExecOptions {
  env?: Record<string, string>
  cwd?: string
  /** ms; default 10 minutes. */
  timeout?: number
}

export class Podman implements ContainerRuntime {
  readonly bin: string
  private readonly env: Record<string, string>
  private readonly stopTimeout: number

  constructor(options: PodmanOptions = {}) {
    this.bin = options.bin ?? 'podman'
    this.env = options.env ?? containersEnv()
    this.stopTimeout = options.stopTimeout ?? 3
  }

  /** Runs `podman ...args`; resolves stdout, rejects with a PodmanError. */
  exec(args: string[], options: ExecOptions = {}): Promise<string> {
    return new Promise((resolvePromise, reject) => {
      execFile(
        this.bin,
        args,
        {
          env: { ...process.env, ...this.env, ...options.env },
          cwd: options.cwd,
          timeout: options.timeout ?? 600_000,
          maxBuffer: 64 * 1024 * 1024,
          encoding: 'utf8'
        },
        (error, stdout, stderr) => {
          if (error) {
            const detail = (stderr || error.message).trim()
            reject(
              new PodmanError(
                `podman ${args[0] ?? ''} failed: ${detail}`,
                args,
                stderr,
                error.code ?? undefined
              )
            )
          } else resolvePromise(stdout)
        }
      )
    })
  }

  /** Runs `podman ...args` with a private auth file for `auth`. */
  private async withAuth<T>(
    auth: RegistryAuth | undefined,
    ref: string,
    call: (extra: string[]) => Promise<T>
  ): Promise<T> {
    const extra: string[] = []
    const host = auth?.host ?? registryOf(ref)
    const tlsVerify = auth?.tlsVerify ?? !LOOPBACK.test(host)
    if (!tlsVerify) extra.push('--tls-verify=false')
    if (!auth?.username || registryOf(ref) !== auth.host) return call(extra)
    const dir = await mkdtemp(join(tmpdir(), 'shipyard-podman-auth-'))
    try {
      const file = join(dir, 'auth.json')
      const token = Buffer.from(
        `${auth.username}:${auth.password ?? ''}`
      ).toString('base64')
      await writeFile(
        file,
        JSON.stringify({ auths: { [auth.host]: { auth: token } } }),
        { mode: 0o600 }
      )
      return await call([...extra, '--authfile', file])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  async pull(
    ref: string,
    auth?: RegistryAuth
  ): Promise<{ id: string; digest: string }> {
    const out = await this.withAuth(auth, ref, (extra) =>
      this.exec(['pull', '--quiet', ...extra, ref], { timeout: 300_000 })
    )
    const id = out.trim().split('\n').pop() ?? ''
    // The digest of the manifest the registry serves for this reference
    // (what `push --digestfile` reports); the local image's own `.Digest`
    // can differ (another manifest of the same image).
    const digest = ref.includes('@')
      ? ref.slice(ref.indexOf('@') + 1)
      : ((await registryDigest(ref, auth).catch(() => undefined)) ??
        (
          await this.exec(['image', 'inspect', '--format', '{{.Digest}}', ref])
        ).trim())
    return { id, digest }
  }

  async run(spec: RunSpec): Promise<string> {
    const args = ['run', '--detach', '--runtime', 'runc', '--network', 'host']
    if (spec.name) args.push('--name', spec.name)
    for (const [key, value] of Object.entries(spec.labels ?? {}))
      args.push('--label', `${key}=${value}`)
    for (const key of Object.keys(spec.env ?? {})) args.push('--env', key)
    args.push(spec.image, ...(spec.command ?? []))
    const out = await this.exec(args, { env: spec.env, timeout: 120_000 })
    return out.trim().split('\n').pop() ?? ''
  }

  async state(id: string): Promise<ContainerState> {
    try {
      const out = await this.exec([
        'container',
        'inspect',
        '--format',
        '{{.State.Running}} {{.State.ExitCode}} {{.State.Status}}',
        id
      ])
      const [running, exitCode, status] = out.trim().split(' ')
      return {
        running: running === 'true',
        status: status ?? 'unknown',
        exitCode: Number(exitCode)
      }
    } catch {
      return { running: false, status: 'missing' }
    }
  }

  async logs(id: string): Promise<string> {
    return new Promise((resolvePromise) => {
      execFile(
        this.bin,
        ['logs', id],
        {
          env: { ...process.env, ...this.env },
          maxBuffer: 16 * 1024 * 1024,
          encoding: 'utf8',
          timeout: 30_000
        },
        (error, stdout, stderr) => {
          resolvePromise(
            error && !stdout && !stderr
              ? `(no logs: ${error.message})`
              : stdout + stderr
          )
        }
      )
    })
  }

  async remove(id: string): Promise<void> {
    await this.exec([
      'rm',
      '--force',
      '--time',
      String(this.stopTimeout),
      id
    ]).catch((error: unknown) => {
      if (!/no such container/i.test(String(error))) throw error
    })
  }

  /** Ids of the containers (running or not) carrying `label` (`k=v`). */
  async containersWithLabel(label: string): Promise<string[]> {
    const out = await this.exec([
      'ps',
      '--all',
      '--quiet',
      '--no-trunc',
      '--filter',
      `label=${label}`
    ])
    return out.split('\n').filter(Boolean)
  }

  async imageExists(ref: string): Promise<boolean> {
    return this.exec(['image', 'exists', ref]).then(
      () => true,
      () => false
    )
  }

  async tag(source: string, target: string): Promise<void> {
    await this.exec(['tag', source, target])
  }

  /** Pushes `ref`; answers the digest the registry stored. */
  async push(ref: string, auth?: RegistryAuth): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'shipyard-podman-push-'))
    try {
      const digestFile = join(dir, 'digest')
      await this.withAuth(auth, ref, (extra) =>
        this.exec(
          ['push', '--quiet', ...extra, '--digestfile', digestFile, ref],
          { timeout: 600_000 }
        )
      )
      return (await readFile(digestFile, 'utf8')).trim()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  /** `podman build` with chroot isolation (no nested namespaces needed). */
  async build(options: {
    context: string
    tag: string
    file?: string
    buildArgs?: Record<string, string>
    /** `id` → source file, for `RUN --mount=type=secret`. */
    secrets?: Record<string, string>
    /**
     * Keep intermediate layers (default false: with the vfs driver each one
     * is a full copy of the root filesystem; one commit per stage is faster).
     */
    layers?: boolean
    timeout?: number
  }): Promise<void> {
    const args = ['build', '--quiet', '--isolation', 'chroot']
    args.push(
      '--format',
      'docker',
      `--layers=${String(options.layers ?? false)}`
    )
    args.push('--tag', options.tag)
    if (options.file) args.push('--file', options.file)
    for (const [key, value] of Object.entries(options.buildArgs ?? {}))
      args.push('--build-arg', `${key}=${value}`)
    for (const [id, src] of Object.entries(options.secrets ?? {}))
      args.push('--secret', `id=${id},src=${src}`)
    args.push(options.context)
    await this.exec(args, { timeout: options.timeout ?? 1_200_000 })
  }
}

/** The registry host of an image reference (`docker.io` when none is named). */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0] ?? ''
  return ref.includes('/') &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io'
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json'
].join(', ')

/**
 * The registry's digest for `ref` (`Docker-Content-Digest` of a manifest
 * HEAD), with Basic credentials or the Bearer token flow; plain HTTP for
 * loopback registries.
 */
export async function registryDigest(
  ref: string,
  auth?: RegistryAuth
): Promise<string | undefined> {
  const host = registryOf(ref)
  let name = ref.slice(
    host === 'docker.io' && !ref.startsWith('docker.io/') ? 0 : host.length + 1
  )
  const at = name.indexOf('@')
  if (at >= 0) return name.slice(at + 1)
  let tag = 'latest'
  const colon = name.lastIndexOf(':')
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1)
    name = name.slice(0, colon)
  }
  if (host === 'docker.io' && !name.includes('/')) name = `library/${name}`
  const api = host === 'docker.io' ? 'registry-1.docker.io' : host
  const plain = !(auth?.tlsVerify ?? !LOOPBACK.test(host))
  const url = `${plain ? 'http' : 'https'}://${api}/v2/${name}/manifests/${tag}`
  const basic =
    auth?.username && auth.host === host
      ? `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`
      : undefined
  const head = (authorization?: string) =>
    fetch(url, {
      method: 'HEAD',
      headers: {
        accept: MANIFEST_TYPES,
        ...(authorization ? { authorization } : {})
      },
      signal: AbortSignal.timeout(15_000)
    })
  let res = await head(basic)
  const challenge = res.headers.get('www-authenticate') ?? ''
  if (res.status === 401 && /^bearer /i.test(challenge)) {
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]])
    )
    const tokenUrl = new URL(params['realm'] ?? '')
    if (params['service'])
      tokenUrl.searchParams.set('service', params['service'])
    tokenUrl.searchParams.set(
      'scope',
      params['scope'] ?? `repository:${name}:pull`
    )
    const token = (await (
      await fetch(tokenUrl, {
        headers: basic ? { authorization: basic } : {},
        signal: AbortSignal.timeout(15_000)
      })
    ).json()) as { token?: string; access_token?: string }
    res = await head(`Bearer ${token.token ?? token.access_token ?? ''}`)
  }
  return res.ok
    ? (res.headers.get('docker-content-digest') ?? undefined)
    : undefined
}
