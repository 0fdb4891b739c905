/**
 * The container engine, chosen by what works rather than by what is
 * installed: a `docker` command is Docker only when its daemon answers and
 * is not podman's emulation (podman-docker installs a `docker` wrapper and a
 * socket that leads nowhere). Capabilities (buildx, `--metadata-file`,
 * `--push`, cache export, build secrets) are probed once; what is missing is
 * said in a notice, never skipped silently.
 *
 * The engine only builds argument lists and runs them; what to run and when
 * is decided by build.ts, smoke.ts and registry.ts.
 */
import { ConfigurationError, exec, which } from '@shipyard/action-kit'
import type { ExecOptions, ExecResult } from '@shipyard/action-kit'
import type { Engine as EngineChoice } from './docker-publish-inputs.js'

export type Exec = (
  command: string,
  args: readonly string[],
  options?: ExecOptions
) => Promise<ExecResult>
export type Which = (program: string) => Promise<string | undefined>

export interface Capabilities {
  /** Docker only: `docker buildx` works. */
  buildx: boolean
  /** `buildx build --metadata-file`. */
  metadataFile: boolean
  /** `buildx build --push`. */
  push: boolean
  /** Cache export backends the builder supports (`gha`, `registry`). */
  cacheExport: string[]
  /** `--secret id=…,src=…` on build. */
  secrets: boolean
  /** podman only: run containers with runc (`--runtime runc`). */
  runc: boolean
}

export interface ContainerEngine {
  kind: 'docker' | 'podman'
  /** The program run: `docker` or `podman`. */
  command: string
  version: string
  capabilities: Capabilities
  /** The build command's first arguments: `buildx build --load` or `build`. */
  buildCommand(): string[]
  /** Engine-specific build flags (podman: isolation and image format). */
  buildFlags(env?: NodeJS.ProcessEnv): string[]
  /** `run` flags: podman on the host network with runc; Docker publishes the port. */
  runFlags(hostPort: number, containerPort: number): string[]
  /** Whether the container shares the host's network (then the app must listen on the free port). */
  hostNetwork: boolean
  /** Flags for login and push against `registry`: auth file (when not empty), TLS. */
  registryFlags(registry: string, authFile: string): string[]
}

/** Loopback registries that speak plain HTTP (as Docker assumes for 127.0.0.0/8). */
export function isLoopbackRegistry(registry: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(registry)
}

interface Probe {
  engine?: ContainerEngine
  /** Why it cannot be used. */
  reason?: string
  notices: string[]
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  )
}

async function probeDocker(run: Exec, find: Which): Promise<Probe> {
  const notices: string[] = []
  if (!(await find('docker'))) {
    return { reason: 'there is no `docker` command', notices }
  }
  const version = await run(
    'docker',
    [
      'version',
      '--format',
      '{{.Server.Version}}|{{.Server.Platform.Name}}|{{range .Server.Components}}{{.Name}},{{end}}'
    ],
    { silent: true }
  )
  if (version.exitCode !== 0) {
    return {
      reason: `\`docker version\` reaches no Docker daemon (${firstLine(version.stderr) || `exit code ${version.exitCode}`})`,
      notices
    }
  }
  const [server = '', platform = '', components = ''] = version.stdout
    .trim()
    .split('|')
  if (!server || /podman/i.test(platform)) {
    return {
      reason: `the \`docker\` command is ${platform || 'not Docker'} (podman's emulation)`,
      notices
    }
  }
  // A real Docker CLI on podman's API service (`podman system service`):
  // the platform is the host's, but the engine component names podman.
  const podmanComponent = components
    .split(',')
    .find((name) => /podman/i.test(name))
  if (podmanComponent) {
    return {
      reason: `the Docker daemon it reaches is ${podmanComponent} ${server} (podman's API service)`,
      notices
    }
  }
  const buildx =
    (await run('docker', ['buildx', 'version'], { silent: true })).exitCode ===
    0
  let help = ''
  let driver = ''
  if (buildx) {
    help = (
      await run('docker', ['buildx', 'build', '--help'], { silent: true })
    ).stdout
    driver =
      /^Driver:\s*(\S+)/m.exec(
        (await run('docker', ['buildx', 'inspect'], { silent: true })).stdout
      )?.[1] ?? ''
  } else {
    notices.push(
      'Docker has no buildx: building with the classic builder (no platforms, attestations or cache export). Add docker/setup-buildx-action to get them.'
    )
  }
  const cacheExport =
    buildx && driver && driver !== 'docker' ? ['gha', 'registry'] : []
  if (buildx && driver === 'docker') {
    notices.push(
      "The buildx builder uses the `docker` driver, which cannot export a build cache: only Docker's local layer cache applies. docker/setup-buildx-action creates a builder that can."
    )
  }
  const capabilities: Capabilities = {
    buildx,
    metadataFile: help.includes('--metadata-file'),
    push: help.includes('--push'),
    cacheExport,
    secrets: true,
    runc: false
  }
  return {
    notices,
    engine: {
      kind: 'docker',
      command: 'docker',
      version: server,
      capabilities,
      hostNetwork: false,
      buildCommand: () => (buildx ? ['buildx', 'build', '--load'] : ['build']),
      buildFlags: () => [],
      runFlags: (hostPort, containerPort) => [
        '--publish',
        `127.0.0.1:${hostPort}:${containerPort}`
      ],
      registryFlags: () => []
    }
  }
}

async function probePodman(run: Exec, find: Which): Promise<Probe> {
  const notices: string[] = []
  if (!(await find('podman'))) {
    return { reason: 'there is no `podman` command', notices }
  }
  // Three cheap questions, asked side by side.
  const [version, buildHelp, runcPath] = await Promise.all([
    run('podman', ['version', '--format', '{{.Client.Version}}'], {
      silent: true
    }),
    run('podman', ['build', '--help'], { silent: true }),
    find('runc')
  ])
  if (version.exitCode !== 0) {
    return {
      reason: `\`podman version\` failed (${firstLine(version.stderr) || `exit code ${version.exitCode}`})`,
      notices
    }
  }
  const help = buildHelp.stdout
  const runc = runcPath !== undefined
  const capabilities: Capabilities = {
    buildx: false,
    metadataFile: false,
    push: false,
    cacheExport: [],
    secrets: help.includes('--secret'),
    runc
  }
  return {
    notices,
    engine: {
      kind: 'podman',
      command: 'podman',
      version: version.stdout.trim(),
      capabilities,
      hostNetwork: true,
      buildCommand: () => ['build'],
      // chroot isolation needs no extra namespaces (what a CI VM or a
      // container allows); the Docker image format keeps HEALTHCHECK, which
      // the OCI format has no field for.
      buildFlags: (env = process.env) => [
        '--isolation',
        env['BUILDAH_ISOLATION'] || 'chroot',
        '--format',
        'docker'
      ],
      runFlags: () => [
        ...(runc ? ['--runtime', 'runc'] : []),
        '--network',
        'host'
      ],
      registryFlags: (registry, authFile) => [
        ...(authFile ? ['--authfile', authFile] : []),
        // A loopback registry speaks plain HTTP: containers/image must be
        // told (Docker assumes it for 127.0.0.0/8 on its own).
        ...(isLoopbackRegistry(registry) ? ['--tls-verify=false'] : [])
      ]
    }
  }
}

export interface EngineSelection {
  engine: ContainerEngine
  notices: string[]
}

/**
 * The engine to use: `docker` and `podman` must work as asked; `auto` takes
 * Docker when its daemon answers, else podman.
 */
export async function createEngine(
  choice: EngineChoice,
  run: Exec = exec,
  find: Which = which
): Promise<EngineSelection> {
  if (choice === 'docker' || choice === 'auto') {
    // auto asks both at once: when Docker answers, podman's answer is not
    // used, but a runner without a Docker daemon does not wait for two.
    const [docker, podman] = await Promise.all([
      probeDocker(run, find),
      choice === 'auto' ? probePodman(run, find) : undefined
    ])
    if (docker.engine) return { engine: docker.engine, notices: docker.notices }
    if (!podman) {
      throw new ConfigurationError(
        `engine is docker, but ${docker.reason}. Start Docker, or use engine: podman or auto.`
      )
    }
    if (podman.engine) {
      return {
        engine: podman.engine,
        notices: [
          `Docker cannot be used (${docker.reason}): building with podman ${podman.engine.version}.`,
          ...podman.notices
        ]
      }
    }
    throw new ConfigurationError(
      `No container engine works here: ${docker.reason}, and ${podman.reason}. Install Docker or podman.`
    )
  }
  const podman = await probePodman(run, find)
  if (podman.engine) return { engine: podman.engine, notices: podman.notices }
  throw new ConfigurationError(
    `engine is podman, but ${podman.reason}. Install podman, or use engine: docker or auto.`
  )
}
